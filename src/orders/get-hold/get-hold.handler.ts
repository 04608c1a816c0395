import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RedisSeatHolds } from '../../purchasing/seat-map/redis-seat-holds';
import type { GetHoldOutcome } from '../order-outcome';
import { GetHoldQuery } from './get-hold.query';

/**
 * A hold as its record says: held, or confirmed with its tickets (kept IDEMPOTENCY_TTL_SECONDS after the
 * confirm). Released and swept holds are gone: not found. Read from the Redis master, as the confirm is.
 */
@QueryHandler(GetHoldQuery)
export class GetHoldHandler implements IQueryHandler<GetHoldQuery, GetHoldOutcome> {
  constructor(private readonly holds: RedisSeatHolds) {}

  async execute(query: GetHoldQuery): Promise<GetHoldOutcome> {
    const hold = await this.holds.find(query.holdId);
    return hold === null ? { kind: 'HOLD_NOT_FOUND' } : { kind: 'HOLD_FOUND', hold };
  }
}
