import { Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, dynamoDbTarget, type AppConfig } from '../platform/config/app-config';
import { DYNAMODB, type DynamoClients, createDynamoClients } from './dynamodb.client';
import { startDynalite, type DynaliteServer } from './dynalite.server';
import { DynamoTicketWriteStore } from './dynamo-ticket-write-store';
import { TICKET_WRITE_STORE } from './ticket-write-store.port';

/** The dynalite this process started because DYNAMODB_EMBEDDED is true; null otherwise. */
export const EMBEDDED_DYNALITE = Symbol('EMBEDDED_DYNALITE');

/**
 * The write store. Expects APP_CONFIG from the importing application. The store checks its tables when it
 * initialises (the migrate step creates them), so the app does not start without them.
 */
@Module({
  providers: [
    {
      provide: EMBEDDED_DYNALITE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): Promise<DynaliteServer | null> =>
        dynamoDbTarget(config).embedded ? startDynalite() : Promise.resolve(null),
    },
    {
      provide: DYNAMODB,
      inject: [APP_CONFIG, EMBEDDED_DYNALITE],
      useFactory: (config: AppConfig, embedded: DynaliteServer | null) => {
        const { endpoint, region } = dynamoDbTarget(config);
        return createDynamoClients(embedded?.endpoint ?? endpoint, region, { itemClient: config.DYNAMODB_CLIENT });
      },
    },
    { provide: TICKET_WRITE_STORE, useClass: DynamoTicketWriteStore },
  ],
  exports: [TICKET_WRITE_STORE, DYNAMODB, EMBEDDED_DYNALITE],
})
export class WriteStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(DYNAMODB) private readonly db: DynamoClients,
    @Inject(EMBEDDED_DYNALITE) private readonly embedded: DynaliteServer | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    this.db.destroy();
    await this.embedded?.close();
  }
}
