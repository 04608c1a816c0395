/*
 * The ticket event store on DynamoDB (dynalite by default). Two tables, named after DYNAMODB_TABLE_PREFIX
 * (created by write-store-tables.ts):
 *
 *   <prefix>-seat-events   the event store, one stream per seat of an event (seat-event-appends.ts)
 *     streamId (partition) = `<eventId>#<zoneId>#<row>#<column>`      version (sort, number) = 1, 2, 3, ...
 *     item: { streamId, version, type: 'TicketReserved' | 'TicketCancelled' | 'TicketRefunded', ticketId, data,
 *             recordedAt }
 *     The stream is the seat's history, reserved -> refunded -> reserved (another ticket) -> ...: a TicketReserved
 *     appended on a free seat makes its ticket the owner, the owner's TicketRefunded frees the seat. Any other
 *     ticket for an owned seat is appended as a TicketCancelled (reason `SEAT_ALREADY_SOLD:<owner ticketId>`)
 *     at the next version; seat-stream.decider.ts makes every decision. Every append is conditioned on
 *     `attribute_not_exists(streamId)` for its (streamId, version), so two writers never both append version
 *     N; the loser re-reads the stream and decides again. A writer appends at N only after reading versions
 *     1..N-1, and items never change, so a stream has no gaps and holds each ticket's reservation (and its
 *     refund) at most once.
 *
 *   <prefix>-tickets       the write model TicketCreation (ticket-records.ts, laid out by ticket-record-items.ts)
 *     ticketId (partition); index `by-event`: eventId (partition), ticketId (sort), all attributes
 *     item: { ticketId, venueId, eventId, zoneId, row, column, price,
 *             status: 'RESERVED' | 'CANCELLED' | 'REFUNDED', createdOn, reason?, cancelledOn?, refundedOn? }
 *     A ticket item per ticket, from its reservation (RESERVED) or refusal (CANCELLED); a refunded ticket also
 *     has a refund item, ticketId `<ticketId>#refund`, holding its REFUNDED record (from the reservation and
 *     the refund). Each item is a pure function of one stream item and never changes, so writes derived from
 *     older reads of a stream, landing late, put the same content again: a RESERVED computed before the
 *     refund cannot hide the REFUNDED (the refund item wins when the records are read).
 *
 * Write order, for crash safety: the stream item first (conditional PutItem), then the TicketCreation's items
 * (in a BatchWriteItem: they need no condition, see above, so rewriting them is idempotent). A crash or a
 * failure in between leaves a stream item without its TicketCreation; the redelivery finds the ticket in the
 * stream, writes the TicketCreation and reports the outcome then.
 *
 * Who reports STORED / CANCELLED: a call that appends the ticket, or that finds it in the stream without a
 * TicketCreation (the completion above). Every other delivery is DUPLICATE. Within one process, calls for
 * the same ticket run one after the other (an in-flight map), so a ticket is reported exactly once per
 * process; two processes holding copies of one ticket at the same moment may both report it (at least once).
 * A crash after the TicketCreation write but before the broker ack: the redelivery finds the TicketCreation
 * and answers DUPLICATE for an owner, CANCELLED again for a refused ticket (so its TicketCancelled is
 * published again; the read model applies it idempotently).
 *
 * dynalite has no TransactWriteItems, and the design does not need it: the seat stream is the arbiter, and
 * no ticket item is ever replaced by a different one.
 *
 * Items go through the item client (DynamoJsonClient by default, the SDK with DYNAMODB_CLIENT=sdk; the four calls above, and the Queries of a seat stream and of the event
 * index), at a fifth of the SDK's CPU per call; tables are created through the SDK's document client.
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { dynamoSetting, printableTarget, unreachable, type StoreSetting } from '../platform/startup-failure';
import type { TicketRefundedData } from '../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import { mapBounded } from './bounded-concurrency';
import { DYNAMODB, type DynamoClients } from './dynamodb.client';
import type { PersistOutcome, RefundOutcome } from './persist-outcome';
import { SeatEventAppends } from './seat-event-appends';
import {
  creationOf,
  creationOnSeat,
  outcomeOf,
  redeliveryOutcomeOf,
  seatStreamId,
  type SeatState,
} from './seat-stream.decider';
import { TicketRecords } from './ticket-records';
import type { RefundLedger, SeatEvent, TicketCreation, TicketWriteStore } from './ticket-write-store.port';
import {
  ensureWriteStoreTables,
  missingWriteStoreTables,
  writeStoreTables,
  type WriteStoreTables,
} from './write-store-tables';

/**
 * Seats written at once per call. dynalite, one Node process, takes ~4.5k conditional PutItem/s here with 32
 * in flight and nothing else running; real DynamoDB scales with it (one seat stream is one partition key).
 */
