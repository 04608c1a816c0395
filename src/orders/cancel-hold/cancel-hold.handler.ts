import { Inject } from '@nestjs/common';
import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { RedisSeatHolds } from '../../purchasing/seat-map/redis-seat-holds';
import { BUYER_QUOTA, type BuyerQuota } from '../buyer-limit/buyer-quota.port';
import { HoldMetrics } from '../hold-metrics';
import type { CancelHoldOutcome } from '../order-outcome';
import { CancelHoldCommand } from './cancel-hold.command';

/**
 * The buyer gives a hold's seats back (release-hold.lua): on sale again at once. Cancelling a hold that is
 * not held any more (released, expired and swept, unknown) is answered as a success, so a retried DELETE
 * whose first answer was lost gets the same answer; a confirmed hold is not cancelled (its seats are sold).
 */
@CommandHandler(CancelHoldCommand)
export class CancelHoldHandler implements ICommandHandler<CancelHoldCommand, CancelHoldOutcome> {
  constructor(
    private readonly holds: RedisSeatHolds,
    private readonly metrics: HoldMetrics,
    @Inject(BUYER_QUOTA) private readonly quota: BuyerQuota,
  ) {}

  async execute(command: CancelHoldCommand): Promise<CancelHoldOutcome> {
    const hold = await this.holds.find(command.holdId);
    if (hold === null) return { kind: 'CANCELLED' };
    if (hold.status === 'confirmed') return { kind: 'HOLD_CONFIRMED' };
    if (await this.holds.release(hold.eventId, hold.zoneId, hold.holdId)) {
      this.metrics.count('cancelled');
      await this.quota.release(hold.eventId, hold.buyerId, hold.holdId);
      return { kind: 'CANCELLED' };
    }
    // Not held any more: a confirm or a sweep came between the read and the release.
    return (await this.holds.find(hold.holdId))?.status === 'confirmed'
      ? { kind: 'HOLD_CONFIRMED' }
      : { kind: 'CANCELLED' };
  }
}
