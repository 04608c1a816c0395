import { collectDefaultMetrics, Registry } from 'prom-client';

/** The registry a process's metrics are registered in and `GET /metrics` serves. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

let processMetrics: Registry | undefined;

/**
 * A registry of its own per application rather than prom-client's global one: the tests create several
 * applications in one process, and each would register the same metric names again. The default metrics
 * (CPU, memory, event loop lag, GC) describe the OS process, not an application, so they are collected once
 * per process and shared: collectDefaultMetrics starts observers that are never stopped.
 */
export function createMetricsRegistry(): Registry {
  if (processMetrics === undefined) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return Registry.merge([processMetrics, new Registry()]);
}
