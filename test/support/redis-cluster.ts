import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createConnection } from 'node:net';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from './child-process';
import { sleep } from './time';

const run = promisify(execFile);
/** A program on the PATH (or in /usr/bin), undefined when nowhere. */
const which = (name: string): string | undefined =>
  [...(process.env.PATH ?? '').split(delimiter), '/usr/bin']
    .filter((dir) => dir !== '')
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
const REDIS_SERVER = process.env.REDIS_SERVER_BIN ?? which('redis-server');
const REDIS_CLI = process.env.REDIS_CLI_BIN ?? which('redis-cli');

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The master's id, for a replica. */
  masterId?: string;
  slots: [number, number][];
}

interface NodeProcess {
  port: number;
  child: ChildProcess;
  admin: Redis;
}

/** Why the cluster tests cannot run here, or undefined when they can. */
export function redisClusterUnavailable(): string | undefined {
  if (REDIS_SERVER === undefined) return 'redis-server is not installed';
  if (REDIS_CLI === undefined) return 'redis-cli is not installed';
  return undefined;
}

/**
 * A throwaway Redis Cluster of `redis-server` processes on free loopback ports, in a temporary directory,
 * without persistence; for tests. Stopped (processes killed, directory removed) by stop(), and killed at
 * the latest when the test process exits.
 */
export class RedisClusterHarness {
  private readonly nodes: NodeProcess[] = [];
  private readonly killAll = () => {
    for (const node of this.nodes) node.child.kill('SIGKILL');
  };

  private constructor(private readonly dir: string) {
    process.once('exit', this.killAll);
  }

  /** `masters` shards, each with `replicasPerMaster` replicas, slots spread evenly by `redis-cli --cluster create`. */
  static async start(options: { masters?: number; replicasPerMaster?: number } = {}): Promise<RedisClusterHarness> {
    const masters = options.masters ?? 3;
    const replicas = options.replicasPerMaster ?? 0;
    const harness = new RedisClusterHarness(mkdtempSync(join(tmpdir(), 'redis-cluster-')));
    try {
      for (let i = 0; i < masters * (1 + replicas); i++) await harness.startNode(true);
      const addresses = harness.nodes.map((n) => `127.0.0.1:${n.port}`);
      await run(REDIS_CLI!, [
        '--cluster',
        'create',
        ...addresses,
        '--cluster-replicas',
        String(replicas),
        '--cluster-yes',
      ]);
      await harness.waitUntilConsistent();
      await harness.waitUntil(async () => {
        const nodes = await harness.topology();
        if (nodes.filter((n) => n.role === 'replica').length !== masters * replicas) return false;
        return harness.replicasInSync();
      }, 'the replicas to sync');
      return harness;
    } catch (error) {
      await harness.stop();
      throw error;
    }
  }

  /** A standalone Redis (no cluster) with `replicas` replicas of it, for the single-Redis variants. */
  static async startStandalone(replicas = 0): Promise<RedisClusterHarness> {
    const harness = new RedisClusterHarness(mkdtempSync(join(tmpdir(), 'redis-standalone-')));
    try {
      const master = await harness.startNode(false);
      for (let i = 0; i < replicas; i++) {
        const replica = await harness.startNode(false);
        await replica.admin.replicaof('127.0.0.1', master.port);
      }
      await harness.waitUntil(() => harness.replicasInSync(), 'the replicas to sync');
      return harness;
    } catch (error) {
      await harness.stop();
      throw error;
    }
  }

  /** The value of REDIS_CLUSTER_NODES for this cluster. */
  get nodesSetting(): string {
    return this.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  }

  /** redis:// URL of the i-th process started (for the standalone variant: 0 is the master). */
  url(i = 0): string {
    return `redis://127.0.0.1:${this.nodes[i]!.port}`;
  }

  /** Direct connection to the i-th process. */
  admin(i = 0): Redis {
    return this.nodes[i]!.admin;
  }

  async topology(): Promise<ClusterNodeInfo[]> {
    const text = (await this.nodes[0]!.admin.cluster('NODES')) as string;
    return text
      .trim()
      .split('\n')
      .map((line) => {
        const [id, address, flags, master, , , , , ...slotFields] = line.split(' ') as string[];
        const port = Number(/:(\d+)@/.exec(address!)![1]);
        const slots = slotFields
          .filter((f) => !f.startsWith('['))
          .map((f) => f.split('-').map(Number))
          .map(([from, to]) => [from!, to ?? from!] as [number, number]);
        const role = flags!.includes('master') ? 'master' : 'replica';
        return { id: id!, port, role, ...(role === 'replica' && { masterId: master! }), slots };
      });
  }

  async ownerOf(slot: number): Promise<ClusterNodeInfo> {
    const owner = (await this.topology()).find(
      (n) => n.role === 'master' && n.slots.some(([from, to]) => slot >= from && slot <= to),
    );
    if (owner === undefined) throw new Error(`no master serves slot ${slot}`);
    return owner;
  }

