import { startDynalite } from './dynalite.server';

/**
 * `node dist/write-store/dynalite.main.js [--port 8000] [--path DIR]`: the embedded DynamoDB as a process of
 * its own, for `npm start` and the command-line tools (with --path its data survives restarts).
 */
async function main(): Promise<void> {
  const arg = (name: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const path = arg('path');
  const server = await startDynalite({ port: Number(arg('port') ?? 8000), ...(path !== undefined && { path }) });
  console.log(`dynalite listening at ${server.endpoint}${path ? `, data in ${path}` : ' (in memory)'}`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
