import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module';
import { PurchasingModule } from '../purchasing/purchasing.module';
import { ReadModelPersistenceModule } from '../read-model/read-model-persistence.module';
import { WaitingRoomModule } from '../waiting-room/waiting-room.module';
import { OpsDashboard } from './dashboard/ops-dashboard';
import { OpsDashboardHttpController } from './dashboard/ops-dashboard.http.controller';
import { HealthHttpController } from './health.http.controller';

/**
 * The API's health checks and the operator's view. Needs APP_CONFIG, REDIS, METRICS_REGISTRY,
 * CatalogService (CatalogModule) and CqrsModule.forRoot() from the application.
 */
@Module({
  imports: [LiveModule, PurchasingModule, ReadModelPersistenceModule, WaitingRoomModule],
  controllers: [HealthHttpController, OpsDashboardHttpController],
  providers: [OpsDashboard],
})
export class OpsModule {}
