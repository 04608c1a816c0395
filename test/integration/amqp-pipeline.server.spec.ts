import 'reflect-metadata';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { ticketMessageJson } from '../../src/messaging/ticket-message';
import { deadLetterQueueOf } from '../../src/messaging/topology';
import { AmqpPipelineServer } from '../../src/worker/amqp-pipeline.server';
import { PipelineErrorsFilter } from '../../src/worker/pipeline-errors.filter';
import { ITEM_OK, type PipelineItemResult } from '../../src/worker/pipeline-item-result';
import { waitFor } from '../support/queue-reader';
import { freshEventId, testConfig, testTopology } from '../support/test-config';

const TRANSPORT = Symbol('test-pipeline');
const config = testConfig();
const topology = testTopology();
const QUEUE = topology.pipelines.writeStore;

interface Item {
  runId: string;
  n: number;
  behaviour?: 'reject' | 'poison';
}

/** What the handler under test saw, and how it should behave. */
const seen = { batches: [] as Item[][], handled: new Map<number, number>(), outageUntil: 0, runId: '' };

@Controller()
class RecordingHandler {
  @EventPattern('TestItem', TRANSPORT)
  handle(@Payload() items: Item[]): PipelineItemResult[] {
    const mine = items.filter((i) => i.runId === seen.runId);
    if (Date.now() < seen.outageUntil) throw new Error('connect ECONNREFUSED 127.0.0.1:9 (simulated outage)');
    if (mine.some((i) => i.behaviour === 'poison')) throw new Error('cannot handle this batch');
    seen.batches.push(mine);
    return items.map((i) => {
      if (i.runId !== seen.runId) return ITEM_OK;
      seen.handled.set(i.n, (seen.handled.get(i.n) ?? 0) + 1);
      return i.behaviour === 'reject' ? { ok: false, reason: `item ${i.n} refused` } : ITEM_OK;
    });
  }
}

@Module({ controllers: [RecordingHandler] })
class TestPipelineModule {}

describe('AmqpPipelineServer (worker transport) on the real broker', () => {
  let app: INestApplication;
  let server: AmqpPipelineServer;
  let connection: ChannelModel;
  let channel: Channel;
  let confirm: ConfirmChannel;

  /** Straight to the pipeline's queue: through the fanout exchange the read-model queue would get them too. */
  async function send(messages: { body: string; messageId: string }[]): Promise<void> {
    for (const m of messages)
      confirm.sendToQueue(QUEUE, Buffer.from(m.body), { persistent: true, messageId: m.messageId });
    await confirm.waitForConfirms();
  }

  beforeAll(async () => {
    app = await NestFactory.create(TestPipelineModule, new FastifyAdapter(), { logger: ['error'] });
    server = new AmqpPipelineServer({
      url: config.AMQP_URL,
      topology,
      queue: QUEUE,
      transportId: TRANSPORT,
      prefetch: 200,
      batchSize: 50,
      lingerMs: 10,
      maxAttempts: 3,
    });
    app.useGlobalFilters(new PipelineErrorsFilter());
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    connection = await connect(config.AMQP_URL);
    channel = await connection.createChannel();
    confirm = await connection.createConfirmChannel();
  });
  afterAll(async () => {
    await app.close();
    await connection.close();
  });
  beforeEach(() => {
    seen.runId = freshEventId('pipe');
    seen.batches = [];
    seen.handled = new Map();
    seen.outageUntil = 0;
  });

  const message = (items: Partial<Item>[], pattern = 'TestItem') => ({
    messageId: `${seen.runId}-${items[0]?.n}`,
    type: pattern,
    body: ticketMessageJson(
      pattern,
      items.map((i) => JSON.stringify({ runId: seen.runId, ...i })),
    ),
  });

  /** Dead letters of this run, with their reason header. */
  async function deadLetters(): Promise<{ reason: string; body: string }[]> {
    const found: { reason: string; body: string }[] = [];
    for (;;) {
      const letter = await channel.get(deadLetterQueueOf(QUEUE), { noAck: true });
      if (letter === false) return found;
      const body = letter.content.toString();
      if (body.includes(seen.runId))
        found.push({ reason: String(letter.properties.headers?.['x-failure-reason']), body });
    }
  }

  it('handles every item once, in batches spanning messages, and acknowledges them', async () => {
    const messages = Array.from({ length: 40 }, (_, m) =>
      message(Array.from({ length: 10 }, (_, i) => ({ n: m * 10 + i }))),
    );
    await send(messages);
    await waitFor(() => seen.handled.size === 400, 20_000, '400 items');
    await new Promise((r) => setTimeout(r, 200));
    expect([...seen.handled.values()].every((count) => count === 1)).toBe(true);
    expect(Math.max(...seen.batches.map((b) => b.length))).toBeGreaterThan(10);
    const queue = await channel.checkQueue(QUEUE);
    expect(queue.messageCount).toBe(0);
  });

  it('dead-letters a malformed message with the reason, and the queue keeps flowing', async () => {
    channel.sendToQueue(QUEUE, Buffer.from(`not json ${seen.runId}`), { persistent: true });
    channel.sendToQueue(QUEUE, Buffer.from(JSON.stringify({ pattern: 'TestItem', data: seen.runId })));
    await send([message([{ n: 1 }, { n: 2 }])]);
    await waitFor(() => seen.handled.size === 2, 20_000, 'the good message');
    let letters: { reason: string; body: string }[] = [];
    await waitFor(async () => (letters = [...letters, ...(await deadLetters())]).length >= 2, 10_000, 'dead letters');
    expect(letters.map((l) => l.reason).sort()).toEqual([
      'MALFORMED: body is not JSON',
      'MALFORMED: expected {pattern: string, data: non-empty array}',
    ]);
  });

  it('dead-letters only the items a handler refused', async () => {
    await send([message([{ n: 1 }, { n: 2, behaviour: 'reject' }, { n: 3 }])]);
    await waitFor(() => seen.handled.size === 3, 20_000, 'the batch');
    let letters: { reason: string; body: string }[] = [];
    await waitFor(async () => (letters = [...letters, ...(await deadLetters())]).length >= 1, 10_000, 'a dead letter');
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toBe('REJECTED: item 2 refused');
    expect(JSON.parse(letters[0]!.body).data).toEqual([expect.objectContaining({ n: 2 })]);
  });

  it('isolates a poison message after the attempts run out; its batch-mates are handled', async () => {
    await send([message([{ n: 1 }]), message([{ n: 2, behaviour: 'poison' }]), message([{ n: 3 }])]);
    let letters: { reason: string; body: string }[] = [];
    await waitFor(async () => (letters = [...letters, ...(await deadLetters())]).length >= 1, 30_000, 'the poison');
    await waitFor(() => seen.handled.size === 2, 10_000, 'the others');
    expect([...seen.handled.keys()].sort()).toEqual([1, 3]);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/^FAILED after 3 attempts: cannot handle this batch/);
  });

  it('retries through a store outage longer than the attempt limit and dead-letters nothing', async () => {
    seen.outageUntil = Date.now() + 3000;
    await send([message([{ n: 1 }, { n: 2 }])]);
    await waitFor(() => seen.handled.size === 2, 30_000, 'the batch after the outage');
    expect(await deadLetters()).toEqual([]);
  });
});
