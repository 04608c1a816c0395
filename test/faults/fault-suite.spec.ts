import type { RedisClient } from '../../src/platform/redis/redis.factory';
import { liveIds, seatKeyOf, snapshotOf, type SnapshotTicket } from '../../src/seat-recovery/store-snapshot';
import { seatRebuildKeys } from '../../src/purchasing/seat-map/seat-rebuild.keys';
import { OUTBOX_GROUP } from '../../src/purchasing/outbox/outbox-scripts';
import { allOutboxKeys, outboxKey, partitionOf, zoneKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { listEventTickets } from '../../src/read-model/event-tickets.maintenance';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { RedisServer } from '../support/redis-server';
import { seatPlan } from '../../scripts/seat-plan';
import { RefusingHttpProxy } from '../support/refusing-http-proxy';
import { TcpProxy } from '../support/tcp-proxy';
import { TEST_ADMIN_TOKEN, freshEventId, testNamespace } from '../support/test-config';
import { runVerify } from '../support/verify-cli';
import { sleep } from '../support/time';

/** How long each outage lasts (FAULT_SECONDS, 30 by default as the issue asks). */
const OUTAGE_MS = Number(process.env.FAULT_SECONDS ?? 30) * 1000;
const SEATS = 2000;
const CONCURRENCY = 30;
/** The drain of 2,000 tickets takes seconds; a minute without agreement is a failure, not slowness. */
const AGREE_WITHIN_MS = 60_000;
/** How long Redis stays out of memory in the OOM scenario. */
const OOM_MS = 10_000;

// A scenario is a load, an outage of up to OUTAGE_MS, a recovery and a drain.
jest.setTimeout(OUTAGE_MS + 240_000);

/** Lets a fault stop the load at a quiet point: no new purchase starts, and those in flight finish. */
interface LoadControl {
  pause(): Promise<void>;
  resume(): void;
}

async function outboxBacklog(redis: RedisClient): Promise<number> {
  const pipeline = redis.pipeline();
  for (const key of allOutboxKeys()) pipeline.xlen(key);
  return ((await pipeline.exec()) ?? []).reduce((sum, [error, length]) => {
    if (error) throw error;
    return sum + Number(length);
  }, 0);
}

const answers = (redis: RedisClient) =>
  redis.ping().then(
    () => true,
    () => false,
  );

async function zonesOpen(redis: RedisClient, eventId: string): Promise<boolean> {
  return (await redis.exists(zoneKeys(eventId, 1).counts, zoneKeys(eventId, 2).counts)) === 2;
}

/**
 * The fault suite: each scenario runs a purchase load with duplicates against the real API and worker
 * processes, injects one fault through something the test controls (a TCP proxy in front of a shared
 * service, a process it started, a redis-server of its own), recovers, waits for the drain and prints one
 * line of figures. Every scenario must end with lost = 0, doubled = 0, phantom = 0.
 */
describe('fault suite', () => {
  let redisServer: RedisServer;
  let platform: Platform;
  let brokerProxy: TcpProxy;
  let mysqlProxy: TcpProxy;
  let dynamoProxy: TcpProxy;
  let dynamoRefusals: RefusingHttpProxy;
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    brokerProxy = await new TcpProxy('127.0.0.1', 5672).start();
    mysqlProxy = await new TcpProxy('127.0.0.1', 3306).start();
    // The whole suite runs on a Redis it can kill and wipe (AOF, appendfsync always): never the machine's.
    redisServer = await new RedisServer().start();
    platform = await new Platform({
      deferWorker: true,
      redisUrl: redisServer.url,
      api: { AMQP_URL: `amqp://guest:guest@127.0.0.1:${brokerProxy.port}` },
    }).start();
    dynamoProxy = await new TcpProxy('127.0.0.1', Number(new URL(platform.dynalite.endpoint).port)).start();
    // The worker reaches dynalite through both: the HTTP proxy answers AWS refusals on cue, the TCP one cuts.
    dynamoRefusals = await new RefusingHttpProxy(dynamoProxy.port).start();
    workerEnv = {
      MYSQL_URL: `mysql://root@127.0.0.1:${mysqlProxy.port}${new URL(platform.mysqlUrl).pathname}`,
      DYNAMODB_ENDPOINT: dynamoRefusals.endpoint,
    };
    await platform.startWorker(workerEnv);
  });
  afterAll(async () => {
    await platform?.stop();
    await dynamoRefusals?.stop();
    for (const proxy of [brokerProxy, mysqlProxy, dynamoProxy]) await proxy?.stop();
    await redisServer?.stop();
  });

  /** Tickets the running worker has dead-lettered, both pipelines together. */
  const deadLettered = async () =>
    (await platform.pipelineFigures()).reduce((sum, pipeline) => sum + pipeline.deadLettered, 0);

  /** Runs the load, calling `fault` a third of the way in; returns the scenario's line of figures. */
  async function scenario(
    name: string,
    fault: (eventId: string, createdSoFar: Set<string>, load: LoadControl) => Promise<void>,
    { idempotencyKeys = true, extraTickets = 0 }: { idempotencyKeys?: boolean; extraTickets?: number } = {},
  ): Promise<Record<string, number>> {
    const eventId = freshEventId(name);
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, SEATS, 0.5, SEATS + name.length);
    let sent = 0;
    let injected: Promise<void> | undefined;
    const createdSoFar = new Set<string>();
    let gate: Promise<void> | undefined;
    let openGate = () => {};
    let inFlight = 0;
    const load: LoadControl = {
      async pause() {
        gate = new Promise((resolve) => (openGate = resolve));
        while (inFlight > 0) await sleep(20);
      },
      resume() {
        gate = undefined;
        openGate();
      },
    };
    const responses = await inParallel(plan, CONCURRENCY, async (seat) => {
      const i = sent++;
      if (i === Math.floor(plan.length / 3)) injected = fault(eventId, createdSoFar, load);
      while (gate !== undefined) await gate;
      inFlight++;
      try {
        const response = await platform.purchaseWithRetry(
          { venueId: 'Arena', eventId, ...seat },
          idempotencyKeys ? `${eventId}-${i}` : undefined,
        );
        if (response.status === 201) createdSoFar.add(response.body.ticketId);
        return response;
      } finally {
        inFlight--;
      }
    });
    await injected;
    const created = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.ticketId as string));
    // Seats that two different purchases were told they bought (a replayed 201 carries the same ticket id).
    const ticketsBySeat = new Map<string, Set<string>>();
    for (const r of responses.filter((r) => r.status === 201)) {
      const seat = seatKeyOf(r.body as SnapshotTicket);
      ticketsBySeat.set(seat, (ticketsBySeat.get(seat) ?? new Set()).add(r.body.ticketId as string));
    }
    // Asserted below (agreed: 1), after the figures are printed; the last report is printed here.
    const agreed = await platform.waitUntilStoresAgree(eventId, SEATS + extraTickets, AGREE_WITHIN_MS).then(
      () => 1,
      (error: Error) => {
        console.log(`${name}: ${error.message.slice(0, 1500)}`);
        return 0;
      },
    );
    const verify = await runVerify(eventId, platform.storeEnv());

    const report = await platform.consistency.check(eventId);
    const write = snapshotOf('dynamodb', await platform.writeStore.listEventTickets(eventId));
    const read = snapshotOf('mysql', await listEventTickets(platform.orm, eventId));
    const liveInDynamo = liveIds(write);
    const liveInMysql = liveIds(read);
    const seatsWithTicket = new Set([...write.liveBySeat.keys(), ...read.liveBySeat.keys()]);
    const redisTaken = report.figures.redisTaken ?? 0;
    const phantomDiff = report.differences.find((d) => d.startsWith('seats taken in redis without a live ticket'));
    const figures = {
      sent: responses.length,
      created: created.size,
      conflicts: responses.filter((r) => r.status === 409).length,
      other: responses.filter((r) => r.status !== 201 && r.status !== 409).length,
      retries: responses.reduce((n, r) => n + r.attempts - 1, 0),
      twice: [...ticketsBySeat.values()].filter((ids) => ids.size > 1).length,
      dynamodb: liveInDynamo.size,
      mysql: liveInMysql.size,
      // A 201 is kept only when its ticket is live in both stores: one store alone is not a kept promise.
      lost: [...created].filter((id) => !liveInDynamo.has(id) || !liveInMysql.has(id)).length,
      doubled: [...write.liveBySeat.values(), ...read.liveBySeat.values()].filter((ids) => ids.length > 1).length,
      cancelled: new Set([...write.cancelled, ...read.cancelled]).size,
      differences: report.differences.length,
      agreed,
      verifyExit: verify.exitCode,
      phantom: phantomDiff
        ? Number(/\((\d+)\)/.exec(phantomDiff)?.[1] ?? 1)
        : Math.max(0, redisTaken - seatsWithTicket.size),
    };
    console.log(
      `${name}: requests ${figures.sent}, 201 ${figures.created}, 409 ${figures.conflicts}, other ${figures.other} ` +
        `(client retries ${figures.retries}), seats with two 201s ${figures.twice}, DynamoDB ${figures.dynamodb}, ` +
        `MySQL ${figures.mysql}, lost ${figures.lost}, doubled ${figures.doubled}, phantom ${figures.phantom}, ` +
        `cancelled ${figures.cancelled}, verify exit ${figures.verifyExit}` +
        (report.differences.length > 0 ? `; differences: ${report.differences.join(' | ')}` : ''),
    );
    return figures;
  }

  // Every 201 live in both stores, no seat sold twice, no seat taken without a ticket, nothing cancelled
  // (a cancellation means Redis sold a seat twice and the write store undid it), verify exits 0.
  const clean = {
    other: 0,
    twice: 0,
    lost: 0,
    doubled: 0,
    phantom: 0,
    cancelled: 0,
    differences: 0,
    agreed: 1,
    verifyExit: 0,
    created: SEATS,
    dynamodb: SEATS,
    mysql: SEATS,
  };

  it("Redis loses the event's keys mid-load: 503 until a worker has rebuilt the seat map by itself, then sales resume", async () => {
    let probe: { status: number; retryAfter: string | null } | undefined;
    let eventOfScenario = '';
    const figures = await scenario('redis-keys-lost', async (eventId) => {
      eventOfScenario = eventId;
      const keys = await platform.redis.keys(`*:${eventId}:*`);
      await platform.redis
        .multi()
        .del(...keys)
        .hdel('catalog:events', eventId)
        .exec();
      // Purchases of the event now answer 503 with Retry-After, not 404: the read model still knows it.
      const response = await platform.request('POST', '/api/v1/tickets', {
        venueId: 'Arena',
        eventId,
        zoneId: 1,
        row: 'Z',
        column: 400,
      });
      probe = { status: response.status, retryAfter: response.headers.get('retry-after') };
      // Nothing else is done here: a worker notices the request, waits for the drain and rebuilds.
      const lostAt = Date.now();
      await waitFor(() => zonesOpen(platform.redis, eventId), 60_000, 'the automatic rebuild');
      console.log(`redis-keys-lost: both zones rebuilt by a worker ${Date.now() - lostAt} ms after the loss`);
    });
    expect(probe).toEqual({ status: 503, retryAfter: '1' });
    expect(platform.worker.output).toContain(`Redis lost seat maps of ${eventOfScenario}`);
    expect(await platform.redis.hexists('catalog:events', eventOfScenario)).toBe(1);
    expect(await platform.redis.sismember(seatRebuildKeys(testNamespace()).requests, eventOfScenario)).toBe(0);
    expect(figures).toMatchObject(clean);
  });

  it('Redis killed with SIGKILL mid-load and restarted on its append-only file: nothing lost, no rebuild needed', async () => {
    let eventOfScenario = '';
    const figures = await scenario('redis-restart', async (eventId) => {
      eventOfScenario = eventId;
      const killedAt = Date.now();
      await redisServer.kill();
      await sleep(1000);
      await redisServer.restart({ wiped: false });
      await waitFor(() => answers(platform.redis), 30_000, 'Redis to answer again');
      console.log(`redis-restart: Redis down ${Date.now() - killedAt} ms (SIGKILL, 1 s pause, restart on its AOF)`);
    });
    // appendfsync always: every reservation acknowledged before the kill came back with the seat maps.
    expect(platform.worker.output).not.toContain(`Redis lost seat maps of ${eventOfScenario}`);
    expect(figures).toMatchObject(clean);
  });

  it('Redis restarted EMPTY (its data lost) at a quiet point mid-load: 503 until the seat maps are rebuilt', async () => {
    let backlogAtWipe = -1;
    let mapAfterWipe = -1;
    let eventOfScenario = '';
    const figures = await scenario('redis-restart-empty', async (eventId, _createdSoFar, load) => {
      eventOfScenario = eventId;
      // An outbox entry not yet relayed would be lost with Redis: without persistence, a 201 is only as
      // durable as the relay is quick. The wipe comes once everything sold so far has left the outbox.
      await load.pause();
      try {
        await waitFor(async () => (await outboxBacklog(platform.redis)) === 0, 30_000, 'the outbox to drain');
        backlogAtWipe = await outboxBacklog(platform.redis);
        await redisServer.kill();
        await redisServer.restart({ wiped: true });
        await waitFor(() => answers(platform.redis), 30_000, 'Redis to answer again');
        mapAfterWipe = await platform.redis.exists(zoneKeys(eventId, 1).counts, zoneKeys(eventId, 1).seats);
      } finally {
        load.resume();
      }
      const resumedAt = Date.now();
      await waitFor(() => zonesOpen(platform.redis, eventId), 60_000, 'the automatic rebuild');
      console.log(
        `redis-restart-empty: outbox backlog at the wipe ${backlogAtWipe}; both zones rebuilt ` +
          `${Date.now() - resumedAt} ms after purchases resumed on the empty Redis`,
      );
    });
    expect({ backlogAtWipe, mapAfterWipe }).toEqual({ backlogAtWipe: 0, mapAfterWipe: 0 });
    expect(platform.worker.output).toContain(`Redis lost seat maps of ${eventOfScenario}`);
    expect(figures).toMatchObject(clean);
  });

  it('the API killed with SIGKILL mid-load and started again', async () => {
    const figures = await scenario('api-sigkill', async () => {
      await platform.api.kill('SIGKILL');
      await platform.startApi();
    });
    expect(figures).toMatchObject(clean);
  });

  it(`RabbitMQ unreachable for ${OUTAGE_MS / 1000} s mid-load: purchases keep answering from the outbox`, async () => {
    let duringOutage = 0;
    const figures = await scenario('broker-cut', async () => {
      brokerProxy.cut();
      const started = Date.now();
      // Purchases answer while the broker is away: a probe purchase on another event's seat succeeds.
      const probe = freshEventId('probe');
      await platform.openSale(probe, 'TinyHall');
      duringOutage = (
        await platform.purchaseWithRetry({ venueId: 'TinyHall', eventId: probe, zoneId: 2, row: 'A', column: 1 }, probe)
      ).status;
      await sleep(Math.max(0, OUTAGE_MS - (Date.now() - started)));
      brokerProxy.restore();
    });
    expect(duringOutage).toBe(201);
    expect(figures).toMatchObject(clean);
  });

  it('the worker killed with SIGKILL mid-drain and started again', async () => {
    const figures = await scenario('worker-sigkill', async () => {
      await waitFor(async () => (await platform.pipelineFigures()).every((p) => p.handled > 100), 60_000, 'the drain');
      await platform.worker.kill('SIGKILL');
      await platform.startWorker(workerEnv);
    });
    expect(figures).toMatchObject(clean);
  });

  it(`MySQL unreachable for ${OUTAGE_MS / 1000} s`, async () => {
    const figures = await scenario('mysql-cut', async () => {
      mysqlProxy.cut();
      await sleep(OUTAGE_MS);
      mysqlProxy.restore();
    });
    expect(figures).toMatchObject(clean);
  });

  it(`the DynamoDB endpoint unreachable for ${OUTAGE_MS / 1000} s`, async () => {
    const figures = await scenario('dynamodb-cut', async () => {
      dynamoProxy.cut();
      await sleep(OUTAGE_MS);
      dynamoProxy.restore();
    });
    expect(figures).toMatchObject(clean);
  });
  it('one zone lost with the event record kept, the API restarted and the event POSTed again: the zone is rebuilt, never reopened empty', async () => {
    let repost = 0;
    let reopenedEmpty = false;
    const figures = await scenario('zone-lost-record-kept', async (eventId, createdSoFar, load) => {
      // What a Redis Cluster shard losing its data (or an eviction, or an operator's DEL) leaves: the
      // event's record lives on, one zone's counters and bitmap are gone.
      await load.pause();
      try {
        expect(createdSoFar.size).toBeGreaterThan(0);
        await platform.redis.del(zoneKeys(eventId, 1).counts, zoneKeys(eventId, 1).seats);
        await platform.api.kill('SIGKILL');
        await platform.startApi();
        repost = (
          await platform.request(
            'POST',
            '/api/v1/admin/events',
            { eventId, venueId: 'Arena', name: `E2E ${eventId}`, type: 'test', date: '2027-02-01T20:00:00Z' },
            { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
          )
        ).status;
        // Reopened empty would show as a zone with every seat free while tickets of it were already sold.
        const zoneLeft = await platform.redis.hget(zoneKeys(eventId, 1).counts, 'zone');
        reopenedEmpty = zoneLeft === String(26 * 400);
      } finally {
        load.resume();
      }
      await waitFor(() => zonesOpen(platform.redis, eventId), 60_000, 'the automatic rebuild');
    });
    expect({ repost, reopenedEmpty }).toEqual({ repost: 409, reopenedEmpty: false });
    expect(figures).toMatchObject(clean);
  });

  it('clients that send no Idempotency-Key, with the API killed mid-load', async () => {
    const figures = await scenario(
      'no-idempotency-key',
      async () => {
        await platform.api.kill('SIGKILL');
        await platform.startApi();
      },
      { idempotencyKeys: false },
    );
    // Without a key a client whose answer was lost (the API died mid-request) cannot learn it bought the
    // seat: its retry gets 409 for its own seat. Every seat is still sold exactly once and every 201 kept.
    const { created, ...rest } = clean;
    expect(figures).toMatchObject(rest);
    expect(figures.created).toBeLessThanOrEqual(created);
    expect(figures.created).toBeGreaterThanOrEqual(created - CONCURRENCY);
  });
  it(`DynamoDB refusing the worker's credentials for ${OUTAGE_MS / 1000} s (expired token, then access denied): retried until they work, nothing dead-lettered`, async () => {
    const deadLetteredBefore = await deadLettered();
    const figures = await scenario('dynamodb-refusals', async () => {
      dynamoRefusals.refuse('ExpiredTokenException', 'The security token included in the request is expired');
      await sleep(OUTAGE_MS / 2);
      const expired = dynamoRefusals.refused;
      dynamoRefusals.refuse('AccessDeniedException', 'User is not authorized to perform: dynamodb:PutItem');
      await sleep(OUTAGE_MS / 2);
      const denied = dynamoRefusals.refused;
      dynamoRefusals.restore();
      console.log(`dynamodb-refusals: ${expired} requests refused as expired, ${denied} as denied`);
      expect(Math.min(expired, denied)).toBeGreaterThan(0);
    });
    expect((await deadLettered()) - deadLetteredBefore).toBe(0);
    expect(figures).toMatchObject(clean);
  });

  it('Redis out of memory (maxmemory reached, noeviction) mid-load: 503 with Retry-After until it has room again', async () => {
    let probe: { status: number; retryAfter: string | null; error: unknown } | undefined;
    const figures = await scenario('redis-oom', async (eventId) => {
      // The suite's own redis-server: its limit is the test's to change.
      await platform.redis.config('SET', 'maxmemory', '1');
      try {
        // A seat the load never asks for, so the probe cannot take one of the plan's.
        const response = await platform.request('POST', '/api/v1/tickets', {
          venueId: 'Arena',
          eventId,
          zoneId: 1,
          row: 'Z',
          column: 400,
        });
        probe = {
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          error: response.body?.error,
        };
        await sleep(OOM_MS);
      } finally {
        await platform.redis.config('SET', 'maxmemory', '0');
      }
    });
    expect(probe).toEqual({ status: 503, retryAfter: '1', error: 'UNAVAILABLE' });
    expect(figures).toMatchObject(clean);
  });
  it('an outbox entry an older relay acknowledged but never deleted (killed between XACK and XDEL): the backlog still reaches 0 and a lost event is still rebuilt', async () => {
    let leftover = -1;
    let backlogAfter = -1;
    const figures = await scenario(
      'relay-acked-not-deleted',
      async (eventId, _createdSoFar, load) => {
        await load.pause();
        try {
          // One ticket of a seat the load never asks for, relayed as usual.
          const sold = await platform.purchaseWithRetry(
            { venueId: 'Arena', eventId, zoneId: 1, row: 'Z', column: 400 },
            `${eventId}-probe`,
          );
          expect(sold.status).toBe(201);
          await waitFor(async () => (await outboxBacklog(platform.redis)) === 0, 30_000, 'the outbox to drain');
          // The state a relay killed between its XACK and its XDEL left behind: its entry (a ticket the broker
          // already has) read by the group, acknowledged, still in the stream. No relay runs meanwhile, so
          // none can read it first.
          await platform.api.kill('SIGKILL');
          const stream = outboxKey(partitionOf(eventId, 1));
          const id = await platform.redis.xadd(stream, '*', 'e', JSON.stringify(sold.body));
          await platform.redis.xreadgroup('GROUP', OUTBOX_GROUP, 'killed-relay', 'COUNT', 1, 'STREAMS', stream, '>');
          await platform.redis.xack(stream, OUTBOX_GROUP, id!);
          leftover = await platform.redis.xlen(stream);
          await platform.startApi();
          // Then Redis loses the event: its rebuild waits for every outbox entry up to now to leave.
          const keys = await platform.redis.keys(`*:${eventId}:*`);
          await platform.redis
            .multi()
            .del(...keys)
            .hdel('catalog:events', eventId)
            .exec();
        } finally {
          load.resume();
        }
        await waitFor(() => zonesOpen(platform.redis, eventId), 60_000, 'the automatic rebuild');
      },
      { extraTickets: 1 },
    );
    // The figure the API reports (and rebuild:seats waits on) reaches 0 once the load has drained.
    await waitFor(
      async () => {
        backlogAfter = (await platform.request('GET', '/api/v1/ops/outbox')).body.backlog as number;
        return backlogAfter === 0;
      },
      20_000,
      'the outbox backlog to reach 0',
    ).catch(() => undefined);
    expect({ leftover, backlogAfter }).toEqual({ leftover: 1, backlogAfter: 0 });
    expect(figures).toMatchObject({ ...clean, dynamodb: SEATS + 1, mysql: SEATS + 1 });
  });
});
