import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { partitionOf } from '../../src/purchasing/seat-map/seat-map.keys';
import { newTicketId, partitionOfTicketId } from '../../src/purchasing/ticket-id';

describe('ticket ids carry their seat partition', () => {
  it('makes RFC 9562 UUIDs (version 8) that the consumers accept', () => {
    const id = newTicketId('Event1', 12);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(z.uuid().safeParse(id).success).toBe(true);
  });

  it('gives back the partition of the zone the ticket was made for', () => {
    for (let zoneId = 1; zoneId <= 100; zoneId++) {
      expect(partitionOfTicketId(newTicketId('Event1', zoneId))).toBe(partitionOf('Event1', zoneId));
    }
  });

  it('keeps the rest random: ids of one zone differ', () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newTicketId('Event1', 1)));
    expect(ids.size).toBe(10_000);
  });

  it('finds no partition in ids it did not make', () => {
    expect(partitionOfTicketId(randomUUID())).toBeUndefined();
    expect(partitionOfTicketId('ff000000-0000-8000-8000-000000000000')).toBeUndefined();
    expect(partitionOfTicketId('not-a-ticket')).toBeUndefined();
  });
});
