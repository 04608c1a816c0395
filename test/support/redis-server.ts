import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './child-process';
import { sleep } from './time';

const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? '/usr/bin/redis-server';

/**
 * A redis-server of the test's own, for faults that kill or wipe Redis: never the machine's shared one.
 * Append-only with `appendfsync always` (every write on disk before its reply), in a data directory under a
 * temporary folder, on a free port that a restart keeps.
 */
export class RedisServer {
  port = 0;
  private process: ChildProcess | undefined;
  private readonly root = mkdtempSync(join(tmpdir(), 'fault-redis-'));
  private generation = 0;
  private dir = '';
  output = '';

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts on a free port with a fresh data directory. */
  async start(): Promise<this> {
    this.port = await freePort();
    this.dir = this.freshDir();
    await this.launch();
    return this;
  }

  /** Kills the server (SIGKILL: no shutdown save, no final fsync) and waits for it to exit. */
  async kill(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** Starts again on the same port: with the same data directory (its AOF), or an empty one (`wiped`). */
  async restart(options: { wiped: boolean }): Promise<void> {
    if (options.wiped) this.dir = this.freshDir();
    await this.launch();
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.root, { recursive: true, force: true });
  }

  private freshDir(): string {
    const dir = join(this.root, `data-${this.generation++}`);
    mkdirSync(dir);
    return dir;
  }

  private async launch(): Promise<void> {
    this.process = spawn(
      REDIS_SERVER,
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--dir',
        this.dir,
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--save',
        '',
        '--daemonize',
        'no',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process.stdout?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-5000)));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.output = (this.output + chunk.toString()).slice(-5000)));
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.process.exitCode !== null) throw new Error(`redis-server exited:\n${this.output}`);
      if (await this.answers()) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on ${this.port}:\n${this.output}`);
      await sleep(50);
    }
  }

  /** PING answers LOADING while the AOF is read back: answering means the data is there. */
  private async answers(): Promise<boolean> {
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      return (await probe.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      probe.disconnect();
    }
  }
}
