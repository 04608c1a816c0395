import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Counter } from 'prom-client';
import { ProcessServices } from './process-services';

type HoldEnd = 'opened' | 'confirmed' | 'expired' | 'cancelled';

/**
 * Hold lifecycle counters: holds opened, and how each ended (confirmed by the buyer, expired and released by
 * a sweeper, cancelled by the buyer). Counted by the process that did it, so a fleet's rate is the sum.
 */
@Injectable()
export class HoldMetrics implements OnModuleInit {
  private counters: Record<HoldEnd, Counter> | undefined;

  constructor(private readonly services: ProcessServices) {}

  onModuleInit(): void {
    const registry = this.services.registry;
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
    this.counters?.[end].inc(holds);
  }
}
