import { Injectable, type Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Registry } from 'prom-client';
import { CatalogService } from '../catalog/catalog.service';
import { METRICS_REGISTRY } from '../platform/metrics/metrics-registry';
import { SeatRebuildRequests } from '../purchasing/seat-map/seat-rebuild.requests';

/**
 * Services the API process module (src/api.module.ts) provides and exports to no module: the catalog, the
 * metrics registry, the seat map rebuild requests. OrdersModule is imported by that module, so it cannot
 * inject them; they are looked up in the whole container once it exists (first use, from module init on),
 * and kept. When the process module's services move into modules that export them, these become plain
 * constructor injections.
 */
@Injectable()
export class ProcessServices {
  private readonly found = new Map<unknown, unknown>();

  constructor(private readonly moduleRef: ModuleRef) {}

  get catalog(): CatalogService {
    return this.lookUp(CatalogService);
  }

  get registry(): Registry {
    return this.lookUp<Registry>(METRICS_REGISTRY);
  }

  get seatRebuildRequests(): SeatRebuildRequests {
    return this.lookUp(SeatRebuildRequests);
  }

  private lookUp<T>(token: Type<T> | symbol): T {
    let service = this.found.get(token) as T | undefined;
    if (service === undefined) {
      service = this.moduleRef.get<T>(token, { strict: false }) ?? undefined;
      if (service === undefined) throw new Error(`OrdersModule needs ${String(token)} from the process module`);
      this.found.set(token, service);
    }
    return service;
  }
}
