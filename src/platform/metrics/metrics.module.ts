import { Module, type DynamicModule } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry';
import { MetricsHttpController } from './metrics.http.controller';

/** `GET /metrics` and the registry behind it; the importing module registers its own metrics in it. */
@Module({})
export class MetricsModule {
  /** `registry`: one created before the container, for metrics that live outside it (the worker's pipelines). */
  static forRoot(registry: Registry = createMetricsRegistry()): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [MetricsHttpController],
      providers: [{ provide: METRICS_REGISTRY, useValue: registry }],
      exports: [METRICS_REGISTRY],
    };
  }
}
