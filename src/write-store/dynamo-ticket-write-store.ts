/*
 * The ticket event store on DynamoDB (dynalite by default). Two tables, named after DYNAMODB_TABLE_PREFIX:
 *
 *   <prefix>-seat-events   the event store, one stream per seat of an event
 *     streamId (partition) = `<eventId>#<zoneId>#<row>#<column>`      version (sort, number) = 1, 2, 3, ...
 *     item: { streamId, version, type: 'TicketReserved' | 'TicketCancelled', ticketId, data, recordedAt }
 *     Version 1 is the seat's owner: the first TicketReserved appended there wins the seat. Any other ticket
 *     for the seat is appended as a TicketCancelled (reason `SEAT_ALREADY_SOLD:<owner ticketId>`) at the next
 *     version. Every append is conditioned on `attribute_not_exists(streamId)` for its (streamId, version),
 *     so two writers never both append version N; the loser re-reads the stream and decides again. A writer
 *     appends at N only after reading versions 1..N-1, and items never change, so a stream has no gaps and
 *     holds each ticket at most once.
 *
 *   <prefix>-tickets       the write model TicketCreation, one item per ticket
 *     ticketId (partition); index `by-event`: eventId (partition), ticketId (sort), all attributes
 *     item: { ticketId, venueId, eventId, zoneId, row, column, price, status: 'RESERVED' | 'CANCELLED',
 *             createdOn, reason? }, derived from the ticket's stream item alone.
 *
 * Write order, for crash safety: the stream item first (conditional PutItem), then the TicketCreation (in a
 * BatchWriteItem: it needs no condition, since it is a pure function of the stream item, so rewriting it is
 * idempotent). A crash or a failure in between leaves a stream item without its TicketCreation; the
 * redelivery finds the ticket in the stream, writes the TicketCreation and reports the outcome then.
 *
 * Who reports STORED / CANCELLED: a call that appends the ticket, or that finds it in the stream without a
 * TicketCreation (the completion above). Every other delivery is DUPLICATE. Within one process, calls for
 * the same ticket run one after the other (an in-flight map), so a ticket is reported exactly once per
 * process; two processes holding copies of one ticket at the same moment may both report it (at least once).
 * A crash after the TicketCreation write but before the broker ack: the redelivery finds the TicketCreation
 * and answers DUPLICATE for an owner, CANCELLED again for a refused ticket (so its TicketCancelled is
 * published again; the read model applies it idempotently).
 *
 * dynalite has no TransactWriteItems, and the design does not need it: the seat stream is the arbiter.
 *
 * Items go through DynamoJsonClient (the four calls above, and the Queries of a seat stream and of the event
 * index), at a fifth of the SDK's CPU per call; tables are created through the SDK's document client.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { dynamoSetting, unreachable, type StoreSetting } from '../startup-failure';
import type { TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import { mapBounded } from './bounded-concurrency';
import { DYNAMODB, type DynamoClients } from './dynamodb.client';
import type { PersistOutcome } from './persist-outcome';
import type { SeatEvent, TicketCreation, TicketWriteStore } from './ticket-write-store.port';

type Item = Record<string, AttributeValue>;
type WriteRequest = { PutRequest: { Item: Item } };

export const EVENT_INDEX = 'by-event';

/**
 * Seats written at once per call. dynalite, one Node process, takes ~4.5k conditional PutItem/s here with 32
 * in flight and nothing else running; real DynamoDB scales with it (one seat stream is one partition key).
 */
const SEATS_IN_FLIGHT = 32;
/** BatchGetItem's and BatchWriteItem's limits. */
const BATCH_GET_SIZE = 100;
const BATCH_WRITE_SIZE = 25;
const BATCHES_IN_FLIGHT = 8;
/** Lost append races tolerated for one ticket before giving up (transient: the consumer retries). */
const MAX_APPEND_RACES = 25;
const MAX_UNPROCESSED_ROUNDS = 8;
const TABLE_ACTIVE_TIMEOUT_MS = 60_000;

export const seatStreamId = (eventId: string, zoneId: number, row: string, column: number): string =>
  `${eventId}#${zoneId}#${row}#${column}`;

export const seatAlreadySold = (ownerTicketId: string): string => `SEAT_ALREADY_SOLD:${ownerTicketId}`;

/** Thrown when DynamoDB keeps handing back unprocessed keys or items: throttling, so transient. */
export class UnprocessedRequestsError extends Error {
  override readonly name = 'UnprocessedRequestsError';
}

