import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/mysql';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { readModelConfig } from './mikro-orm.config';

/** The read model's MikroORM instance. Inject it with `@Inject(READ_MODEL_ORM) orm: MikroORM`. */
export const READ_MODEL_ORM = Symbol('READ_MODEL_ORM');

/**
 * MikroORM 7 connects lazily, on the first query: a process whose MySQL is down still starts (the API keeps
 * selling seats), and the read endpoints answer 503 until the database is back.
 */
export const readModelOrmProvider: Provider = {
  provide: READ_MODEL_ORM,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => MikroORM.init(readModelConfig(config.MYSQL_URL)),
};

/** Closes the pool last, after every consumer and controller has stopped (Nest calls this hook after the others). */
@Injectable()
export class ReadModelOrmLifecycle implements OnApplicationShutdown {
  constructor(@Inject(READ_MODEL_ORM) private readonly orm: MikroORM) {}

  async onApplicationShutdown(): Promise<void> {
    await this.orm.close();
  }
}
