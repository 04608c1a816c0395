import { Logger } from '@nestjs/common';
import { loadConfig } from './platform/config/load-env';
import { exitOnSignals } from './platform/shutdown';
import { createWorkerApp } from './worker/worker.app';

async function main(): Promise<void> {
  const config = loadConfig();
  const { app } = await createWorkerApp(config);
  exitOnSignals(app, 'Worker');
  await app.startAllMicroservices();
  await app.listen(config.WORKER_PORT, config.HOST);
  new Logger('Worker').log(`pipelines consuming; health on ${config.HOST}:${config.WORKER_PORT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
