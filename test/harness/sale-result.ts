import type { PurchaseOutcome } from '../../src/purchasing/purchase-outcome';
import type { TicketReservedData } from '../../src/purchasing/ticket-reserved.event';

export interface SeatRequest {
  readonly zoneId: number;
  readonly row: string;
  readonly column: number;
}

const CONFLICTS: ReadonlySet<PurchaseOutcome['kind']> = new Set(['SEAT_TAKEN', 'ROW_SOLD_OUT', 'ZONE_SOLD_OUT']);

export const seatLabel = (s: SeatRequest): string => `${s.zoneId}:${s.row}${s.column}`;

/** The outcomes of one batch of purchase commands, and the checks every scenario makes on them. */
export class SaleResult {
  constructor(
    readonly eventId: string,
    readonly requests: readonly SeatRequest[],
    readonly outcomes: readonly PurchaseOutcome[],
    readonly elapsedMs: number,
  ) {}

  /** This batch and a later one of the same event, as one result (the stores hold both). */
  and(later: SaleResult): SaleResult {
    if (later.eventId !== this.eventId) throw new Error('results of different events');
    return new SaleResult(
      this.eventId,
      [...this.requests, ...later.requests],
      [...this.outcomes, ...later.outcomes],
      this.elapsedMs + later.elapsedMs,
    );
  }

  /** How many commands ended in each outcome kind. */
  kinds(): Record<string, number> {
    const kinds: Record<string, number> = {};
    for (const outcome of this.outcomes) kinds[outcome.kind] = (kinds[outcome.kind] ?? 0) + 1;
    return kinds;
  }

  /** Commands refused because the seat, its row or its zone was already sold: the 409s of the HTTP API. */
  conflicts(): number {
    return this.outcomes.filter((o) => CONFLICTS.has(o.kind)).length;
  }

  reservedTickets(): TicketReservedData[] {
    return this.outcomes.flatMap((o) => (o.kind === 'RESERVED' ? [o.ticket] : []));
  }

  distinctSeats(): number {
    return new Set(this.requests.map(seatLabel)).size;
  }

  commandsPerSecond(): number {
    return Math.round(this.requests.length / (this.elapsedMs / 1000));
  }

  /** Throws when a seat was won twice, or a ticket is for another seat than the command asked. */
  assertEachSeatSoldAtMostOnce(): void {
    const winners = new Map<string, string>();
    this.outcomes.forEach((outcome, i) => {
      if (outcome.kind !== 'RESERVED') return;
      const asked = seatLabel(this.requests[i]!);
      const got = seatLabel(outcome.ticket);
      if (asked !== got) throw new Error(`command ${i} asked for ${asked} and got a ticket for ${got}`);
      const earlier = winners.get(asked);
      if (earlier !== undefined) throw new Error(`seat ${asked} sold twice: ${earlier} and ${outcome.ticket.ticketId}`);
      winners.set(asked, outcome.ticket.ticketId);
    });
  }

  /** Throws unless every ticket id this result reserved is in the given store. */
  assertAllReservedIn(store: string, ids: ReadonlySet<string>): void {
    const missing = this.reservedTickets().filter((t) => !ids.has(t.ticketId));
    if (missing.length > 0) {
      throw new Error(`${missing.length} reserved ticket(s) missing from ${store}, e.g. ${missing[0]!.ticketId}`);
    }
  }
}
