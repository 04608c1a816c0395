import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Catalog } from './catalog.schema';
import { CATALOG, CatalogService } from './catalog.service';

/** Opens the catalog file's events for sale when the API starts (idempotent: an open sale is left as is). */
@Injectable()
export class SaleBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(SaleBootstrap.name);

  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly service: CatalogService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const event of this.catalog.events) {
      const outcome = await this.service.openSale(event);
      this.logger.log(
        `event ${event.eventId} at ${event.venueId}: ${outcome === 'CREATED' ? 'opened for sale' : 'already open'}`,
      );
    }
  }
}
