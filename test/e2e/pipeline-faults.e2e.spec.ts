import { Platform, inParallel } from '../support/platform';
import { waitFor } from '../support/queue-reader';
import { seatPlan } from '../../scripts/seat-plan';
import { TcpProxy } from '../support/tcp-proxy';
import { freshEventId } from '../support/test-config';
import { sleep } from '../support/time';

/**
 * Faults in the worker's path, each injected by the test itself (a TCP proxy it controls, a process it
 * started) while purchases flow: afterwards every ticket with a 201 is in both stores, none twice.
 */
describe('worker faults: nothing missing, nothing doubled', () => {
  let platform: Platform;
  let mysqlProxy: TcpProxy;
  let dynamoProxy: TcpProxy;

  beforeAll(async () => {
    platform = await new Platform({ deferWorker: true }).start();
    mysqlProxy = await new TcpProxy('127.0.0.1', 3306).start();
    dynamoProxy = await new TcpProxy('127.0.0.1', Number(new URL(platform.dynalite.endpoint).port)).start();
    const dbName = new URL(platform.mysqlUrl).pathname;
    await platform.startWorker({
      MYSQL_URL: `mysql://root@127.0.0.1:${mysqlProxy.port}${dbName}`,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}`,
      WORKER_BATCH_SIZE: '100',
    });
  });
  afterAll(async () => {
    await platform.stop();
    await mysqlProxy.stop();
    await dynamoProxy.stop();
  });

  /** Sells `count` seats of a fresh Arena event, calling `duringSale` once a quarter of them are sold. */
  async function saleWithFault(label: string, count: number, duringSale: () => Promise<void>): Promise<void> {
    const eventId = freshEventId(label);
    await platform.openSale(eventId, 'Arena');
    const plan = seatPlan([1, 2], 26, count, 0.2, count);
    let sent = 0;
    let fault: Promise<void> | undefined;
    const responses = await inParallel(plan, 50, async (seat) => {
      if (++sent === Math.floor(plan.length / 4)) fault = duringSale();
      return platform.request('POST', '/api/v1/tickets', { venueId: 'Arena', eventId, ...seat });
    });
    await fault;
    const sold = responses.filter((r) => r.status === 201).length;
    expect(sold).toBe(count);
    expect(responses.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const agreeAfter = await platform.waitUntilStoresAgree(eventId, count, 120_000);
    const report = await platform.consistency.check(eventId);
    console.log(
      `${label}: ${plan.length} purchases, ${sold} tickets, stores agree ${agreeAfter} ms after the last response: ${JSON.stringify(report.figures)}`,
    );
    expect(report.differences).toEqual([]);
    expect(report.figures).toMatchObject({
      dynamodbLive: count,
      mysqlLive: count,
      dynamodbCancelled: 0,
      mysqlCancelled: 0,
    });
  }

  it('the worker SIGKILLed mid-drain and started again', async () => {
    await saleWithFault('kill-worker', 3000, async () => {
      await waitFor(async () => (await platform.pipelineFigures()).every((p) => p.handled > 200), 30_000, 'the drain');
      await platform.worker.kill('SIGKILL');
      await sleep(1000);
      await platform.startWorker({
        MYSQL_URL: `mysql://root@127.0.0.1:${mysqlProxy.port}${new URL(platform.mysqlUrl).pathname}`,
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${dynamoProxy.port}`,
        WORKER_BATCH_SIZE: '100',
      });
    });
  });

  it('MySQL unreachable for 10 s mid-stream', async () => {
    await saleWithFault('mysql-cut', 3000, async () => {
      mysqlProxy.cut();
      await sleep(10_000);
      mysqlProxy.restore();
    });
  });

  it('the DynamoDB endpoint unreachable for 10 s mid-stream', async () => {
    await saleWithFault('dynamo-cut', 3000, async () => {
      dynamoProxy.cut();
      await sleep(10_000);
      dynamoProxy.restore();
    });
  });
});
