import { z } from 'zod';

/** Identifiers end up inside Redis keys and AMQP payloads, so their alphabet is closed. */
export const identifier = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be 1-64 letters, digits, "_" or "-"');

const MAX_ROWS = 26;
const MAX_COLUMNS = 1000;

const zoneSchema = z.strictObject({
  zoneId: z.number().int().min(1).max(100_000),
  ticketPrice: z.number().nonnegative().max(1_000_000),
  rowCount: z.number().int().min(1).max(MAX_ROWS),
  colCount: z.number().int().min(1).max(MAX_COLUMNS),
});

export const venueSchema = z
  .strictObject({
    venueId: identifier,
    city: z.string().min(1).max(100),
    zones: z.array(zoneSchema).min(1).max(10_000),
  })
  .superRefine((venue, ctx) => {
    const seen = new Set<number>();
    venue.zones.forEach((zone, index) => {
      if (seen.has(zone.zoneId)) {
        ctx.addIssue({ code: 'custom', path: ['zones', index, 'zoneId'], message: `duplicate zoneId ${zone.zoneId}` });
      }
      seen.add(zone.zoneId);
    });
  });

export const eventSchema = z.strictObject({
  eventId: identifier,
  venueId: identifier,
  name: z.string().min(1).max(200),
  type: z.string().min(1).max(50),
  date: z.iso.datetime({ offset: true }),
});

export const catalogSchema = z
  .strictObject({
    venues: z.array(venueSchema).min(1),
    events: z.array(eventSchema).default([]),
  })
  .superRefine((catalog, ctx) => {
    const venueIds = new Set<string>();
    catalog.venues.forEach((venue, index) => {
      if (venueIds.has(venue.venueId)) {
        ctx.addIssue({
          code: 'custom',
          path: ['venues', index, 'venueId'],
          message: `duplicate venueId ${venue.venueId}`,
        });
      }
      venueIds.add(venue.venueId);
    });
    catalog.events.forEach((event, index) => {
      if (!venueIds.has(event.venueId)) {
        ctx.addIssue({ code: 'custom', path: ['events', index, 'venueId'], message: `unknown venue ${event.venueId}` });
      }
    });
  });

export type Zone = z.infer<typeof zoneSchema>;
export type Venue = z.infer<typeof venueSchema>;
export type SaleEvent = z.infer<typeof eventSchema>;
export type Catalog = z.infer<typeof catalogSchema>;
