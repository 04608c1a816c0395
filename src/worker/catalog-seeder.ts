import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Catalog } from '../catalog/catalog.schema';
import { CATALOG } from '../catalog/catalog.service';
import { TicketProjection } from '../read-model/ticket.projection';

/** Puts the catalog file's venues, zones and events into the read model when the worker starts. */
@Injectable()
export class CatalogSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(CatalogSeeder.name);

  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly projection: TicketProjection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.projection.seedCatalog(this.catalog);
      await this.projection.upsertEvents(this.catalog.events);
    } catch (error) {
      // Tickets still project without catalog rows; a later start seeds them.
      this.logger.warn(`catalog not seeded into the read model: ${(error as Error).message} (MYSQL_URL)`);
    }
  }
}
