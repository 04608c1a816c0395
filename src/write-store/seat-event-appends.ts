import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { TicketReservedData } from '../purchasing/ticket-reserved.event';
import type { DynamoItemClient } from './dynamo-sdk-item.client';
import { queryAll, toItem } from './dynamo-items';
import { decide, emptySeat, evolve, seatOf, type SeatState } from './seat-stream.decider';
import type { SeatEvent } from './ticket-write-store.port';

/** Lost append races tolerated for one ticket before giving up (transient: the consumer retries). */
const MAX_APPEND_RACES = 25;

/** Thrown when one ticket keeps losing append races on its seat: transient, a redelivery settles it. */
export class SeatStreamContentionError extends Error {
  override readonly name = 'SeatStreamContentionError';
}

const isConditionFailed = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * The seat streams: reads, and appends at the version the decider chose. Every append is conditioned on
 * `attribute_not_exists(streamId)` for its (streamId, version), so two writers never both append version N;
 * the loser reads the stream again and the decider decides again.
 */
export class SeatEventAppends {
  constructor(
    private readonly json: DynamoItemClient,
    private readonly table: string,
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
  async append(
    streamId: string,
    ticket: TicketReservedData,
    known: SeatState | undefined,
  ): Promise<{ event: SeatEvent; seat: SeatState }> {
    let seat = known ?? emptySeat(streamId);
    for (let race = 0; race < MAX_APPEND_RACES; race++) {
      const { decision, event } = decide(seat, ticket, new Date().toISOString());
      if (decision === 'ALREADY_ON_STREAM') return { event, seat };
      try {
        await this.json.call('PutItem', {
          TableName: this.table,
          Item: toItem(event),
          ConditionExpression: 'attribute_not_exists(streamId)',
        });
        return { event, seat: evolve(seat, event) };
      } catch (error) {
        if (!isConditionFailed(error)) throw error;
        seat = seatOf(streamId, await this.read(streamId));
      }
    }
    throw new SeatStreamContentionError(`seat stream ${streamId}: lost ${MAX_APPEND_RACES} append races in a row`);
  }
}
