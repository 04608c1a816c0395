import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DEFAULT_CATALOG_FILE } from '../../src/catalog/catalog.loader';
import { inParallel, Platform } from '../support/platform';
import { seededRandom } from '../../scripts/seat-plan';
import { freshEventId } from '../support/test-config';
import { sleep } from '../support/time';
import { describeIf } from '../support/skip';

/** Debian's Chromium (`apt-get install chromium`; scripts/ensure-tools.sh installs it in CI). */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = join(__dirname, '..', '..', 'test-output', 'browser');
const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const haveChromium = existsSync(CHROMIUM);
const describeInBrowser = describeIf(haveChromium, `no Chromium at ${CHROMIUM}; scripts/ensure-tools.sh installs it`);

const seatSelector = (row: string, column: number) =>
  `#zone-panel button.seat[data-row="${row}"][data-column="${column}"]`;

/** Zones of the default catalog's Venue1 sold before the pages open, by rows sold out (A, B, …): colour to show. */
const ROWS_SOLD: Record<number, number> = {
  21: 26,
  24: 14,
  43: 6,
  45: 10,
  47: 3,
  62: 18,
  68: 4,
  81: 20,
  84: 8,
  99: 26,
};

describeInBrowser('seat map and ops view in Chromium', () => {
  // The shipped catalog: Venue1's 100 zones in five price tiers, as a buyer would see them.
  const platform = new Platform({
    api: { CATALOG_FILE: DEFAULT_CATALOG_FILE },
    worker: { CATALOG_FILE: DEFAULT_CATALOG_FILE },
  });
  const eventId = freshEventId('browser');
  let browser: Browser;
  let page: Page;
  /** Distinct seats bought before the pages open. */
  let soldBefore = 0;
  const pageErrors: string[] = [];
  const base = () => `http://127.0.0.1:${platform.apiPort}`;
  const buy = (zoneId: number, row: string, column: number, key: string) =>
    platform.purchaseWithRetry({ venueId: 'Venue1', eventId, zoneId, row, column }, key);
  const rowsOf = (zoneId: number, rows: number, columns = 30) =>
    Array.from({ length: rows * columns }, (_, i) => ({
      zoneId,
      row: String.fromCharCode(65 + Math.floor(i / columns)),
      column: 1 + (i % columns),
    }));

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    await platform.start();
    await platform.openSale(eventId, 'Venue1');
    // Zone 1 scattered (rows E-Z: the test buys in rows B-D), and whole rows of a few other zones.
    const random = seededRandom(8);
    const scattered = Array.from({ length: 60 }, () => ({
      zoneId: 1,
      row: String.fromCharCode(69 + random.below(22)),
      column: 1 + random.below(30),
    }));
    const blocks = Object.entries(ROWS_SOLD).flatMap(([zoneId, rows]) => rowsOf(Number(zoneId), rows));
    const answers = await inParallel([...scattered, ...blocks], 20, (s) =>
      buy(s.zoneId, s.row, s.column, `${eventId}-${s.zoneId}${s.row}${s.column}`),
    );
    // A seat drawn twice answers its first ticket again (same Idempotency-Key): count distinct tickets.
    soldBefore = new Set(answers.map((a) => a.body.ticketId)).size;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // A 409 answer is logged by Chromium as a failed resource; anything else (a CSP refusal) is a defect.
      if (message.type() === 'error' && !/status of 409/.test(message.text())) {
        pageErrors.push(`${message.text()} (${message.location().url})`);
      }
    });
  });
  afterAll(async () => {
    await browser?.close();
    await platform.stop();
  });

  it('lists the events on /', async () => {
    await page.goto(`${base()}/`);
    await page.locator(`a[href="/events/${eventId}"]`).first().waitFor();
    await page.screenshot({ path: join(OUTPUT, 'events.png') });
    expect(pageErrors).toEqual([]);
  });

  it('buys a seat by clicking it, and shows a seat bought by another client as taken without a reload', async () => {
    await page.goto(`${base()}/events/${eventId}?zone=1`);
    await page.locator('#event-page[data-live="live"][data-ready="true"]').waitFor();
    await page.locator(seatSelector('A', 1)).waitFor();
    expect(await page.locator('.zone-tile').count()).toBe(100);
    expect(await page.locator('.zone-tile--full').count()).toBe(2);
    // Marks this document: a reload would lose it.
    await page.evaluate(() => ((globalThis as { marker?: string }).marker = 'same document'));

    await page.locator(seatSelector('C', 7)).click();
    await page.locator('#purchase-ok').waitFor();
    expect(await page.locator('#purchase-ok').textContent()).toContain('C7');
    expect(await page.locator(seatSelector('C', 7)).getAttribute('data-state')).toBe('mine');
    const ticketId = await page.locator('#tickets .ticket').first().getAttribute('data-ticket-id');
    expect(ticketId).toMatch(/^[0-9a-f-]{36}$/);
    // The seat really is sold: another buyer is refused it.
    expect((await buy(1, 'C', 7, `${eventId}-other-c7`)).status).toBe(409);

    // Another buyer takes D10 over HTTP: the open page marks it taken by itself.
    expect(await page.locator(seatSelector('D', 10)).getAttribute('data-state')).toBe('free');
    expect((await buy(1, 'D', 10, `${eventId}-other-d10`)).status).toBe(201);
    await page.locator(`${seatSelector('D', 10)}[data-state="taken"]`).waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (globalThis as { marker?: string }).marker)).toBe('same document');

    await page.screenshot({ path: join(OUTPUT, 'seat-map.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('shows the conflict message when someone else buys the clicked seat first', async () => {
    // The other buyer's request lands between the click and the page's own request.
    await page.route('**/api/v1/tickets', async (route) => {
      expect((await buy(1, 'B', 20, `${eventId}-other-b20`)).status).toBe(201);
      await route.continue();
    });
    await page.locator(seatSelector('B', 20)).click();
    await page.locator('#purchase-conflict').waitFor();
    expect(await page.locator('#purchase-conflict').textContent()).toContain('B20 was taken by someone else');
    expect(await page.locator(seatSelector('B', 20)).getAttribute('data-state')).toBe('taken');
    await page.unroute('**/api/v1/tickets');
    expect(pageErrors).toEqual([]);
  });

  it('shows the operator view updating live while purchases come in', async () => {
    await page.goto(`${base()}/ops?event=${eventId}`);
    await page.locator('#ops-page[data-live="live"][data-updated]').waitFor();
    // A little traffic for the rate chart while the page is open: rows of zone 50, and some seats twice (409).
    const seats = rowsOf(50, 6);
    await inParallel([...seats, ...seats.slice(0, 40)], 4, async (s) => {
      await platform.request('POST', '/api/v1/tickets', { venueId: 'Venue1', eventId, ...s });
      await sleep(40);
    });
    // Every seat sold, once the read model has it: those bought before, C7, D10, B20 and zone 50's.
    const expected = soldBefore + 3 + seats.length;
    await page
      .locator('#kpi-sold .kpi-value', { hasText: new RegExp(`^${expected.toLocaleString('en')}$`) })
      .waitFor({ timeout: 30_000 });
    // And it keeps updating by itself.
    const updated = await page.locator('#ops-page').getAttribute('data-updated');
    await page.locator(`#ops-page:not([data-updated="${updated}"])`).waitFor();
    expect(await page.locator('#outcome-counts').textContent()).toMatch(/201: [\d,]+.*409: [\d,]+/);
    expect(await page.locator('#zone-table .zone-row').count()).toBe(100);
    await page.screenshot({ path: join(OUTPUT, 'ops.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
