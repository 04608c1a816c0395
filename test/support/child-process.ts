import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { TEST_ADMIN_TOKEN, TEST_CATALOG_FILE, testConfig, testNamespace } from './test-config';
import { sleep } from './time';

const ROOT = join(__dirname, '..', '..');

/**
 * One of the platform's real processes (built in dist/ by `npm test`), for tests that kill or restart it.
 * Output is kept for the failure message.
 */
export class ChildProcessHandle {
  output = '';
  /** The exit code (null after a signal), once the process has ended and its output is all read. */
  readonly closed: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    this.closed = new Promise((resolve) => child.once('close', (code: number | null) => resolve(code)));
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  /** `root`: the folder holding dist/ and the node_modules it loads (the repository by default). */
  static start(
    entry: 'main.api.js' | 'main.worker.js',
    env: Record<string, string>,
    root: string = ROOT,
  ): ChildProcessHandle {
    const child = spawn(process.execPath, [join(root, 'dist', entry)], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        AMQP_NAMESPACE: testNamespace(),
        RATE_LIMIT_MAX: '0',
        REDIS_URL: testConfig().REDIS_URL,
        CATALOG_FILE: TEST_CATALOG_FILE,
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ChildProcessHandle(child);
  }

  async waitForHttp(port: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`process exited early:\n${this.output}`);
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await sleep(100);
    }
    throw new Error(`process did not answer on ${port} within ${timeoutMs} ms:\n${this.output}`);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill(signal);
    });
  }
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