/** Thrown when one ticket keeps losing append races on its seat: transient, a redelivery settles it. */
export class SeatStreamContentionError extends Error {
  override readonly name = 'SeatStreamContentionError';
}

const isConditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const toItem = (value: object): Item => marshall(value, { removeUndefinedValues: true });

function creationOf(event: SeatEvent): TicketCreation {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = event.data;
  const ticket = { ticketId, venueId, eventId, zoneId, row, column, price, createdOn };
  return event.type === 'TicketReserved'
    ? { ...ticket, status: 'RESERVED' }
    : { ...ticket, status: 'CANCELLED', reason: event.data.reason, cancelledOn: event.data.cancelledOn };
}

function cancelledOutcomeOf(creation: TicketCreation): PersistOutcome {
  const { ticketId, venueId, eventId, zoneId, row, column, price, createdOn } = creation;
  const reason = creation.reason ?? 'CANCELLED';
  const cancelled = { ticketId, venueId, eventId, zoneId, row, column, price, createdOn, reason };
  return {
    ticketId,
    status: 'CANCELLED',
    reason,
    cancelled: { ...cancelled, cancelledOn: creation.cancelledOn ?? createdOn },
  };
}

function outcomeOf(event: SeatEvent): PersistOutcome {
  return event.type === 'TicketReserved'
    ? { ticketId: event.ticketId, status: 'STORED' }
    : { ticketId: event.ticketId, status: 'CANCELLED', reason: event.data.reason, cancelled: event.data };
}

