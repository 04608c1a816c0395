import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../platform/metrics/metrics-registry';
import type { AdmissionRefusal } from './waiting-room';

// A Record, so a new refusal reason that is not listed here fails to compile.
const REASONS: Record<AdmissionRefusal, true> = {
  TOKEN_MISSING: true,
  MALFORMED: true,
  BAD_SIGNATURE: true,
  EXPIRED: true,
  WRONG_KIND: true,
  OTHER_BUYER: true,
};

/**
 * The waiting room's counters. The refusal counter runs on the purchase path: its children are bound once
 * here, so a refusal costs an increment and no label hashing.
 */
@Injectable()
export class WaitingRoomMetrics {
  private readonly refusals: Record<AdmissionRefusal, Counter.Internal>;
  private readonly joins: Counter;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const refusals = new Counter({
      name: 'tickets_waiting_room_refusals_total',
      help: 'Purchases refused at the waiting room (403 before any Redis work), by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.refusals = Object.fromEntries(
      Object.keys(REASONS).map((reason) => [reason, refusals.labels(reason)]),
    ) as Record<AdmissionRefusal, Counter.Internal>;
    this.joins = new Counter({
      name: 'tickets_waiting_room_joins_total',
      help: 'Places given in waiting rooms (a re-join that got its old place counts too)',
      registers: [registry],
    });
  }

  refused(reason: AdmissionRefusal): void {
    this.refusals[reason].inc();
  }

  joined(): void {
    this.joins.inc();
  }
}
