import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../../platform/metrics/metrics-registry';
import { OutboxRelay } from './outbox-relay';

/** The relay's figures, read when Prometheus scrapes rather than counted on the relay's path. */
@Injectable()
export class OutboxMetrics {
  constructor(@Inject(METRICS_REGISTRY) registry: Registry, relay: OutboxRelay) {
    new Gauge({
      name: 'tickets_outbox_backlog',
      help: 'Reservations in the Redis outbox not yet confirmed by the broker (all relays; NaN while Redis is unreachable)',
      registers: [registry],
      async collect() {
        // Bounded by the Redis command timeout (REDIS_COMMAND_TIMEOUT_MS).
        this.set(await relay.backlog().catch(() => Number.NaN));
      },
    });
    let reported = 0;
    new Counter({
      name: 'tickets_outbox_published_total',
      help: 'Reservations this process relayed to the broker (confirmed)',
      registers: [registry],
      collect() {
        const published = relay.publishedCount;
        this.inc(published - reported);
        reported = published;
      },
    });
  }
}