  /**
   * Moves one slot to another master while clients keep using it, the way `redis-cli --cluster reshard`
   * does (IMPORTING / MIGRATING, MIGRATE of its keys, then the new owner announced), but `keysPerStep`
   * keys at a time with a pause in between, so the slot stays half-moved long enough for clients to meet
   * ASK and TRYAGAIN. Returns the number of keys moved.
   */
  async migrateSlot(slot: number, toPort: number, options: { keysPerStep?: number; pauseMs?: number } = {}) {
    const keysPerStep = options.keysPerStep ?? 2;
    const pauseMs = options.pauseMs ?? 20;
    const nodes = await this.topology();
    const source = await this.ownerOf(slot);
    const target = nodes.find((n) => n.port === toPort)!;
    if (source.id === target.id) return 0;
    const src = this.adminByPort(source.port);
    const dst = this.adminByPort(target.port);
    await dst.cluster('SETSLOT', slot, 'IMPORTING', source.id);
    await src.cluster('SETSLOT', slot, 'MIGRATING', target.id);
    let moved = 0;
    for (;;) {
      const keys = (await src.cluster('GETKEYSINSLOT', slot, keysPerStep)) as string[];
      if (keys.length === 0) break;
      await src.migrate('127.0.0.1', target.port, '', 0, 5000, 'KEYS', ...keys);
      moved += keys.length;
      await sleep(pauseMs);
    }
    // Every master learns the new owner at once (gossip would get there too, more slowly).
    for (const node of nodes.filter((n) => n.role === 'master')) {
      await this.adminByPort(node.port).cluster('SETSLOT', slot, 'NODE', target.id);
    }
    return moved;
  }

  /**
   * A coordinated failover: the replica of the master serving `slot` takes over once it has every write
   * the master acknowledged (CLUSTER FAILOVER, run on the replica). Returns the new master's port.
   */
  async failOver(slot: number): Promise<number> {
    const master = await this.ownerOf(slot);
    const replica = (await this.topology()).find((n) => n.role === 'replica' && n.masterId === master.id);
    if (replica === undefined) throw new Error(`master ${master.port} has no replica`);
    await this.adminByPort(replica.port).cluster('FAILOVER');
    await this.waitUntil(async () => (await this.ownerOf(slot)).port === replica.port, 'the failover');
    await this.waitUntilConsistent();
    return replica.port;
  }

  async stop(): Promise<void> {
    for (const node of this.nodes) node.admin.disconnect();
    await Promise.all(
      this.nodes.map(
        (node) =>
          new Promise<void>((resolve) => {
            if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
            node.child.once('exit', () => resolve());
            node.child.kill('SIGKILL');
          }),
      ),
    );
    process.removeListener('exit', this.killAll);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Every replica's link to its master is up. */
  private async replicasInSync(): Promise<boolean> {
    for (const node of this.nodes) {
      const info = await node.admin.info('replication');
      if (info.includes('role:slave') && !info.includes('master_link_status:up')) return false;
    }
    return true;
  }

  private adminByPort(port: number): Redis {
    return this.nodes.find((n) => n.port === port)!.admin;
  }

  private async startNode(clusterEnabled: boolean): Promise<NodeProcess> {
    const port = await freePort();
    // The cluster bus listens on its own port; chosen free too (port + 10000 may be taken or out of range).
    const busPort = await freePort();
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, '--save', '', '--appendonly', 'no'];
    args.push('--dbfilename', `dump-${port}.rdb`, '--protected-mode', 'no', '--loglevel', 'warning');
    if (clusterEnabled) {
      args.push('--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, `nodes-${port}.conf`));
      args.push('--cluster-port', String(busPort), '--cluster-node-timeout', '3000');
    }
    const child = spawn(REDIS_SERVER!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    const admin = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
    const node = { port, child, admin };
    this.nodes.push(node);
    await this.waitUntil(async () => {
      if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited: ${errors}`);
      return listening(port);
    }, `redis-server on ${port} to answer`);
    await admin.connect();
    return node;
  }

  /** Every node reports the cluster ok and the same owner for every slot. */
  private async waitUntilConsistent(): Promise<void> {
    await this.waitUntil(async () => {
      const views = await Promise.all(
        this.nodes.map(async (n) => {
          const info = (await n.admin.cluster('INFO')) as string;
          if (!info.includes('cluster_state:ok')) return undefined;
          const slots = await n.admin.cluster('SLOTS');
          return JSON.stringify(slots.map(([from, to, owner]) => [from, to, owner?.[1]]).sort((a, b) => a[0]! - b[0]!));
        }),
      );
      return views.every((v) => v !== undefined && v === views[0]);
    }, 'the cluster to agree on its slots');
  }

  private async waitUntil(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (await check().catch((error: Error) => (error.message.includes('exited') ? Promise.reject(error) : false)))
        return;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${what}`);
  }
}

const listening = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
