import { ChildProcessHandle, freePort } from '../support/child-process';
import { inParallel, Platform } from '../support/platform';
import { RedisClusterHarness, redisClusterUnavailable } from '../support/redis-cluster';
import { seatKey, seatPlan, type PlannedSeat } from '../../scripts/seat-plan';
import { freshEventId } from '../support/test-config';
import { zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { sleep } from '../support/time';
import { describeIf } from '../support/skip';

const unavailable = redisClusterUnavailable();
const describeCluster = describeIf(unavailable === undefined, unavailable);

const DISTINCT = 3000;

interface Answer {
  status: number;
  body: any;
}

/** One HTTP call to an API process on a loopback port. */
async function call(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined } as Answer;
}

/** A client that retries a 503 with its Idempotency-Key, as the API asks it to (Retry-After). */
async function purchase(port: number, body: object, key: string): Promise<Answer & { retries: number }> {
  for (let retries = 0; ; retries++) {
    const answer = await call(port, 'POST', '/api/v1/tickets', body, { 'idempotency-key': key });
    if (answer.status !== 503 || retries >= 100) return { ...answer, retries };
    await sleep(100);
  }
}

describeCluster('scale-out: 2 API processes and 2 workers on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHarness;
  let platform: Platform;
  let secondApi: ChildProcessHandle;
  let secondWorker: ChildProcessHandle;
  let apiPorts: number[];
  let workerPorts: number[];

  beforeAll(async () => {
    cluster = await RedisClusterHarness.start({ masters: 3 });
    platform = await new Platform({ redis: { REDIS_CLUSTER_NODES: cluster.nodesSetting } }).start();
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    secondApi = ChildProcessHandle.start('main.api.js', platform.apiEnv({ PORT: String(apiPort) }));
    secondWorker = ChildProcessHandle.start('main.worker.js', platform.workerEnv({ WORKER_PORT: String(workerPort) }));
    await secondApi.waitForHttp(apiPort);
    await secondWorker.waitForHttp(workerPort, 30_000);
    apiPorts = [platform.apiPort, apiPort];
    workerPorts = [platform.workerPort, workerPort];
  });
  afterAll(async () => {
    await secondApi?.kill('SIGTERM');
    await secondWorker?.kill('SIGTERM');
    await platform?.stop();
    await cluster?.stop();
  });

  it('sells each seat once through both APIs while a slot moves, answers every 201 at once, and both stores agree', async () => {
    const eventId = freshEventId('scale');
    await platform.openSale(eventId, 'Arena');
    const slotOfZone1 = Number(await cluster.admin().cluster('KEYSLOT', zoneKeys(eventId, 1).outbox));
    const from = await cluster.ownerOf(slotOfZone1);
    const to = (await cluster.topology()).find((n) => n.role === 'master' && n.id !== from.id)!;

    // Every seat once plus 50 % duplicates (other buyers, other keys). Every 10th request is sent to both
    // APIs at once with the same Idempotency-Key: one purchase, the same answer from each.
    const plan = seatPlan([1, 2], 26, DISTINCT, 0.5, 23);
    let answered = 0;
    let migration: Promise<number> | undefined;
    let retries = 0;
    const notReadable: string[] = [];
    const results = await inParallel(
      plan.map((seat, i) => ({ seat, i })),
      100,
      async ({ seat, i }: { seat: PlannedSeat; i: number }) => {
        const body = { venueId: 'Arena', eventId, ...seat };
        const key = `${eventId}-${i}`;
        const port = apiPorts[i % 2]!;
        const answers = await Promise.all((i % 10 === 0 ? apiPorts : [port]).map((p) => purchase(p, body, key)));
        retries += answers.reduce((sum, a) => sum + a.retries, 0);
        const answer = answers[0]!;
        if (answer.status === 201) {
          // Read-your-writes, from the other API process, before the projection can have caught up.
          const read = await call(apiPorts[(i + 1) % 2]!, 'GET', `/api/v1/tickets/${answer.body.ticketId}`);
          if (read.status !== 200 || read.body.ticketId !== answer.body.ticketId)
            notReadable.push(answer.body.ticketId);
        }
        if (++answered === Math.round(plan.length / 3)) {
          migration = cluster.migrateSlot(slotOfZone1, to.port, { keysPerStep: 20, pauseMs: 5 });
        }
        return { seat, answers };
      },
    );
    const keysMoved = await migration!;

    const sold = new Map<string, string>();
    for (const { seat, answers } of results) {
      for (const a of answers) expect([201, 409]).toContain(a.status);
      // Both APIs answered the shared key alike: the same ticket, or the same refusal.
      expect(new Set(answers.map((a) => `${a.status}:${a.body.ticketId ?? a.body.error}`)).size).toBe(1);
      if (answers[0]!.status !== 201) continue;
      expect(sold.has(seatKey(seat))).toBe(false);
      sold.set(seatKey(seat), answers[0]!.body.ticketId);
    }
    expect(sold.size).toBe(DISTINCT);
    expect(notReadable).toEqual([]);
    expect((await cluster.ownerOf(slotOfZone1)).port).toBe(to.port);

    const agreeAfter = await platform.waitUntilStoresAgree(eventId, DISTINCT, 90_000);
    const written = await platform.writeStore.listEventTickets(eventId);
    expect(new Set(written.map((t) => t.ticketId))).toEqual(new Set(sold.values()));
    expect(written.every((t) => t.status === 'RESERVED')).toBe(true);

    const handled = await Promise.all(
      workerPorts.map(async (port) => {
        const figures = (await (await fetch(`http://127.0.0.1:${port}/api/v1/ops/pipelines`)).json()) as {
          handled: number;
        }[];
        return figures.reduce((sum, f) => sum + f.handled, 0);
      }),
    );
    console.log(
      `scale-out: ${plan.length} purchases (+${plan.length / 10} sent twice) over 2 APIs, ${DISTINCT} tickets, ` +
        `${keysMoved} keys of slot ${slotOfZone1} moved mid-run, ${retries} client retries of a 503; ` +
        `items handled per worker ${handled.join(' / ')}; stores agree ${agreeAfter} ms after the run`,
    );
    // Competing consumers: the two workers together handled every ticket on both pipelines.
    expect(handled.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(2 * DISTINCT);
  });
});
