import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Catalog } from './catalog.schema';
import { CATALOG } from './catalog.service';
import { OpenSaleCommand } from './open-sale/open-sale.command';

/** Opens the catalog file's events for sale when the API starts, as the admin endpoint would (idempotent). */
@Injectable()
export class SaleBootstrap implements OnApplicationBootstrap {
  private readonly logger = new Logger(SaleBootstrap.name);

  constructor(
    @Inject(CATALOG) private readonly catalog: Catalog,
    private readonly commandBus: CommandBus,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const event of this.catalog.events) {
      const outcome = await this.commandBus.execute(new OpenSaleCommand(event));
      this.logger.log(
        `event ${event.eventId} at ${event.venueId}: ${outcome === 'CREATED' ? 'opened for sale' : 'already open'}`,
      );
    }
  }
}
