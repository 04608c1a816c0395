import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { CatalogRecords } from './catalog.ports';
import type { Catalog } from './catalog.schema';
import { CATALOG } from './catalog.service';
import type { OpenSaleHandler } from './open-sale/open-sale.handler';
import { OpenSaleCommand } from './open-sale/open-sale.command';

/**
 * What a process seeds from the catalog file when it starts; CatalogModule binds it. The API opens the file's
 * events for sale (Redis: seat maps and event records, and the read model's event history, as the admin
 * endpoint would); the worker records the file's venues, zones and events in the read model. Both are
 * idempotent, so any number of processes may start at once.
 */
export type CatalogSeed =
  { step: 'open-sales'; sales: Pick<OpenSaleHandler, 'execute'> } | { step: 'read-model'; records: CatalogRecords };
export const CATALOG_SEED = Symbol('CATALOG_SEED');

/** Seeds the process's stores from the catalog file at start-up (see CatalogSeed). */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(CatalogSeeder.name);

  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    @Inject(CATALOG_SEED) private readonly seed: CatalogSeed,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.seed.step === 'open-sales') await this.openSales(this.seed.sales);
    else await this.recordInReadModel(this.seed.records);
  }

  /**
   * Through the handler rather than the CommandBus: the bus learns its handlers in CqrsModule's own
   * bootstrap hook, and the order of two global modules' hooks is not worth depending on. A failure (Redis
   * refusing) fails the start.
   */
  private async openSales(sales: Pick<OpenSaleHandler, 'execute'>): Promise<void> {
    for (const event of this.catalog.events) {
      const outcome = await sales.execute(new OpenSaleCommand(event));
      this.logger.log(
        `event ${event.eventId} at ${event.venueId}: ${outcome === 'CREATED' ? 'opened for sale' : 'already open'}`,
      );
    }
  }

  private async recordInReadModel(records: CatalogRecords): Promise<void> {
    try {
      await records.seedCatalog(this.catalog);
    } catch (error) {
      // Tickets still project without catalog rows; a later start seeds them.
      this.logger.warn(`catalog not seeded into the read model: ${(error as Error).message} (MYSQL_URL)`);
    }
  }
}