const SEATS_IN_FLIGHT = 32;

@Injectable()
export class DynamoTicketWriteStore implements TicketWriteStore, OnModuleInit {
  readonly seatEventsTable: string;
  readonly ticketsTable: string;
  private readonly tables: WriteStoreTables;
  private appends: SeatEventAppends;
  private readonly records: TicketRecords;
  /** The setting an operator fixes when the tables cannot be reached. */
  private readonly setting: StoreSetting;
  /** On DYNAMODB_EMBEDDED's in-process dynalite: see onModuleInit. */
  private readonly embedded: boolean;
  /** Ticket id -> the call of this process persisting it (settles, never rejects). */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(
    @Inject(DYNAMODB) private readonly db: DynamoClients,
    @Inject(APP_CONFIG)
    config: Pick<AppConfig, 'DYNAMODB_TABLE_PREFIX'> &
      Partial<Pick<AppConfig, 'DYNAMODB_ENDPOINT' | 'DYNAMODB_REGION' | 'DYNAMODB_EMBEDDED'>>,
  ) {
    this.setting = dynamoSetting(config.DYNAMODB_ENDPOINT !== undefined || config.DYNAMODB_REGION === undefined);
    this.embedded = config.DYNAMODB_EMBEDDED === true && config.DYNAMODB_ENDPOINT === undefined;
    this.tables = writeStoreTables(config.DYNAMODB_TABLE_PREFIX);
    this.seatEventsTable = this.tables.seatEvents;
    this.ticketsTable = this.tables.tickets;
    this.appends = new SeatEventAppends(db.json, this.seatEventsTable);
    this.records = new TicketRecords(db.json, this.ticketsTable);
  }

  /**
   * The tables are the migrate step's (`npm run migrate`), as the read model's schema is: the worker checks
   * they are there and stops, naming them and the step, when they are not. An embedded dynalite lives in this
   * process's memory, where no step run before it can reach: there the store creates them itself.
   */
  async onModuleInit(): Promise<void> {
    let missing: string[];
    try {
      if (this.embedded) await this.ensureTables();
      missing = this.embedded ? [] : await missingWriteStoreTables(this.db.sdk, this.tables);
    } catch (error) {
      // The SDK's network errors do not say where they were going; an operator needs to know, and what to set.
      throw unreachable(this.setting, this.db.endpoint, error);
    }
    if (missing.length > 0)
      throw new Error(
        `DynamoDB at ${printableTarget(this.db.endpoint)} (${this.setting}) has no table ${missing.join(', ')} ` +
          '(DYNAMODB_TABLE_PREFIX): run `npm run migrate` (node dist/main.migrate.js) before the worker',
      );
  }

  useRefundLedger(ledger: RefundLedger): void {
    this.appends = new SeatEventAppends(this.db.json, this.seatEventsTable, ledger);
  }

  /** Creates the tables when missing (the migrate step's work; see ensureWriteStoreTables). */
  ensureTables(): Promise<void> {
    return ensureWriteStoreTables(this.db.sdk, this.tables);
  }

  async persist(tickets: readonly TicketReservedData[]): Promise<PersistOutcome[]> {
    if (tickets.length === 0) return [];
    const ticketIds = [...new Set(tickets.map((t) => t.ticketId))];
    return this.whileClaimed(ticketIds, () => this.persistClaimed(tickets, ticketIds));
  }

  async persistRefunds(refunds: readonly TicketRefundedData[]): Promise<RefundOutcome[]> {
    if (refunds.length === 0) return [];
    const ticketIds = [...new Set(refunds.map((t) => t.ticketId))];
    return this.whileClaimed(ticketIds, () => this.persistRefundsClaimed(refunds));
  }

