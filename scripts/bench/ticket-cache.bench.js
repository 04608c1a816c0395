// What the read-your-writes entry costs per reservation, three ways, against a redis-server of its own on a
// free loopback port: "script" (reserve-seat.lua writes the entry, as shipped), "none" (the script without
// that SET) and "client-set" (the script without it, then a SET from the client after each success, as a
// cache on a separate instance would need). Prints the rate and the CPU per reservation of Redis (from
// /proc) and of this process (the client side of an API), each variant twice, alternating.
// Usage: node scripts/bench/ticket-cache.bench.js --help
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { Redis } = require('ioredis');
const { ROOT, freePort } = require('./bench-support');

const { readCliOptions } = require('../cli-options');

const N = readCliOptions({
  usage: 'node scripts/bench/ticket-cache.bench.js [options]',
  about: 'What the read-your-writes ticket entry costs per reservation, three ways, on a redis-server of its own.',
  options: { reservations: { type: 'number', default: 78_000, help: 'reservations per variant' } },
  examples: ['node scripts/bench/ticket-cache.bench.js --reservations 10000'],
}).reservations;
const script = (name) => readFileSync(join(ROOT, 'src', 'purchasing', 'seat-map', name), 'utf8');
const reserveLua = script('reserve-seat.lua');
const withoutEntry = reserveLua.replace("redis.call('SET', KEYS[5], ARGV[4], 'EX', ARGV[7])", '');
if (withoutEntry === reserveLua) throw new Error('reserve-seat.lua no longer has the SET this bench removes');
const cpuSeconds = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'ticket-cache-bench-'));
  const port = await freePort();
  const server = spawn(
    'redis-server',
    ['--port', port, '--bind', '127.0.0.1', '--save', '', '--dir', dir].map(String),
    {
      stdio: 'ignore',
    },
  );
  const redis = new Redis(port, '127.0.0.1', {
    enableAutoPipelining: true,
    retryStrategy: (n) => (n < 50 ? 50 : null),
  });
  // Refused until redis-server listens: the client retries by itself.
  redis.on('error', () => undefined);
  try {
    redis.defineCommand('reserve', { numberOfKeys: 5, lua: reserveLua });
    redis.defineCommand('reserveWithoutEntry', { numberOfKeys: 5, lua: withoutEntry });
    redis.defineCommand('openZone', { numberOfKeys: 2, lua: script('open-zone.lua') });
    const payload = JSON.stringify({
      ticketId: '2a1b2c3d-4e5f-8a1b-9c2d-3e4f5a6b7c8d',
      venueId: 'Venue1',
      eventId: 'bench-event',
      zoneId: 12,
      row: 'C',
      column: 7,
      price: 320,
      createdOn: new Date().toISOString(),
    });
    for (const variant of ['script', 'none', 'client-set', 'script', 'none', 'client-set']) {
      const ev = `e${Math.random().toString(36).slice(2)}`;
      for (let z = 1; z <= 100; z++) await redis.openZone(`c{${z}}${ev}`, `s{${z}}${ev}`, 26, 30);
      const redisBefore = cpuSeconds(server.pid);
      const selfBefore = process.cpuUsage();
      const startedAt = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          while (next < Math.min(N, 78_000)) {
            const n = next++;
            const z = (n % 100) + 1;
            const j = Math.floor(n / 100);
            const keys = [`c{${z}}${ev}`, `s{${z}}${ev}`, `o{${z}}`, `c{${z}}${ev}`, `t{${z}}:${ev}:${n}`];
            const args = [
              j % 26,
              Math.floor(j / 26) + 1,
              `r:${String.fromCharCode(65 + (j % 26))}`,
              payload,
              '',
              86400,
              300,
            ];
            if (variant === 'script') {
              await redis.reserve(...keys, ...args);
              continue;
            }
            const [code] = await redis.reserveWithoutEntry(...keys, ...args);
            if (variant === 'client-set' && code === 0) await redis.set(`t2{${z}}:${ev}:${n}`, payload, 'EX', 300);
          }
        }),
      );
      const count = Math.min(N, 78_000);
      const seconds = (performance.now() - startedAt) / 1000;
      const self = process.cpuUsage(selfBefore);
      const redisUs = ((cpuSeconds(server.pid) - redisBefore) / count) * 1e6;
      const clientUs = (self.user + self.system) / count;
      console.log(
        `${variant.padEnd(10)} ${Math.round(count / seconds)} reservations/s; CPU per reservation: ` +
          `Redis ${redisUs.toFixed(1)} µs, client ${clientUs.toFixed(1)} µs`,
      );
      await redis.flushall();
    }
  } finally {
    redis.disconnect();
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
