import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { replayDeadLetters } from '../../src/consistency/dead-letters/replay-dead-letters';
import { assertTopology, deadLetterQueueOf, deleteTopology, topologyFor } from '../../src/platform/amqp/topology';
import { testConfig, testNamespace } from '../support/test-config';

const config = testConfig();
/** A namespace of its own: the run's dead-letter queues may hold other files' letters. */
const topology = topologyFor(`${testNamespace()}-replay`);
const QUEUE = topology.pipelines.writeStore;
const DLQ = deadLetterQueueOf(QUEUE);

describe('replayDeadLetters (npm run replay:dlq) on the real broker', () => {
  let connection: ChannelModel;
  let channel: ConfirmChannel;

  beforeAll(async () => {
    connection = await connect(config.AMQP_URL);
    channel = await connection.createConfirmChannel();
    await assertTopology(channel, topology);
  });
  afterAll(async () => {
    await deleteTopology(channel, topology);
    await connection.close();
  });
  beforeEach(async () => {
    await channel.purgeQueue(QUEUE);
    await channel.purgeQueue(DLQ);
  });

  /** Dead letters as the worker writes them: the original body, the reason in headers. */
  async function deadLetter(bodies: string[], reason: string): Promise<void> {
    for (const body of bodies)
      channel.publish(topology.deadLetterExchange, QUEUE, Buffer.from(body), {
        persistent: true,
        messageId: body,
        headers: { 'x-failure-reason': `${reason}: something`, 'x-attempts': 5, 'x-original-queue': QUEUE },
      });
    await channel.waitForConfirms();
  }

  const depths = async () => ({
    queue: (await channel.checkQueue(QUEUE)).messageCount,
    dlq: (await channel.checkQueue(DLQ)).messageCount,
  });

  async function drain(queue: string): Promise<{ body: string; headers: Record<string, unknown> }[]> {
    const found = [];
    for (let m = await channel.get(queue, { noAck: true }); m !== false; m = await channel.get(queue, { noAck: true }))
      found.push({ body: m.content.toString(), headers: m.properties.headers ?? {} });
    return found;
  }

  it('moves every dead letter back to the pipeline queue without its failure headers; a second run moves nothing', async () => {
    await deadLetter(['a', 'b', 'c'], 'FAILED after 5 attempts');
    await deadLetter(['d'], 'REJECTED');
    const progress: number[] = [];

    const first = await replayDeadLetters(config.AMQP_URL, topology, 'write-store', {
      dryRun: false,
      limit: Infinity,
      onProgress: (done) => progress.push(done),
    });

    expect({ waiting: first.waiting, moved: first.moved, reasons: Object.fromEntries(first.reasons) }).toEqual({
      waiting: 4,
      moved: 4,
      reasons: { 'FAILED after 5 attempts': 3, REJECTED: 1 },
    });
    expect(progress.at(-1)).toBe(4);
    expect(await depths()).toEqual({ queue: 4, dlq: 0 });
    const second = await replayDeadLetters(config.AMQP_URL, topology, 'write-store', {
      dryRun: false,
      limit: Infinity,
    });
    expect({ waiting: second.waiting, moved: second.moved }).toEqual({ waiting: 0, moved: 0 });

    const replayed = await drain(QUEUE);
    expect(replayed.map((m) => m.body).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(replayed[0]!.headers).not.toHaveProperty('x-failure-reason');
    expect(replayed[0]!.headers['x-replayed-reason']).toMatch(/: something$/);
    // The read-model pipeline got no copy (the fanout exchange was not used).
    expect((await channel.checkQueue(topology.pipelines.readModel)).messageCount).toBe(0);
  });

  it('--dry-run counts by reason and moves nothing', async () => {
    await deadLetter(['a', 'b'], 'FAILED after 5 attempts');

    const report = await replayDeadLetters(config.AMQP_URL, topology, 'write-store', { dryRun: true, limit: Infinity });

    expect({ waiting: report.waiting, handled: report.handled, moved: report.moved }).toEqual({
      waiting: 2,
      handled: 2,
      moved: 0,
    });
    expect(Object.fromEntries(report.reasons)).toEqual({ 'FAILED after 5 attempts': 2 });
    expect(await depths()).toEqual({ queue: 0, dlq: 2 });
    expect((await drain(DLQ)).map((m) => m.body).sort()).toEqual(['a', 'b']);
  });

  it('--limit N moves at most N', async () => {
    await deadLetter(['a', 'b', 'c'], 'FAILED after 5 attempts');

    const report = await replayDeadLetters(config.AMQP_URL, topology, 'write-store', { dryRun: false, limit: 2 });

    expect(report.moved).toBe(2);
    expect(await depths()).toEqual({ queue: 2, dlq: 1 });
  });
});
