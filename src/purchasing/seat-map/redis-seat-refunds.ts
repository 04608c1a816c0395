import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../../platform/redis/redis.factory';
import { rowIndexOf } from '../seat';
import type { TicketRefundedData } from '../ticket-refunded.event';
import type { TicketReservedData } from '../ticket-reserved.event';
import { partitionOf, refundRecordKey, rowField, ticketCacheKey, zoneKeys } from './seat-map.keys';

export type SeatRefundResult =
  | { readonly code: 'REFUNDED'; readonly seatFreed: boolean }
  | { readonly code: 'ALREADY_REFUNDED'; readonly refund: TicketRefundedData }
  | { readonly code: 'NOT_OPEN' };

interface RefundScript {
  refundSeat(
    counts: string,
    seats: string,
    outbox: string,
    record: string,
    ticketCache: string,
    rowIndex: number,
    column: number,
    rowField: string,
    payload: string,
  ): Promise<[number] | [number, number | string]>;
}

/**
 * Refunds on the seat map (refund-seat.lua), and the refund records the script keeps: the refund endpoint
 * writes them, the write store reads them (its RefundLedger) when a resale overtakes a refund.
 */
@Injectable()
export class RedisSeatRefunds {
  private readonly script: RefundScript;

  constructor(@Inject(REDIS) private readonly redis: RedisClient) {
    redis.defineCommand('refundSeat', {
      numberOfKeys: 5,
      lua: readFileSync(join(__dirname, 'refund-seat.lua'), 'utf8'),
    });
    this.script = redis as unknown as RefundScript;
  }

  async refund(refund: TicketRefundedData): Promise<SeatRefundResult> {
    const keys = zoneKeys(refund.eventId, refund.zoneId);
    const reply = await this.script.refundSeat(
      keys.counts,
      keys.seats,
      keys.outbox,
      refundRecordKey(keys.partition, refund.ticketId),
      ticketCacheKey(keys.partition, refund.ticketId),
      rowIndexOf(refund.row),
      refund.column,
      rowField(refund.row),
      JSON.stringify(refund),
    );
    switch (reply[0]) {
      case 0:
        return { code: 'REFUNDED', seatFreed: reply[1] === 1 };
      case 1:
        return { code: 'ALREADY_REFUNDED', refund: JSON.parse(String(reply[1])) as TicketRefundedData };
      case 2:
        return { code: 'NOT_OPEN' };
      default:
        throw new Error(`refund-seat.lua returned an unknown code ${reply[0]}`);
    }
  }

  /** The ticket's refund as recorded, or undefined when it was not refunded. */
  async find(
    ticket: Pick<TicketReservedData, 'ticketId' | 'eventId' | 'zoneId'>,
  ): Promise<TicketRefundedData | undefined> {
    const json = await this.redis.get(refundRecordKey(partitionOf(ticket.eventId, ticket.zoneId), ticket.ticketId));
    return json === null ? undefined : (JSON.parse(json) as TicketRefundedData);
  }
}