  /**
   * Runs `work` once no other call of this process holds one of these tickets (a reservation and its refund
   * included), holding them all meanwhile.
   */
  private async whileClaimed<T>(ticketIds: readonly string[], work: () => Promise<T>): Promise<T> {
    // Wait out other calls of this process holding one of these tickets, then claim them all at once
    // (no await between the last check and the claim): a call holds claims only while it does not wait,
    // so calls cannot wait for each other in a circle.
    for (;;) {
      const busy = ticketIds.flatMap((id) => this.inFlight.get(id) ?? []);
      if (busy.length === 0) break;
      await Promise.allSettled(busy);
    }
    const running = work();
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    for (const id of ticketIds) this.inFlight.set(id, settled);
    try {
      return await running;
    } finally {
      for (const id of ticketIds) if (this.inFlight.get(id) === settled) this.inFlight.delete(id);
    }
  }

  private async persistRefundsClaimed(refunds: readonly TicketRefundedData[]): Promise<RefundOutcome[]> {
    const outcomes = new Array<RefundOutcome>(refunds.length);
    const bySeat = new Map<string, number[]>();
    refunds.forEach((refund, index) => {
      const streamId = seatStreamId(refund.eventId, refund.zoneId, refund.row, refund.column);
      bySeat.set(streamId, [...(bySeat.get(streamId) ?? []), index]);
    });
    const creations = new Map<string, TicketCreation>();
    await mapBounded([...bySeat.entries()], SEATS_IN_FLIGHT, async ([streamId, indexes]) => {
      let seat: SeatState | undefined;
      for (const index of indexes) {
        const refund = refunds[index]!;
        const found = await this.appends.appendRefund(streamId, refund, seat);
        seat = found.seat;
        outcomes[index] = found.outcome;
        // Rewritten on every delivery (it is a pure function of the stream): a crash between the append and
        // this write is healed by the redelivery.
        for (const id of [refund.ticketId, ...found.refunded]) {
          const creation = creationOnSeat(seat, id);
          if (creation !== undefined) creations.set(id, creation);
        }
      }
    });
    await this.records.write([...creations.values()]);
    return outcomes;
  }

  listEventTickets(eventId: string): Promise<TicketCreation[]> {
    return this.records.listByEvent(eventId);
  }

  readSeatStream(eventId: string, zoneId: number, row: string, column: number): Promise<SeatEvent[]> {
    return this.appends.read(seatStreamId(eventId, zoneId, row, column));
  }

  private async persistClaimed(tickets: readonly TicketReservedData[], ticketIds: string[]): Promise<PersistOutcome[]> {
    const recorded = await this.records.find(ticketIds);
    const outcomes = new Array<PersistOutcome>(tickets.length);

    // One seat's tickets go in input order, one after another: within a batch the first one wins a free
    // seat, and the next ones start from the stream state already known instead of losing a race to it.
    const bySeat = new Map<string, number[]>();
    tickets.forEach((ticket, index) => {
      const known = recorded.get(ticket.ticketId);
      if (known !== undefined) {
        outcomes[index] = redeliveryOutcomeOf(known);
        return;
      }
      const streamId = seatStreamId(ticket.eventId, ticket.zoneId, ticket.row, ticket.column);
      const seat = bySeat.get(streamId);
      if (seat === undefined) bySeat.set(streamId, [index]);
      else seat.push(index);
    });

    const creations = new Map<string, TicketCreation>();
    await mapBounded([...bySeat.entries()], SEATS_IN_FLIGHT, async ([streamId, indexes]) => {
      let seat: SeatState | undefined;
      for (const index of indexes) {
        const ticket = tickets[index]!;
        // A copy earlier in this batch has already been reported.
        if (creations.has(ticket.ticketId)) {
          outcomes[index] = { ticketId: ticket.ticketId, status: 'DUPLICATE' };
          continue;
        }
        const found = await this.appends.append(streamId, ticket, seat);
        seat = found.seat;
        // From the whole seat: a ticket found on the stream may have been refunded since.
        creations.set(ticket.ticketId, creationOnSeat(seat, ticket.ticketId) ?? creationOf(found.event));
        for (const owner of found.refunded) creations.set(owner, creationOnSeat(seat, owner)!);
        outcomes[index] = outcomeOf(found.event);
      }
    });
    // Only once this write has landed are the outcomes final; if it fails the caller retries, and the
    // retry finds the stream items without their TicketCreation and reports them.
    await this.records.write([...creations.values()]);
    return outcomes;
  }
}