@Injectable()
export class DynamoTicketWriteStore implements TicketWriteStore, OnModuleInit {
  readonly seatEventsTable: string;
  readonly ticketsTable: string;
  /** The setting an operator fixes when the tables cannot be reached. */
  private readonly setting: StoreSetting;
  /** Ticket id -> the call of this process persisting it (settles, never rejects). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    @Inject(DYNAMODB) private readonly db: DynamoClients,
    @Inject(APP_CONFIG)
    config: Pick<AppConfig, 'DYNAMODB_TABLE_PREFIX'> &
      Partial<Pick<AppConfig, 'DYNAMODB_ENDPOINT' | 'DYNAMODB_REGION'>>,
  ) {
    this.setting = dynamoSetting(config.DYNAMODB_ENDPOINT !== undefined || config.DYNAMODB_REGION === undefined);
    this.seatEventsTable = `${config.DYNAMODB_TABLE_PREFIX}-seat-events`;
    this.ticketsTable = `${config.DYNAMODB_TABLE_PREFIX}-tickets`;
  }

  async onModuleInit(): Promise<void> {
    try {
      await this.ensureTables();
    } catch (error) {
      // The SDK's network errors do not say where they were going; an operator needs to know, and what to set.
      throw unreachable(this.setting, this.db.endpoint, error);
    }
  }

  async ensureTables(): Promise<void> {
    // allSettled: a failure must not return while the other table's call is still retrying.
    const results = await Promise.allSettled([
      this.createTable({
        TableName: this.seatEventsTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'streamId', AttributeType: 'S' },
          { AttributeName: 'version', AttributeType: 'N' },
        ],
        KeySchema: [
          { AttributeName: 'streamId', KeyType: 'HASH' },
          { AttributeName: 'version', KeyType: 'RANGE' },
        ],
      }),
      this.createTable({
        TableName: this.ticketsTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'ticketId', AttributeType: 'S' },
          { AttributeName: 'eventId', AttributeType: 'S' },
        ],
        KeySchema: [{ AttributeName: 'ticketId', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: EVENT_INDEX,
            KeySchema: [
              { AttributeName: 'eventId', KeyType: 'HASH' },
              { AttributeName: 'ticketId', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
      }),
    ]);
    for (const result of results) if (result.status === 'rejected') throw result.reason;
  }

  async persist(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]> {
    if (tickets.length === 0) return [];
    const ticketIds = [...new Set(tickets.map((t) => t.ticketId))];
    // Wait out other calls of this process holding one of these tickets, then claim them all at once
    // (no await between the last check and the claim): a call holds claims only while it does not wait,
    // so calls cannot wait for each other in a circle.
    for (;;) {
      const busy = ticketIds.flatMap((id) => this.inFlight.get(id) ?? []);
      if (busy.length === 0) break;
      await Promise.allSettled(busy);
    }
    const work = this.persistClaimed(tickets, ticketIds);
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    for (const id of ticketIds) this.inFlight.set(id, settled);
    try {
      return await work;
    } finally {
      for (const id of ticketIds) if (this.inFlight.get(id) === settled) this.inFlight.delete(id);
    }
  }

  async listEventTickets(eventId: string): Promise<TicketCreation[]> {
    return this.queryAll<TicketCreation>({
      TableName: this.ticketsTable,
      IndexName: EVENT_INDEX,
      KeyConditionExpression: 'eventId = :eventId',
      ExpressionAttributeValues: { ':eventId': { S: eventId } },
    });
  }

  readSeatStream(eventId: string, zoneId: number, row: string, column: number): Promise<SeatEvent[]> {
    return this.readStream(seatStreamId(eventId, zoneId, row, column));
  }

  private async persistClaimed(tickets: readonly TicketReservedData[], ticketIds: string[]): Promise<PersistOutcome[]> {
    const recorded = await this.recordedTicketIds(ticketIds);
    const outcomes = new Array<PersistOutcome>(tickets.length);

    // One seat's tickets go in input order, one after another: within a batch the first one wins a free
    // seat, and the next ones start from the stream state already known instead of losing a race to it.
    const bySeat = new Map<string, number[]>();
    tickets.forEach((ticket, index) => {
      const known = recorded.get(ticket.ticketId);
      if (known !== undefined) {
        // A refused ticket is reported as CANCELLED on every delivery: the batch that first refused it may
        // have died before its TicketCancelled reached the broker, and downstream applies it idempotently.
        outcomes[index] =
          known.status === 'CANCELLED' ? cancelledOutcomeOf(known) : { ticketId: ticket.ticketId, status: 'DUPLICATE' };
        return;
      }
      const streamId = seatStreamId(ticket.eventId, ticket.zoneId, ticket.row, ticket.column);
      const seat = bySeat.get(streamId);
      if (seat === undefined) bySeat.set(streamId, [index]);
      else seat.push(index);
    });

    const creations = new Map<string, TicketCreation>();
    await mapBounded([...bySeat.entries()], SEATS_IN_FLIGHT, async ([streamId, indexes]) => {
      let stream: SeatEvent[] | undefined;
      for (const index of indexes) {
        const ticket = tickets[index]!;
        if (creations.has(ticket.ticketId)) {
          outcomes[index] = { ticketId: ticket.ticketId, status: 'DUPLICATE' };
          continue;
        }
        const found = await this.appendToSeat(streamId, ticket, stream);
        stream = found.stream;
        creations.set(ticket.ticketId, creationOf(found.event));
        outcomes[index] = outcomeOf(found.event);
      }
    });
    // Only once this write has landed are the outcomes final; if it fails the caller retries, and the
    // retry finds the stream items without their TicketCreation and reports them.
    await this.batchPut(this.ticketsTable, [...creations.values()]);
    return outcomes;
  }

  /**
   * Finds the ticket in its seat stream or appends it: at version 1 as the owner, else as a TicketCancelled
   * at the next version. `known` is the stream as this call last saw it; unknown means "try version 1
   * blind", the cheapest path for the common case of a free seat.
   */
  private async appendToSeat(
    streamId: string,
    ticket: TicketReservedData,
    known: SeatEvent[] | undefined,
  ): Promise<{ event: SeatEvent; stream: SeatEvent[] }> {
    let stream = known ?? [];
    for (let race = 0; race < MAX_APPEND_RACES; race++) {
      const mine = stream.find((e) => e.ticketId === ticket.ticketId);
      if (mine !== undefined) return { event: mine, stream };
      const event = this.nextEvent(streamId, ticket, stream);
      try {
        await this.db.json.call('PutItem', {
          TableName: this.seatEventsTable,
          Item: toItem(event),
          ConditionExpression: 'attribute_not_exists(streamId)',
        });
        return { event, stream: [...stream, event] };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        stream = await this.readStream(streamId);
      }
    }
    throw new SeatStreamContentionError(`seat stream ${streamId}: lost ${MAX_APPEND_RACES} append races in a row`);
  }

  private nextEvent(streamId: string, ticket: TicketReservedData, stream: SeatEvent[]): SeatEvent {
    const recordedAt = new Date().toISOString();
    const owner = stream[0];
    if (owner === undefined) {
      return { streamId, version: 1, type: 'TicketReserved', ticketId: ticket.ticketId, data: ticket, recordedAt };
    }
    const cancelled: TicketCancelledData = {
      ...ticket,
      reason: seatAlreadySold(owner.ticketId),
      cancelledOn: recordedAt,
    };
    return {
      streamId,
      version: stream.length + 1,
      type: 'TicketCancelled',
      ticketId: ticket.ticketId,
      data: cancelled,
      recordedAt,
    };
  }

