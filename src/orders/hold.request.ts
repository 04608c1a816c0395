import { z } from 'zod';
import { identifier } from '../catalog/catalog.schema';

const zoneId = z.number().int().min(1).max(100_000);

/**
 * The buyer, as the caller's auth system names them: an opaque id carried in the body (not a header), so a
 * hold request is one self-contained document that a gateway can sign or log whole, as it is validated here.
 */
export const buyerId = z.string().min(1).max(128);

const seatRef = z.strictObject({
  zoneId,
  row: z.string().regex(/^[A-Z]$/, 'must be one letter A-Z'),
  column: z.number().int().min(1).max(100_000),
});

/** Seats named by the buyer: 1..maxSeats, all in one zone (one script call on one slot takes them all or none). */
export const listedSeatsHoldRequest = (maxSeats: number) =>
  z
    .strictObject({
      venueId: identifier,
      eventId: identifier,
      buyerId,
      seats: z.array(seatRef).min(1).max(maxSeats),
    })
    .superRefine((request, context) => {
      request.seats.forEach((seat, index) => {
        if (seat.zoneId !== request.seats[0]!.zoneId) {
          context.addIssue({
            code: 'custom',
            path: ['seats', index, 'zoneId'],
            message: 'every seat of a hold must be in the same zone',
          });
        }
      });
    });

/** `quantity` adjacent seats of one row, chosen by the platform (src/purchasing/seat-map/best-available.ts). */
export const bestAvailableHoldRequest = (maxSeats: number) =>
  z.strictObject({
    venueId: identifier,
    eventId: identifier,
    buyerId,
    zoneId,
    quantity: z.number().int().min(1).max(maxSeats),
    bestAvailable: z.literal(true),
  });

export type ListedSeatsHoldRequest = z.infer<ReturnType<typeof listedSeatsHoldRequest>>;
export type BestAvailableHoldRequest = z.infer<ReturnType<typeof bestAvailableHoldRequest>>;

/** Both forms, for the OpenAPI document; the route picks one by `bestAvailable` so errors name real fields. */
export const placeHoldRequest = (maxSeats: number) =>
  z.union([listedSeatsHoldRequest(maxSeats), bestAvailableHoldRequest(maxSeats)]);

export const holdParams = z.strictObject({ holdId: z.uuid() });

export const confirmHoldRequest = z.strictObject({
  /** The payment provider's reference, stored with the confirmed hold. */
  paymentReference: z.string().min(1).max(256),
});
