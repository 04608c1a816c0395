import { Module, type DynamicModule, type InjectionToken, type ModuleMetadata } from '@nestjs/common';
import { CatalogHttpController } from './catalog.http.controller';
import { CATALOG_RECORDS, EVENT_HISTORY, SEAT_INVENTORY, SEAT_MAP_LOSS, type CatalogRecords } from './catalog.ports';
import type { Catalog } from './catalog.schema';
import { CATALOG_SEED, CatalogSeeder, type CatalogSeed } from './catalog.seeder';
import { CATALOG, CatalogService } from './catalog.service';
import { EventRepository } from './event.repository';
import { OpenSaleHandler } from './open-sale/open-sale.handler';
import { OpenSaleHttpController } from './open-sale/open-sale.http.controller';

/** The modules that export what the ports are bound to: the process module names them, the catalog imports none. */
type PortModules = NonNullable<ModuleMetadata['imports']>;

export interface CatalogSaleOptions {
  catalog: Catalog;
  imports: PortModules;
  /** Tokens exported by `imports`, each bound to the port of the same name (catalog.ports.ts). */
  seatInventory: InjectionToken;
  seatMapLoss: InjectionToken;
  eventHistory: InjectionToken;
}

export interface CatalogRecordsOptions {
  catalog: Catalog;
  imports: PortModules;
  /** A token exported by `imports`, bound to CATALOG_RECORDS. */
  records: InjectionToken;
}

/**
 * The catalog: the file's venues and zones (CATALOG) and the events opened for sale (EventRepository, on
 * Redis), and the seeding at start-up (CatalogSeeder). Global, like the configuration: it is read once at
 * start and every capability above uses it. Needs APP_CONFIG and REDIS from the application.
 */
@Module({})
export class CatalogModule {
  /**
   * The API's catalog: venues and events over HTTP, opening a sale (the admin endpoint, and the file's events
   * at start-up), and CatalogService for purchases, the live seat map and the ops view.
   */
  static forSale(options: CatalogSaleOptions): DynamicModule {
    return {
      module: CatalogModule,
      global: true,
      imports: options.imports,
      controllers: [OpenSaleHttpController, CatalogHttpController],
      providers: [
        { provide: CATALOG, useValue: options.catalog },
        { provide: SEAT_INVENTORY, useExisting: options.seatInventory },
        { provide: SEAT_MAP_LOSS, useExisting: options.seatMapLoss },
        { provide: EVENT_HISTORY, useExisting: options.eventHistory },
        EventRepository,
        CatalogService,
        OpenSaleHandler,
        {
          provide: CATALOG_SEED,
          inject: [OpenSaleHandler],
          useFactory: (sales: OpenSaleHandler): CatalogSeed => ({ step: 'open-sales', sales }),
        },
        CatalogSeeder,
      ],
      exports: [CATALOG, EventRepository, CatalogService],
    };
  }

  /**
   * The worker's catalog: the file recorded in the read model at start-up, and the catalog and event records
   * the seat-map rebuild reads.
   */
  static forReadModel(options: CatalogRecordsOptions): DynamicModule {
    return {
      module: CatalogModule,
      global: true,
      imports: options.imports,
      providers: [
        { provide: CATALOG, useValue: options.catalog },
        { provide: CATALOG_RECORDS, useExisting: options.records },
        EventRepository,
        {
          provide: CATALOG_SEED,
          inject: [CATALOG_RECORDS],
          useFactory: (records: CatalogRecords): CatalogSeed => ({ step: 'read-model', records }),
        },
        CatalogSeeder,
      ],
      exports: [CATALOG, EventRepository],
    };
  }
}
