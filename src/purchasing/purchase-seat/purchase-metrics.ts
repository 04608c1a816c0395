import { Inject, Injectable } from '@nestjs/common';
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../../platform/metrics/metrics-registry';
import { isRedisUnavailable } from '../../platform/redis/redis-errors';
import type { PurchaseOutcome } from '../purchase-outcome';

/** The outcome label: the purchase outcomes, a replayed 201 (Idempotency-Key) apart, and the failures. */
export type PurchaseMetricOutcome = PurchaseOutcome['kind'] | 'REPLAYED' | 'UNAVAILABLE' | 'ERROR';

// A Record, so a new outcome that is not listed here fails to compile.
const OUTCOMES: Record<PurchaseMetricOutcome, true> = {
  RESERVED: true,
  REPLAYED: true,
  SEAT_TAKEN: true,
  ROW_SOLD_OUT: true,
  ZONE_SOLD_OUT: true,
  NOT_FOUND: true,
  SALE_UNAVAILABLE: true,
  IDEMPOTENCY_KEY_REUSED: true,
  UNAVAILABLE: true,
  ERROR: true,
};

/**
 * The purchase endpoint's instrumentation, all of it. It runs on the hot path: the counter children are
 * bound once here (no label hashing per request) and the timer is one `performance.now()` at each end.
 * Requests refused by validation (400) are not purchases and are not counted.
 */
@Injectable()
export class PurchaseMetrics {
  private readonly byOutcome: Record<PurchaseMetricOutcome, Counter.Internal>;
  private readonly duration: Histogram.Internal<string>;

  constructor(@Inject(METRICS_REGISTRY) registry: Registry) {
    const purchases = new Counter({
      name: 'tickets_purchases_total',
      help: 'Purchases answered, by outcome (REPLAYED: an Idempotency-Key retry answered with its original ticket)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.byOutcome = Object.fromEntries(
      Object.keys(OUTCOMES).map((outcome) => [outcome, purchases.labels(outcome)]),
    ) as Record<PurchaseMetricOutcome, Counter.Internal>;
    // Every outcome exported from the start at 0: a series that appears only on its first increment hides
    // that increment from rate().
    for (const child of Object.values(this.byOutcome)) child.inc(0);
    this.duration = new Histogram({
      name: 'tickets_purchase_duration_seconds',
      help: 'Time from a valid purchase request to its outcome (the reservation script and, with a key, its check)',
      // Measured p50 60-70 ms, p99 110-145 ms at 1000 connections on 2 cores (bench/results/README.md).
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1],
      registers: [registry],
    }).labels();
  }

  /** `startedAt`: `performance.now()` when the purchase began. */
  completed(outcome: PurchaseOutcome, startedAt: number): void {
    this.byOutcome[outcome.kind === 'RESERVED' && outcome.replayed ? 'REPLAYED' : outcome.kind].inc();
    this.duration.observe((performance.now() - startedAt) / 1000);
  }

  /** An exception instead of an outcome: the seat inventory unreachable (503), or a bug (500). */
  failed(error: unknown, startedAt: number): void {
    this.byOutcome[isRedisUnavailable(error) ? 'UNAVAILABLE' : 'ERROR'].inc();
    this.duration.observe((performance.now() - startedAt) / 1000);
  }
}
