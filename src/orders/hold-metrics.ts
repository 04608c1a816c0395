import { Inject, Injectable } from '@nestjs/common';
import { Counter, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../platform/metrics/metrics-registry';

type HoldEnd = 'opened' | 'confirmed' | 'expired' | 'cancelled';

/**
 * Hold lifecycle counters: holds opened, and how each ended (confirmed by the buyer, expired and released by
 * a sweeper, cancelled by the buyer). Counted by the process that did it, so a fleet's rate is the sum.
 */
@Injectable()
export class HoldMetrics {
  private readonly counters: Record<HoldEnd, Counter>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const counter = (end: HoldEnd, help: string): Counter => {
      const created = new Counter({ name: `tickets_holds_${end}_total`, help, registers: [registry] });
      // Exported at 0 from the start: a series that appears on its first increment hides it from rate().
      created.inc(0);
      return created;
    };
    this.counters = {
      opened: counter('opened', 'Holds that took their seats (POST /api/v1/holds)'),
      confirmed: counter('confirmed', 'Holds turned into tickets by their first confirm'),
      expired: counter('expired', 'Holds past expiresAt released by this process’s sweeper'),
      cancelled: counter('cancelled', 'Holds released by their buyer (DELETE /api/v1/holds/:holdId)'),
    };
  }

  count(end: HoldEnd, holds = 1): void {
    this.counters[end].inc(holds);
  }
}
