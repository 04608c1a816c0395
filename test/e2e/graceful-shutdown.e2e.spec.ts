import { allOutboxKeys } from '../../src/purchasing/seat-map/seat-map.keys';
import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { seatPlan, seatKey } from '../../scripts/seat-plan';
import { freshEventId } from '../support/test-config';

describe('graceful shutdown: SIGTERM mid-load loses nothing', () => {
  let platform: Platform;

  beforeAll(async () => {
    platform = await new Platform().start();
  });
  afterAll(async () => {
    await platform.stop();
  });

  async function outboxBacklog(): Promise<number> {
    const pipeline = platform.redis.pipeline();
    for (const key of allOutboxKeys()) pipeline.xlen(key);
    return ((await pipeline.exec()) ?? []).reduce((sum, [, n]) => sum + Number(n ?? 0), 0);
  }

  it('API and worker stopped with SIGTERM during a sale, then restarted: every 201 reaches both stores once', async () => {
    const eventId = freshEventId('sigterm');
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, 3000, 0.3, 11);
    let sent = 0;
    const faults: Promise<void>[] = [];
    const exits: { process: string; code: number | null; backlogAfter?: number }[] = [];

    const restartApi = async () => {
      const api = platform.api;
      const exited = new Promise<number | null>((resolve) => api.child.once('exit', (code) => resolve(code)));
      api.child.kill('SIGTERM');
      const code = await exited;
      // The API's relay drained the outbox after its last request: nothing waits for another relay.
      exits.push({ process: 'api', code, backlogAfter: await outboxBacklog() });
      await platform.startApi();
    };
    const restartWorker = async () => {
      await waitFor(async () => (await platform.pipelineFigures()).every((p) => p.handled > 100), 30_000, 'the drain');
      const worker = platform.worker;
      const exited = new Promise<number | null>((resolve) => worker.child.once('exit', (code) => resolve(code)));
      worker.child.kill('SIGTERM');
      exits.push({ process: 'worker', code: await exited });
      await platform.startWorker();
    };

    const responses = await inParallel(plan, 40, async (seat) => {
      const i = sent++;
      if (i === Math.floor(plan.length / 3)) faults.push(restartApi());
      if (i === Math.floor((2 * plan.length) / 3)) faults.push(restartWorker());
      return platform.purchaseWithRetry({ venueId: 'Arena', eventId, ...seat }, `${eventId}-${i}`);
    });
    await Promise.all(faults);

    const winners = new Map<string, string>();
    responses.forEach((r, i) => {
      expect([201, 409]).toContain(r.status);
      if (r.status === 201) {
        expect(winners.has(seatKey(plan[i]!))).toBe(false);
        winners.set(seatKey(plan[i]!), r.body.ticketId);
      }
    });
    expect(winners.size).toBe(3000);
    expect(exits).toEqual([
      { process: 'api', code: 0, backlogAfter: 0 },
      { process: 'worker', code: 0 },
    ]);
    const agreeAfter = await platform.waitUntilStoresAgree(eventId, 3000, 120_000);
    const written = await platform.writeStore.listEventTickets(eventId);
    expect(new Set(written.map((t) => t.ticketId))).toEqual(new Set(winners.values()));
    console.log(
      `graceful shutdown: ${plan.length} purchases (${responses.reduce((n, r) => n + r.attempts - 1, 0)} retries), ` +
        `3000 tickets, exits ${JSON.stringify(exits)}, stores agree ${agreeAfter} ms after the last response`,
    );
  });
});
