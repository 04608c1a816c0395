import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry';
import { MetricsHttpController } from './metrics.http.controller';

/**
 * `GET /metrics` and the registry behind it. Global: one registry per process, in which every module registers
 * its own metrics. Import it once, in the process module.
 */
@Module({})
export class MetricsModule {
  /** `registry`: one created before the container, for metrics that live outside it (the worker's pipelines). */
  static forRoot(registry: Registry = createMetricsRegistry()): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      controllers: [MetricsHttpController],
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }],
      exports: [METRICS_REGISTRY],
    };
  }
}
