import { Logger } from '@nestjs/common';
import { createApiApp } from './api.app';
import { loadConfig } from './config/load-env';
import { exitOnSignals } from './shutdown';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  exitOnSignals(app, 'Api');
  await app.listen(config.PORT, config.HOST);
  new Logger('Api').log(`listening on ${config.HOST}:${config.PORT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
