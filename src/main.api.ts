import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { createApiApp } from './api.app';
import type { AppConfig } from './platform/config/app-config';
import { loadConfig } from './platform/config/load-env';
import { exitOnSignals } from './platform/shutdown';
import { superviseApiProcesses } from './api-processes';
import { listenApi } from './platform/http/listen-api';

async function serve(config: AppConfig): Promise<void> {
  const app = await createApiApp(config);
  exitOnSignals(app, 'Api');
  // The bound address, not the configured one: PORT=0 takes a free port.
  const { address, port } = await listenApi(app, config);
  new Logger('Api').log(`listening on ${address}:${port}`);
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (config.API_PROCESSES > 1 && cluster.isPrimary) superviseApiProcesses(config.API_PROCESSES);
  else await serve(config);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
