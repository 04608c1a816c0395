import { z } from 'zod';
import { eventSchema, venueSchema, type SaleEvent } from '../catalog/catalog.schema';
import type { TicketResponse } from '../purchasing/purchase-seat/purchase-outcome.http';
import type { TicketPage } from '../read-model/list-event-tickets/list-event-tickets.query';
import type { EventSales } from '../read-model/sales-by-event/sales-by-event.query';
import type { TicketView } from '../read-model/ticket.view';
import type { RefundedTicketResponse } from '../purchasing/refund-ticket/refund-ticket-outcome.http';
import type { ZoneSeatMap } from '../read-model/zone-seat-map/zone-seat-map.query';
import type { ErrorBody } from '../platform/http/error-body';

/*
 * The response bodies, for the OpenAPI document only: the controllers answer with plain objects typed by
 * the interfaces below. Each schema is declared as a z.ZodType of its interface, so a field added to or
 * removed from an interface stops the build until the documentation follows.
 */

const isoInstant = z.iso.datetime({ offset: true });

export const errorBodySchema: z.ZodType<ErrorBody> = z
  .object({
    error: z.string().meta({ description: 'A stable code: SEAT_TAKEN, NOT_FOUND, VALIDATION_FAILED, …' }),
    message: z.string().optional(),
    issues: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'VALIDATION_FAILED only: one entry per rejected field' }),
  })
  .meta({ id: 'Error' });

const ticketFields = {
  ticketId: z.string(),
  venueId: z.string(),
  eventId: z.string(),
  zoneId: z.number().int(),
  row: z.string(),
  column: z.number().int(),
  price: z.number(),
  createdOn: isoInstant,
};

export const ticketResponseSchema: z.ZodType<TicketResponse> = z
  .object({ ...ticketFields, status: z.literal('RESERVED') })
  .meta({ id: 'ReservedTicket' });

export const ticketViewSchema: z.ZodType<TicketView> = z
  .object({
    ...ticketFields,
    status: z.enum(['RESERVED', 'CANCELLED', 'REFUNDED']),
    reason: z.string().optional().meta({ description: 'CANCELLED tickets, and REFUNDED ones refunded with a reason' }),
    refundedOn: isoInstant.optional().meta({ description: 'REFUNDED tickets only' }),
  })
  .meta({ id: 'Ticket' });

export const refundedTicketSchema: z.ZodType<RefundedTicketResponse> = z
  .object({
    ...ticketFields,
    status: z.literal('REFUNDED'),
    refundedOn: isoInstant,
    reason: z.string().optional(),
  })
  .meta({ id: 'RefundedTicket' });

/** The page as the controller sends it: the query's `nextAfter` id goes out as an opaque cursor. */
export const ticketPageSchema: z.ZodType<Omit<TicketPage, 'nextAfter'> & { nextCursor: string | null }> = z
  .object({
    tickets: z.array(ticketViewSchema),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last' }),
  })
  .meta({ id: 'TicketPage' });

export const eventSalesSchema: z.ZodType<EventSales> = z
  .object({
    eventId: z.string(),
    venueId: z.string(),
    ticketsSold: z.number().int(),
    revenue: z.number(),
    zones: z.array(z.object({ zoneId: z.number().int(), sold: z.number().int(), revenue: z.number() })),
  })
  .meta({ id: 'EventSales' });

export const zoneSeatMapSchema: z.ZodType<ZoneSeatMap> = z
  .object({
    eventId: z.string(),
    zoneId: z.number().int(),
    rows: z.number().int(),
    columns: z.number().int(),
    taken: z.array(z.string()).meta({ description: 'Seats with a live ticket, row letter + column ("A1")' }),
  })
  .meta({ id: 'ZoneSeatMap' });

export const venueResponseSchema = venueSchema.meta({ id: 'Venue' });
export const eventResponseSchema = eventSchema.meta({ id: 'SaleEvent' });

export const openedSaleSchema: z.ZodType<SaleEvent & { status: 'OPEN' }> = eventSchema
  .extend({ status: z.literal('OPEN') })
  .meta({ id: 'OpenedSale' });

export const outboxSchema = z.object({
  backlog: z.number().int().meta({ description: 'Reservations taken but not yet confirmed by the broker' }),
  publishedByThisProcess: z.number().int(),
});

export const liveSchema = z.object({ status: z.literal('ok') });

export const readinessSchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.record(z.string(), z.boolean()).meta({ description: 'Each dependency check; false when it failed' }),
});
