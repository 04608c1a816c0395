import { Logger, type INestApplication } from '@nestjs/common';

/**
 * SIGTERM/SIGINT close the application (HTTP stops accepting and finishes in-flight requests, the worker
 * finishes and acknowledges its batch, the relay drains the outbox) and exit 0; a close that fails, or
 * outlasts `deadlineMs`, exits 1. Exiting with a status (rather than re-raising the signal) lets the
 * supervisor tell a clean stop from a forced one.
 */
export function exitOnSignals(app: INestApplication, name: string, deadlineMs = 25_000): void {
  const logger = new Logger(name);
  let closing = false;
  const stop = (signal: NodeJS.Signals) => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: shutting down`);
    const timer = setTimeout(() => {
      logger.error(`shutdown took over ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs);
    timer.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(`shutdown failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal (Ctrl-C reaches a whole process group, and a supervisor passes it on
  // too) must not fall back to the default action and kill the process mid-shutdown.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
