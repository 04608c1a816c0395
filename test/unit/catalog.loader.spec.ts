import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CatalogFileError, loadCatalog } from '../../src/catalog/catalog.loader';

const writeCatalog = (content: unknown): string => {
  const file = join(mkdtempSync(join(tmpdir(), 'catalog-')), 'catalog.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};

describe('catalog loader', () => {
  it('ships Venue1 in Vancouver: 100 zones of 26 x 30 seats priced by tier, and Event1', () => {
    const catalog = loadCatalog();
    const venue = catalog.venues.find((v) => v.venueId === 'Venue1')!;
    expect(venue.city).toBe('Vancouver');
    expect(venue.zones).toHaveLength(100);
    expect(venue.zones.every((z) => z.rowCount === 26 && z.colCount === 30)).toBe(true);
    const price = (zoneId: number) => venue.zones.find((z) => z.zoneId === zoneId)!.ticketPrice;
    expect([
      price(1),
      price(20),
      price(21),
      price(40),
      price(41),
      price(60),
      price(61),
      price(80),
      price(81),
      price(100),
    ]).toEqual([320, 320, 160, 160, 80, 80, 40, 40, 20, 20]);
    expect(venue.zones.reduce((sum, z) => sum + z.rowCount * z.colCount, 0)).toBe(78_000);
    expect(catalog.events).toEqual([expect.objectContaining({ eventId: 'Event1', venueId: 'Venue1' })]);
  });

  it('names the offending field of a bad file', () => {
    const file = writeCatalog({
      venues: [{ venueId: 'V', city: 'C', zones: [{ zoneId: 1, ticketPrice: -5, rowCount: 26, colCount: 30 }] }],
    });
    expect(() => loadCatalog(file)).toThrow(/venues\.0\.zones\.0\.ticketPrice/);
  });

  it('refuses more than 26 rows, duplicate zones and events at unknown venues', () => {
    const file = writeCatalog({
      venues: [
        {
          venueId: 'V',
          city: 'C',
          zones: [
            { zoneId: 1, ticketPrice: 1, rowCount: 27, colCount: 30 },
            { zoneId: 1, ticketPrice: 1, rowCount: 2, colCount: 30 },
          ],
        },
      ],
      events: [{ eventId: 'E', venueId: 'Nowhere', name: 'n', type: 't', date: '2027-01-01T00:00:00Z' }],
    });
    expect(() => loadCatalog(file)).toThrow(CatalogFileError);
    expect(() => loadCatalog(file)).toThrow(/venues\.0\.zones\.0\.rowCount/);
    expect(() => loadCatalog(file)).toThrow(/venues\.0\.zones\.1\.zoneId: duplicate zoneId 1/);
    expect(() => loadCatalog(file)).toThrow(/events\.0\.venueId: unknown venue Nowhere/);
  });

  it('refuses a file that is not JSON', () => {
    expect(() => loadCatalog(writeCatalog('{ nope'))).toThrow(/cannot be read as JSON/);
  });
});
