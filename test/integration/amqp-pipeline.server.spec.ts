import 'reflect-metadata';
import { Controller, Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventPattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { connect, type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import fc from 'fast-check';
import { z } from 'zod';
import { ticketMessageJson } from '../../src/platform/amqp/ticket-message';
import { deadLetterQueueOf } from '../../src/platform/amqp/topology';
import { AmqpPipelineServer, DEFAULT_MAX_MESSAGE_BYTES } from '../../src/platform/amqp/amqp-pipeline.server';
import { AMQP_CONNECTION_NAMES } from '../../src/platform/amqp/amqp-connection.factory';
import { PipelineErrorsFilter } from '../../src/platform/amqp/pipeline-errors.filter';
import { ITEM_OK, type PipelineItemResult } from '../../src/platform/amqp/pipeline-item-result';
import { waitFor } from '../support/queue-reader';
import { freshEventId, testConfig, testTopology } from '../support/test-config';
import { sleep } from '../support/time';

const TRANSPORT = Symbol('test-pipeline');
const config = testConfig();
const topology = testTopology();
const QUEUE = topology.pipelines.writeStore;
/** Small, so oversized messages are cheap to send; the production default is DEFAULT_MAX_MESSAGE_BYTES. */
const MAX_MESSAGE_BYTES = 64 * 1024;

interface Item {
  runId: string;
  n: number;
  behaviour?: 'reject' | 'poison';
}

/** What the handler under test saw, and how it should behave. */
const seen = { batches: [] as Item[][], handled: new Map<number, number>(), outageUntil: 0, poison: false, runId: '' };

@Controller()
class RecordingHandler {
  @EventPattern('TestItem', TRANSPORT)
  handle(@Payload() items: Item[]): PipelineItemResult[] {
    const mine = items.filter((i) => i.runId === seen.runId);
    if (Date.now() < seen.outageUntil) throw new Error('connect ECONNREFUSED 127.0.0.1:9 (simulated outage)');
    if (seen.poison && mine.some((i) => i.behaviour === 'poison')) throw new Error('cannot handle this batch');
    seen.batches.push(mine);
    return items.map((i) => {
      if (i.runId !== seen.runId) return ITEM_OK;
      seen.handled.set(i.n, (seen.handled.get(i.n) ?? 0) + 1);
      return i.behaviour === 'reject' ? { ok: false, reason: `item ${i.n} refused` } : ITEM_OK;
    });
  }
}

/** What the fuzz run's handler accepted: `<message>:<item>` keys of well-formed items. */
const fuzzSeen = new Set<string>();
const fuzzItem = z.strictObject({ fuzz: z.string(), m: z.number().int(), i: z.number().int() });

@Controller()
class FuzzHandler {
  /** Like the real pipelines: each item is validated, the ones that are not fuzz items are refused. */
  @EventPattern('FuzzItem', TRANSPORT)
  handle(@Payload() items: unknown[]): PipelineItemResult[] {
    return items.map((item) => {
      const parsed = fuzzItem.safeParse(item);
      if (!parsed.success) return { ok: false, reason: 'not a fuzz item' };
      fuzzSeen.add(`${parsed.data.fuzz}:${parsed.data.m}:${parsed.data.i}`);
      return ITEM_OK;
    });
  }
}

@Module({ controllers: [RecordingHandler, FuzzHandler] })
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
      connectionName: AMQP_CONNECTION_NAMES.writeStorePipeline,
      topology,
      queue: QUEUE,
      transportId: TRANSPORT,
      prefetch: 200,
      batchSize: 50,
      lingerMs: 10,
      maxAttempts: 3,
      maxRetryDelayMs: 1000,
      maxMessageBytes: MAX_MESSAGE_BYTES,
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
    seen.poison = false;
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
    await sleep(200);
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

  it('retries a message whose handler fails with an unknown error until it succeeds: batch-mates handled meanwhile, nothing dead-lettered', async () => {
    seen.poison = true;
    await send([message([{ n: 1 }]), message([{ n: 2, behaviour: 'poison' }]), message([{ n: 3 }])]);
    // After the attempts at the whole batch, it is retried message by message.
    await waitFor(() => seen.handled.has(1) && seen.handled.has(3), 30_000, 'the batch-mates');
    expect(seen.handled.has(2)).toBe(false);
    expect(await deadLetters()).toEqual([]);
    seen.poison = false;
    await waitFor(() => seen.handled.has(2), 30_000, 'the failing message once its error stops');
    expect([...seen.handled.values()]).toEqual([1, 1, 1]);
    expect(await deadLetters()).toEqual([]);
    await waitFor(async () => (await channel.checkQueue(QUEUE)).messageCount === 0, 10_000, 'the acks');
  });

  it('retries through a store outage longer than the attempt limit and dead-letters nothing', async () => {
    seen.outageUntil = Date.now() + 3000;
    await send([message([{ n: 1 }, { n: 2 }])]);
    await waitFor(() => seen.handled.size === 2, 30_000, 'the batch after the outage');
    expect(await deadLetters()).toEqual([]);
  });

  /** Dead letters of this run by message id (any body, even bytes that are not text), with their reason. */
  async function deadLettersById(prefix: string): Promise<Map<string, { reason: unknown; body: Buffer }>> {
    const found = new Map<string, { reason: unknown; body: Buffer }>();
    for (;;) {
      const letter = await channel.get(deadLetterQueueOf(QUEUE), { noAck: true });
      if (letter === false) return found;
      const id = String(letter.properties.messageId ?? '');
      if (id.startsWith(prefix))
        found.set(id, { reason: letter.properties.headers?.['x-failure-reason'], body: letter.content });
    }
  }

  /** A TestItem envelope padded (with a key the server ignores) to exactly `bytes` bytes. */
  const paddedEnvelope = (bytes: number, n: number): Buffer => {
    const base = JSON.stringify({ pattern: 'TestItem', data: [{ runId: seen.runId, n }], pad: '' });
    return Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - Buffer.byteLength(base))}"`));
  };

  it('dead-letters a message over maxMessageBytes unparsed, with OVERSIZED: <n> bytes; one at the limit is handled', async () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1_048_576);
    const prefix = `${seen.runId}-size-`;
    const atLimit = paddedEnvelope(MAX_MESSAGE_BYTES, 1);
    const over = paddedEnvelope(MAX_MESSAGE_BYTES + 1, 2);
    const garbage = Buffer.alloc(3 * MAX_MESSAGE_BYTES, 0xff); // not JSON either: the size is checked first
    expect([atLimit.length, over.length]).toEqual([MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES + 1]);
    for (const [name, body] of [
      ['at-limit', atLimit],
      ['over', over],
      ['garbage', garbage],
    ] as const)
      confirm.sendToQueue(QUEUE, body, { persistent: true, messageId: `${prefix}${name}` });
    await confirm.waitForConfirms();
    await waitFor(() => seen.handled.has(1), 20_000, 'the message at the limit');
    const letters = new Map<string, { reason: unknown; body: Buffer }>();
    await waitFor(
      async () => {
        for (const [id, letter] of await deadLettersById(prefix)) letters.set(id, letter);
        return letters.size >= 2;
      },
      10_000,
      'two dead letters',
    );
    expect(seen.handled.has(2)).toBe(false);
    expect([...letters.keys()].sort()).toEqual([`${prefix}garbage`, `${prefix}over`]);
    expect(letters.get(`${prefix}over`)!.reason).toBe(`OVERSIZED: ${MAX_MESSAGE_BYTES + 1} bytes`);
    expect(letters.get(`${prefix}garbage`)!.reason).toBe(`OVERSIZED: ${3 * MAX_MESSAGE_BYTES} bytes`);
    expect(letters.get(`${prefix}over`)!.body.equals(over)).toBe(true);
  });

  it('fuzz: every message, whatever its bytes, is handled or dead-lettered with a reason, and the queue keeps flowing', async () => {
    type Outcome = { deadLetter?: string; handled: string[] };
    /** The pipeline's contract, stated independently of its code: what must become of a message. */
    const expected = (content: Buffer): Outcome => {
      if (content.length > MAX_MESSAGE_BYTES) return { deadLetter: `OVERSIZED: ${content.length} bytes`, handled: [] };
      let envelope: { pattern?: unknown; data?: unknown } | null;
      try {
        envelope = JSON.parse(content.toString('utf8'));
      } catch {
        return { deadLetter: 'MALFORMED: body is not JSON', handled: [] };
      }
      if (typeof envelope?.pattern !== 'string' || !Array.isArray(envelope.data) || envelope.data.length === 0)
        return { deadLetter: 'MALFORMED: expected {pattern: string, data: non-empty array}', handled: [] };
      // Which pattern names a handler is Nest's routing (a JSON-quoted "FuzzItem" does, for one).
      if (server.getHandlerByPattern(envelope.pattern) === null)
        return { deadLetter: `UNKNOWN_PATTERN: no handler for ${envelope.pattern}`, handled: [] };
      const items = envelope.data.map((item) => fuzzItem.safeParse(item));
      const handled = items.flatMap((item) =>
        item.success ? [`${item.data.fuzz}:${item.data.m}:${item.data.i}`] : [],
      );
      return items.every((item) => item.success) ? { handled } : { deadLetter: 'REJECTED: not a fuzz item', handled };
    };

    const OK_ITEM = undefined; // a slot filled with a well-formed fuzz item once the message has its number
    const envelope = fc.record({
      pattern: fc.oneof(
        { weight: 6, arbitrary: fc.constant('FuzzItem') },
        fc.constantFrom(
          '"FuzzItem"',
          ' FuzzItem',
          'fuzzitem',
          '',
          'TicketReserved',
          '{"cmd":"FuzzItem"}',
          '__proto__',
          'null',
        ),
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.jsonValue({ maxDepth: 2 }),
      ),
      data: fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.constant(OK_ITEM), { minLength: 1, maxLength: 8 }) },
        {
          weight: 3,
          arbitrary: fc.array(fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: OK_ITEM, freq: 2 }), { maxLength: 8 }),
        },
        fc.jsonValue({ maxDepth: 3 }),
      ),
      extra: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      missing: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, fc.constantFrom('pattern', 'data')),
    });
    type Draft = (m: number) => Buffer;
    const draft: fc.Arbitrary<Draft> = fc.oneof(
      {
        weight: 10,
        arbitrary: envelope.map(({ pattern, data, extra, missing }) => (m: number) => {
          const filled = Array.isArray(data)
            ? (data as unknown[]).map((item, i) => (item === OK_ITEM ? { fuzz: seen.runId, m, i } : item))
            : data;
          const body: Record<string, unknown> = { ...extra, pattern, data: filled };
          if (missing !== undefined) delete body[missing];
          return Buffer.from(JSON.stringify(body));
        }),
      },
      fc.uint8Array({ maxLength: 500 }).map((bytes) => () => Buffer.from(bytes)),
      fc.string({ unit: 'binary', maxLength: 200 }).map((text) => () => Buffer.from(text)),
      fc.jsonValue({ maxDepth: 5 }).map((value) => () => Buffer.from(JSON.stringify(value))),
      fc.integer({ min: 1, max: 20_000 }).map((depth) => () => Buffer.from(`${'['.repeat(depth)}${']'.repeat(depth)}`)),
      fc.integer({ min: MAX_MESSAGE_BYTES - 2, max: MAX_MESSAGE_BYTES + 2 }).map((bytes) => (m: number) => {
        const base = JSON.stringify({ pattern: 'FuzzItem', data: [{ fuzz: seen.runId, m, i: 0 }], pad: '' });
        return Buffer.from(base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - Buffer.byteLength(base))}"`));
      }),
    );

    /** AMQP header strings are UTF-8 on the wire: a lone surrogate comes back as U+FFFD. */
    const asOnTheWire = (text: string) => Buffer.from(text.slice(0, 1000), 'utf8').toString('utf8');
    let sent = 0;
    let deadLettered = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(draft, { minLength: 1, maxLength: 8 }), async (drafts) => {
        const prefix = `${seen.runId}-fz${run++}-`;
        const messages = drafts.map((make, m) => {
          const content = make(m);
          return { id: `${prefix}${m}`, content, outcome: expected(content) };
        });
        for (const { id, content } of messages)
          confirm.sendToQueue(QUEUE, content, { persistent: true, messageId: id });
        await confirm.waitForConfirms();
        sent += messages.length;
        const wanted = messages.filter((message) => message.outcome.deadLetter !== undefined);
        const letters = new Map<string, { reason: unknown; body: Buffer }>();
        await waitFor(
          async () => {
            for (const [id, letter] of await deadLettersById(prefix)) letters.set(id, letter);
            return (
              letters.size >= wanted.length &&
              messages.every((message) => message.outcome.handled.every((key) => fuzzSeen.has(key)))
            );
          },
          20_000,
          `the outcome of ${messages.length} messages`,
        );
        await sleep(30); // a stray dead letter would show up by now
        for (const [id, letter] of await deadLettersById(prefix)) letters.set(id, letter);
        deadLettered += letters.size;
        const reasons = Object.fromEntries([...letters].map(([id, letter]) => [id, letter.reason]));
        expect(reasons).toEqual(
          Object.fromEntries(wanted.map((message) => [message.id, asOnTheWire(message.outcome.deadLetter!)])),
        );
      }),
      { numRuns: 40 },
    );
    console.log(`pipeline fuzz: ${sent} messages sent, ${deadLettered} dead-lettered with a reason, the rest handled`);

    // Still consuming, in order, after all that.
    seen.runId = freshEventId('pipe-after-fuzz');
    await send([message([{ n: 1 }, { n: 2 }])]);
    await waitFor(() => seen.handled.size === 2, 20_000, 'a good message after the fuzz');
    expect(server.consuming).toBe(true);
    expect((await channel.checkQueue(QUEUE)).messageCount).toBe(0);
  });
});
