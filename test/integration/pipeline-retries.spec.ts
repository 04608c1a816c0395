import 'reflect-metadata';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { connect, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { AmqpPublisher } from '../../src/platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../../src/platform/amqp/ticket-message';
import { deadLetterQueueOf } from '../../src/platform/amqp/topology';
import { AMQP_PUBLISHER } from '../../src/purchasing/outbox/outbox-relay';
import type { TicketRefundedData } from '../../src/purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';
import { TicketReservedEvent } from '../../src/purchasing/ticket-reserved.event';
import { AmqpPipelineServer } from '../../src/platform/amqp/amqp-pipeline.server';
import { AMQP_CONNECTION_NAMES } from '../../src/platform/amqp/amqp-connection.factory';
import { PipelineErrorsFilter } from '../../src/platform/amqp/pipeline-errors.filter';
import { WRITE_STORE_PIPELINE } from '../../src/platform/amqp/pipeline-transports';
import { WriteStorePipelineController } from '../../src/worker/write-store.pipeline.controller';
import { DynamoServiceError } from '../../src/write-store/dynamo-json.client';
import type { PersistOutcome, RefundOutcome } from '../../src/write-store/persist-outcome';
import {
  TICKET_WRITE_STORE,
  type RefundLedger,
  type SeatEvent,
  type TicketCreation,
  type TicketWriteStore,
} from '../../src/write-store/ticket-write-store.port';
import { TestDynamo } from '../support/dynalite';
import { reservedTicket } from '../support/tickets';
import { waitFor } from '../support/queue-reader';
import { freshEventId, testConfig, testTopology } from '../support/test-config';

/**
 * The real dynalite store behind a wrapper whose only job is to make `persist` fail with a chosen error the
 * next `failures` times: errors a store raises that say nothing about the ticket (expired credentials, an
 * access check failing while the credential provider refreshes, a database in read-only mode after a
 * failover) must be retried, not dead-lettered.
 */
class FailingStore implements TicketWriteStore {
  failures = 0;
  error: () => Error = () => new Error('unset');
  calls = 0;

  constructor(private readonly store: TicketWriteStore) {}

  ensureTables(): Promise<void> {
    return this.store.ensureTables();
  }
  persist(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]> {
    this.calls++;
    if (this.failures > 0) {
      this.failures--;
      return Promise.reject(this.error());
    }
    return this.store.persist(tickets);
  }
  persistRefunds(refunds: readonly TicketRefundedData[]): Promise<RefundOutcome[]> {
    return this.store.persistRefunds(refunds);
  }
  useRefundLedger(ledger: RefundLedger): void {
    this.store.useRefundLedger(ledger);
  }
  listEventTickets(eventId: string): Promise<TicketCreation[]> {
    return this.store.listEventTickets(eventId);
  }
  readSeatStream(eventId: string, zoneId: number, row: string, column: number): Promise<SeatEvent[]> {
    return this.store.readSeatStream(eventId, zoneId, row, column);
  }
}

const config = testConfig();
const topology = testTopology();
const QUEUE = topology.pipelines.writeStore;

describe('write-store pipeline: a store error that is not the ticket fault is retried, never dead-lettered', () => {
  let dynamo: TestDynamo;
  let store: FailingStore;
  let app: INestApplication;
  let server: AmqpPipelineServer;
  let publisher: AmqpPublisher;
  let connection: ChannelModel;
  let confirm: ConfirmChannel;
  const retries: string[] = [];

  beforeAll(async () => {
    dynamo = await TestDynamo.start();
    store = new FailingStore(await dynamo.freshStore());
    publisher = new AmqpPublisher(config.AMQP_URL, topology, AMQP_CONNECTION_NAMES.workerPublisher);
    @Module({
      controllers: [WriteStorePipelineController],
      providers: [
        { provide: TICKET_WRITE_STORE, useValue: store },
        { provide: AMQP_PUBLISHER, useValue: publisher },
      ],
    })
    class TestWriteStoreModule {}
    app = await NestFactory.create(TestWriteStoreModule, new FastifyAdapter(), { logger: ['error'] });
    server = new AmqpPipelineServer({
      url: config.AMQP_URL,
      connectionName: AMQP_CONNECTION_NAMES.writeStorePipeline,
      topology,
      queue: QUEUE,
      transportId: WRITE_STORE_PIPELINE,
      prefetch: 50,
      batchSize: 50,
      lingerMs: 10,
      maxAttempts: 3,
      maxRetryDelayMs: 500,
      onRetry: (reason) => retries.push(reason),
    });
    app.useGlobalFilters(new PipelineErrorsFilter());
    app.connectMicroservice({ strategy: server }, { inheritAppConfig: true });
    await app.startAllMicroservices();
    await app.init();
    connection = await connect(config.AMQP_URL);
    confirm = await connection.createConfirmChannel();
  });
  afterAll(async () => {
    await app.close();
    await publisher.close();
    await connection.close();
    await dynamo.close();
  });
  beforeEach(() => {
    retries.length = 0;
  });

  async function send(tickets: TicketReservedData[]): Promise<void> {
    confirm.sendToQueue(
      QUEUE,
      Buffer.from(
        ticketMessageJson(
          TicketReservedEvent.type,
          tickets.map((t) => JSON.stringify(t)),
        ),
      ),
      { persistent: true, messageId: tickets[0]!.ticketId },
    );
    await confirm.waitForConfirms();
  }

  /** Dead letters naming the event (taken off the queue: each test has its own event). */
  async function deadLettersOf(eventId: string): Promise<string[]> {
    const channel = await connection.createChannel();
    const found: string[] = [];
    try {
      for (;;) {
        const letter = await channel.get(deadLetterQueueOf(QUEUE), { noAck: true });
        if (letter === false) return found;
        const body = letter.content.toString();
        if (body.includes(eventId)) found.push(String(letter.properties.headers?.['x-failure-reason']));
      }
    } finally {
      await channel.close();
    }
  }

  const cases: [string, string, () => Error][] = [
    [
      'DynamoDB AccessDeniedException (a credential provider blip)',
      'AccessDeniedException',
      () => new DynamoServiceError('AccessDeniedException', 'User is not authorized to perform: dynamodb:PutItem', 400),
    ],
    [
      'expired AWS credentials',
      'ExpiredTokenException',
      () =>
        new DynamoServiceError('ExpiredTokenException', 'The security token included in the request is expired', 400),
    ],
    [
      'MySQL read-only after a failover',
      'ER_OPTION_PREVENTS_STATEMENT',
      () =>
        Object.assign(new Error('The MySQL server is running with the --read-only option'), {
          code: 'ER_OPTION_PREVENTS_STATEMENT',
        }),
    ],
    [
      'a server shutting down',
      'ER_SERVER_SHUTDOWN',
      () => Object.assign(new Error('Server shutdown in progress'), { code: 'ER_SERVER_SHUTDOWN' }),
    ],
  ];

  it.each(cases)(
    '%s: retried past the attempt limit; the ticket lands once, nothing dead-lettered',
    async (_, reason, error) => {
      const eventId = freshEventId('retry');
      const ticket = reservedTicket(eventId, { zoneId: 1, row: 'A', column: 1 });
      store.error = error;
      store.failures = 6; // more than maxAttempts (3): the old policy dead-lettered after the third
      const callsBefore = store.calls;

      await send([ticket]);
      await waitFor(async () => (await store.listEventTickets(eventId)).length === 1, 20_000, 'the ticket in DynamoDB');

      expect(store.calls - callsBefore).toBeGreaterThanOrEqual(7);
      expect((await store.listEventTickets(eventId)).map((t) => [t.ticketId, t.status])).toEqual([
        [ticket.ticketId, 'RESERVED'],
      ]);
      await waitFor(async () => (await confirm.checkQueue(QUEUE)).messageCount === 0, 10_000, 'the ack');
      expect(await deadLettersOf(eventId)).toEqual([]);
      expect(retries.length).toBeGreaterThanOrEqual(6);
      expect(new Set(retries)).toEqual(new Set([reason]));
      expect(server.deadLettered).toBe(0);
    },
  );

  it('still dead-letters an item that is not a valid ticket (a permanent fault of the item), and stores its batch-mates', async () => {
    const eventId = freshEventId('retry-invalid');
    const good = reservedTicket(eventId, { zoneId: 1, row: 'A', column: 2 });
    const bad = { ...reservedTicket(eventId, { zoneId: 1, row: 'A', column: 3 }), price: 'free' };
    await send([good, bad as unknown as TicketReservedData]);
    await waitFor(async () => (await store.listEventTickets(eventId)).length === 1, 30_000, 'the good ticket');
    let letters: string[] = [];
    await waitFor(
      async () => (letters = [...letters, ...(await deadLettersOf(eventId))]).length >= 1,
      10_000,
      'a letter',
    );
    expect(letters).toEqual([expect.stringMatching(/^REJECTED: MALFORMED_ITEM: price/)]);
    expect(retries).toEqual([]);
  });
});
