import cluster, { type Worker } from 'node:cluster';
import { Logger } from '@nestjs/common';

const RESTART_DELAY_MS = 1000;

/**
 * API_PROCESSES > 1: this process only supervises. It forks that many API processes, which share the port: each
 * binds its own HTTP_ACCEPT_SOCKETS sockets and the kernel spreads connections over them (with one socket,
 * node:cluster hands connections round-robin through this process instead). It restarts one that dies, and on
 * SIGTERM/SIGINT passes the signal on and exits 0 once every process has shut down cleanly (1 otherwise). Each process runs its own
 * outbox relay: the relays share the outbox through the consumer group, as separate API instances do.
 */
export function superviseApiProcesses(count: number): void {
  const logger = new Logger('ApiSupervisor');
  let stopping = false;
  let failed = false;
  const fork = (): Worker => cluster.fork();
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (code !== 0) failed = true;
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    logger.error(`API process ${worker.process.pid} exited (${signal ?? code}); starting another`);
    setTimeout(fork, RESTART_DELAY_MS);
  });
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  for (let i = 0; i < count; i++) fork();
  logger.log(`supervising ${count} API processes`);
}
