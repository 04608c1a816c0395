import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { TicketRefundedData } from '../purchasing/ticket-refunded.event';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { queryAll, toItem } from './dynamo-items';
import type { RefundOutcome } from './persist-outcome';
import { decide, decideRefund, emptySeat, evolve, seatOf, type SeatState } from './seat-stream.decider';
import type { RefundLedger, SeatEvent } from './ticket-write-store.port';

/** Lost append races tolerated for one ticket before giving up (transient: the consumer retries). */
const MAX_APPEND_RACES = 25;

/** Thrown when one ticket keeps losing append races on its seat: transient, a redelivery settles it. */
export class SeatStreamContentionError extends Error {
  override readonly name = 'SeatStreamContentionError';
}

const isConditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** What an append call did: the ticket's own item, the seat after it, and the owners' refunds it appended first. */
export interface AppendResult {
  readonly event: SeatEvent;
  readonly seat: SeatState;
  /** Tickets whose TicketRefunded this call appended from the ledger (their TicketCreation becomes REFUNDED). */
  readonly refunded: readonly string[];
}

/**
 * The seat streams: reads, and appends at the version the decider chose. Every append is conditioned on
 * `attribute_not_exists(streamId)` for its (streamId, version), so two writers never both append version N;
 * the loser reads the stream again and the decider decides again.
 */
export class SeatEventAppends {
  constructor(
    private readonly json: DynamoItemClient,
    private readonly table: string,
    /** Without one, a reservation that finds its seat owned is refused at once (no refunds to wait for). */
    private readonly ledger?: RefundLedger,
  ) {}

  /** The stream in version order (strongly consistent). */
  read(streamId: string): Promise<SeatEvent[]> {
    return queryAll<SeatEvent>(this.json, {
      TableName: this.table,
      KeyConditionExpression: 'streamId = :streamId',
      ExpressionAttributeValues: { ':streamId': { S: streamId } },
      ConsistentRead: true,
    });
  }

  /**
   * Finds the ticket in its seat stream or appends it as the decider says. `known` is the seat as this call
   * last saw it; unknown means "try version 1 blind", the cheapest path for the common case of a free seat.
   */
  async append(streamId: string, ticket: TicketReservedData, known: SeatState | undefined): Promise<AppendResult> {
    let seat = known ?? emptySeat(streamId);
    const refunds = this.ledger === undefined ? undefined : new Map<string, TicketRefundedData | null>();
    const refunded: string[] = [];
    for (let races = 0; races < MAX_APPEND_RACES;) {
      const now = new Date().toISOString();
      const decision = refunds === undefined ? decide(seat, ticket, now) : decide(seat, ticket, now, refunds);
      if (decision.decision === 'ALREADY_ON_STREAM') return { event: decision.event, seat, refunded };
      if (decision.decision === 'LOOK_UP_REFUND') {
        // Only on a conflict, which without refunds means Redis lost a seat: never on the common path.
        const { eventId, zoneId } = ticket; // the owner's too: the same seat
        refunds!.set(
          decision.ticketId,
          (await this.ledger!.find({ ticketId: decision.ticketId, eventId, zoneId })) ?? null,
        );
        continue;
      }
      if (await this.put(decision.event)) {
        seat = evolve(seat, decision.event);
        if (decision.decision === 'APPEND_OWNER_REFUND') refunded.push(decision.event.ticketId);
        else if (decision.decision !== 'APPEND_REFUNDED_LATE') return { event: decision.event, seat, refunded };
        continue;
      }
      races++;
      seat = seatOf(streamId, await this.read(streamId));
    }
    throw new SeatStreamContentionError(`seat stream ${streamId}: lost ${MAX_APPEND_RACES} append races in a row`);
  }

  /**
   * Records a refund on its seat's stream as the decider says: appended after the ticket's reservation (which
   * is appended first when the refund overtook it), found there already, or ignored for a refused ticket.
   */
  async appendRefund(
    streamId: string,
    refund: TicketRefundedData,
    known: SeatState | undefined,
  ): Promise<{ outcome: RefundOutcome; seat: SeatState; refunded: readonly string[] }> {
    // Refunds are rare: read the stream first rather than guess a version.
    let seat = known ?? seatOf(streamId, await this.read(streamId));
    const refunded: string[] = [];
    const { ticketId } = refund;
    for (let races = 0; races < MAX_APPEND_RACES;) {
      const decision = decideRefund(seat, refund, new Date().toISOString());
      switch (decision.decision) {
        case 'ALREADY_ON_STREAM':
          return { outcome: { ticketId, status: 'REFUNDED' }, seat, refunded };
        case 'IGNORED':
          return { outcome: { ticketId, status: 'IGNORED', reason: decision.reason }, seat, refunded };
        case 'RESERVE_FIRST': {
          const reserved = await this.append(streamId, decision.ticket, seat);
          seat = reserved.seat;
          refunded.push(...reserved.refunded);
          continue;
        }
        case 'APPEND_REFUND':
          if (await this.put(decision.event)) {
            seat = evolve(seat, decision.event);
            continue; // answered ALREADY_ON_STREAM next round
          }
          races++;
          seat = seatOf(streamId, await this.read(streamId));
      }
    }
    throw new SeatStreamContentionError(`seat stream ${streamId}: lost ${MAX_APPEND_RACES} append races in a row`);
  }

  /** Appends at the event's version; false when another writer got that version first. */
  private async put(event: SeatEvent): Promise<boolean> {
    try {
      await this.json.call('PutItem', {
        TableName: this.table,
        Item: toItem(event),
        ConditionExpression: 'attribute_not_exists(streamId)',
      });
      return true;
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      return false;
    }
  }
}