  /** BatchWriteItem in chunks of 25, retrying what DynamoDB hands back unprocessed (throttling). */
  private async batchPut(table: string, items: object[]): Promise<void> {
    const chunks: object[][] = [];
    for (let i = 0; i < items.length; i += BATCH_WRITE_SIZE) chunks.push(items.slice(i, i + BATCH_WRITE_SIZE));
    await mapBounded(chunks, BATCHES_IN_FLIGHT, async (chunk) => {
      let requests: WriteRequest[] = chunk.map((item) => ({ PutRequest: { Item: toItem(item) } }));
      for (let round = 0; requests.length > 0; round++) {
        if (round === MAX_UNPROCESSED_ROUNDS) {
          throw new UnprocessedRequestsError(
            `${requests.length} writes to ${table} still unprocessed after ${round} rounds`,
          );
        }
        if (round > 0) await sleep(Math.min(25 * 2 ** round, 1000));
        const reply = await this.db.json.call<{ UnprocessedItems?: Record<string, WriteRequest[]> }>('BatchWriteItem', {
          RequestItems: { [table]: requests },
        });
        requests = reply.UnprocessedItems?.[table] ?? [];
      }
    });
  }

  /** The tickets that already have a TicketCreation: the redelivery fast path, no conditional write. */
  private async recordedTicketIds(ticketIds: string[]): Promise<Map<string, TicketCreation>> {
    const unique = [...new Set(ticketIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_SIZE) chunks.push(unique.slice(i, i + BATCH_GET_SIZE));
    const found = new Map<string, TicketCreation>();
    await mapBounded(chunks, BATCHES_IN_FLIGHT, async (chunk) => {
      let keys: Item[] = chunk.map((ticketId) => ({ ticketId: { S: ticketId } }));
      for (let round = 0; keys.length > 0; round++) {
        if (round === MAX_UNPROCESSED_ROUNDS) {
          throw new UnprocessedRequestsError(`${keys.length} ticket reads still unprocessed after ${round} rounds`);
        }
        if (round > 0) await sleep(Math.min(25 * 2 ** round, 1000));
        const reply = await this.db.json.call<{
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys: Item[] }>;
        }>('BatchGetItem', { RequestItems: { [this.ticketsTable]: { Keys: keys, ConsistentRead: true } } });
        for (const item of reply.Responses?.[this.ticketsTable] ?? []) {
          const creation = unmarshall(item) as TicketCreation;
          found.set(creation.ticketId, creation);
        }
        keys = reply.UnprocessedKeys?.[this.ticketsTable]?.Keys ?? [];
      }
    });
    return found;
  }

  private readStream(streamId: string): Promise<SeatEvent[]> {
    return this.queryAll<SeatEvent>({
      TableName: this.seatEventsTable,
      KeyConditionExpression: 'streamId = :streamId',
      ExpressionAttributeValues: { ':streamId': { S: streamId } },
      ConsistentRead: true,
    });
  }

  /** Every page of a Query (a page holds up to 1 MB), its items unmarshalled. */
  private async queryAll<T>(input: object): Promise<T[]> {
    const items: T[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.db.json.call<{ Items?: Item[]; LastEvaluatedKey?: Item }>('Query', {
        ...input,
        ...(startKey !== undefined && { ExclusiveStartKey: startKey }),
      });
      for (const item of page.Items ?? []) items.push(unmarshall(item) as T);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return items;
  }

  private async createTable(input: ConstructorParameters<typeof CreateTableCommand>[0]): Promise<void> {
    try {
      await this.db.document.send(new CreateTableCommand(input));
    } catch (error) {
      // Another instance (or an earlier start) created it: fine, wait for it like for our own.
      const exists =
        error instanceof ResourceInUseException || (error instanceof Error && error.name === 'ResourceInUseException');
      if (!exists) throw error;
    }
    const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
    for (;;) {
      const { Table } = await this.db.document.send(new DescribeTableCommand({ TableName: input.TableName }));
      const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE');
      if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
      if (Date.now() > deadline)
        throw new Error(`table ${input.TableName} not ACTIVE after ${TABLE_ACTIVE_TIMEOUT_MS} ms`);
      await sleep(200);
    }
  }
}
