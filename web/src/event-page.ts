import './styles.css';
import type { LiveZone, SeatSnapshotMessage, SeatsFreedMessage, SeatsTakenMessage } from '../../src/live/live-messages';
import { buySeat, getJson, isError, type SaleEvent, type Ticket } from './api';
import { byId, el, formatCount, formatMoney, showMessage } from './dom';
import { openLiveStream, showLiveState } from './live-stream';
import { tierColours } from './price-tiers';
import { rowIndexOf, rowLetter, SeatBitmap } from './seat-bitmap';

interface ZoneView {
  zone: LiveZone;
  seats: SeatBitmap;
  tile: HTMLButtonElement;
}

type SeatState = 'free' | 'taken' | 'mine' | 'pending';

const page = byId('event-page');
const eventId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const zones = new Map<number, ZoneView>();
let venueId = '';
let colours = new Map<number, string>();
let openZoneId: number | undefined;
/** Seats bought from this page ("zone:A7"). */
const mine = new Set<string>();
/** Purchases in flight. */
const inFlight = new Set<string>();
/**
 * The Idempotency-Key of a seat whose purchase got no definitive answer (network error, 503, 429): clicking
 * again retries with the same key, so a purchase that did go through is answered with its ticket, not doubled.
 */
const retryKeys = new Map<string, string>();
const dirtyZones = new Set<number>();
let flushScheduled = false;

const seatKey = (zoneId: number, row: string, column: number) => `${zoneId}:${row}${column}`;

function newIdempotencyKey(): string {
  // getRandomValues, unlike randomUUID, works on a page served over plain HTTP from another host.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `web-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

// --- the zones -------------------------------------------------------------------------------------------

function applySnapshot(snapshot: SeatSnapshotMessage): void {
  venueId = snapshot.venueId;
  colours = tierColours(snapshot.zones.map((z) => z.price));
  const container = byId('zones');
  container.replaceChildren();
  zones.clear();
  for (const zone of [...snapshot.zones].sort((a, b) => a.zoneId - b.zoneId)) {
    const seats = SeatBitmap.fromBase64(zone.rows, zone.columns, zone.taken, zone.sold);
    const tile = el(
      'button',
      {
        class: 'zone-tile',
        attrs: { type: 'button', role: 'listitem' },
        data: { zone: String(zone.zoneId) },
      },
      el('span', { class: 'zone-fill' }),
      el('span', { class: 'zone-id', text: String(zone.zoneId) }),
      el('span', { class: 'zone-pct' }),
    );
    tile.style.setProperty('--tier', colours.get(zone.price) ?? '#64748b');
    tile.addEventListener('click', () => openZone(zone.zoneId));
    container.append(tile);
    const view = { zone, seats, tile };
    zones.set(zone.zoneId, view);
    updateTile(view);
  }
  for (const key of mine) {
    const [zoneId, seat] = key.split(':');
    zones.get(Number(zoneId))?.seats.set(rowIndexOf(seat![0]!), Number(seat!.slice(1)));
  }
  renderLegend();
  if (!snapshot.complete) {
    showMessage('The read model is not reachable: showing the seats taken since this server started.', 'error');
  }
  const wanted = openZoneId ?? Number(new URLSearchParams(location.search).get('zone'));
  if (zones.has(wanted)) openZone(wanted);
  page.dataset['ready'] = 'true';
}

function updateTile(view: ZoneView): void {
  const capacity = view.zone.rows * view.zone.columns;
  const sold = view.seats.count;
  const percent = capacity === 0 ? 100 : Math.round((sold / capacity) * 100);
  view.tile.style.setProperty('--fill', `${(sold / capacity) * 100}%`);
  view.tile.classList.toggle('zone-tile--full', sold >= capacity);
  view.tile.classList.toggle('zone-tile--open', view.zone.zoneId === openZoneId);
  view.tile.querySelector('.zone-pct')!.textContent = sold >= capacity ? 'sold out' : `${percent}%`;
  view.tile.title = `Zone ${view.zone.zoneId} · ${formatMoney(view.zone.price)} · ${formatCount(sold)} of ${formatCount(capacity)} sold`;
  view.tile.setAttribute('aria-label', view.tile.title);
}

function renderLegend(): void {
  const legend = byId('legend');
  legend.replaceChildren();
  for (const [price, colour] of colours) {
    let sold = 0;
    let capacity = 0;
    for (const { zone, seats } of zones.values()) {
      if (zone.price !== price) continue;
      sold += seats.count;
      capacity += zone.rows * zone.columns;
    }
    const swatch = el('span', { class: 'swatch' });
    swatch.style.setProperty('--tier', colour);
    legend.append(
      el(
        'span',
        { class: 'legend-item' },
        swatch,
        el('strong', { text: formatMoney(price) }),
        el('span', { class: 'muted', text: `${formatCount(capacity - sold)} of ${formatCount(capacity)} left` }),
      ),
    );
  }
}

// --- one zone's seats ------------------------------------------------------------------------------------

function openZone(zoneId: number): void {
  const view = zones.get(zoneId);
  if (view === undefined) return;
  const previous = openZoneId;
  openZoneId = zoneId;
  if (previous !== undefined && zones.has(previous)) updateTile(zones.get(previous)!);
  updateTile(view);
  const url = new URL(location.href);
  url.searchParams.set('zone', String(zoneId));
  history.replaceState(null, '', url);

  const { zone, seats } = view;
  const grid = el('div', { class: 'seat-grid', attrs: { role: 'grid', 'aria-label': `Seats of zone ${zoneId}` } });
  grid.style.setProperty('--columns', String(zone.columns));
  grid.style.setProperty('--tier', colours.get(zone.price) ?? '#64748b');
  grid.append(el('span'));
  for (let column = 1; column <= zone.columns; column++) {
    grid.append(el('span', { class: 'seat-col', text: column % 5 === 0 || column === 1 ? String(column) : '' }));
  }
  for (let rowIndex = 0; rowIndex < zone.rows; rowIndex++) {
    const row = rowLetter(rowIndex);
    grid.append(el('span', { class: 'seat-row', text: row }));
    for (let column = 1; column <= zone.columns; column++) {
      const seat = el('button', {
        class: 'seat',
        attrs: { type: 'button', 'aria-label': `Row ${row}, seat ${column}` },
        data: { row, column: String(column) },
      });
      setSeatState(seat, stateOf(zoneId, row, column, seats));
      grid.append(seat);
    }
  }
  grid.addEventListener('click', (event) => {
    const seat = (event.target as HTMLElement).closest<HTMLButtonElement>('button.seat');
    if (seat === null || seat.dataset['state'] !== 'free') return;
    void buy(zoneId, seat.dataset['row']!, Number(seat.dataset['column']), seat);
  });

  const panel = byId('zone-panel');
  panel.dataset['zone'] = String(zoneId);
  panel.replaceChildren(
    el(
      'h2',
      { class: 'section-title' },
      `Zone ${zoneId} `,
      el('span', { class: 'muted', attrs: { id: 'zone-summary' } }),
    ),
    grid,
    el(
      'p',
      { class: 'seat-legend muted' },
      el('span', { class: 'seat', data: { state: 'free' } }),
      ' free ',
      el('span', { class: 'seat', data: { state: 'taken' } }),
      ' taken ',
      el('span', { class: 'seat', data: { state: 'mine' } }),
      ' yours — click a free seat to buy it',
    ),
    el('div', { attrs: { id: 'purchase-result', 'aria-live': 'polite' } }),
    el('div', { class: 'tickets', attrs: { id: 'tickets' } }),
  );
  renderTickets();
  updateZoneSummary();
}

function stateOf(zoneId: number, row: string, column: number, seats: SeatBitmap): SeatState {
  const key = seatKey(zoneId, row, column);
  if (mine.has(key)) return 'mine';
  if (inFlight.has(key)) return 'pending';
  return seats.has(rowIndexOf(row), column) ? 'taken' : 'free';
}

function setSeatState(seat: HTMLButtonElement, state: SeatState): void {
  seat.dataset['state'] = state;
  seat.disabled = state !== 'free';
  seat.title = `${seat.dataset['row']}${seat.dataset['column']}: ${state === 'mine' ? 'your seat' : state}`;
}

function seatElement(zoneId: number, row: string, column: number): HTMLButtonElement | null {
  if (openZoneId !== zoneId) return null;
  return byId('zone-panel').querySelector<HTMLButtonElement>(`button.seat[data-row="${row}"][data-column="${column}"]`);
}

function updateZoneSummary(): void {
  const view = openZoneId === undefined ? undefined : zones.get(openZoneId);
  const summary = document.getElementById('zone-summary');
  if (view === undefined || summary === null) return;
  const capacity = view.zone.rows * view.zone.columns;
  summary.textContent = `— ${formatMoney(view.zone.price)} a seat · ${view.zone.rows} rows × ${view.zone.columns} seats · ${formatCount(capacity - view.seats.count)} free`;
}

// --- live updates ----------------------------------------------------------------------------------------

function applyTaken({ seats }: SeatsTakenMessage): void {
  for (const { zoneId, row, column } of seats) {
    const view = zones.get(zoneId);
    if (view === undefined || !view.seats.set(rowIndexOf(row), column)) continue;
    dirtyZones.add(zoneId);
    const seat = seatElement(zoneId, row, column);
    if (seat !== null && seat.dataset['state'] !== 'mine' && seat.dataset['state'] !== 'pending') {
      setSeatState(seat, 'taken');
      // Restarting the animation: a seat taken live flashes once.
      seat.classList.remove('seat--flash');
      void seat.offsetWidth;
      seat.classList.add('seat--flash');
    }
  }
  scheduleFlush();
}

/** Seats a refund put back on sale: free again, unless this page is buying one right now. */
function applyFreed({ seats }: SeatsFreedMessage): void {
  for (const { zoneId, row, column } of seats) {
    const view = zones.get(zoneId);
    if (view === undefined || !view.seats.clear(rowIndexOf(row), column)) continue;
    dirtyZones.add(zoneId);
    const seat = seatElement(zoneId, row, column);
    if (seat !== null && seat.dataset['state'] !== 'pending') setSeatState(seat, 'free');
  }
  scheduleFlush();
}

/** Tiles, legend and summary are redrawn once a frame, however many seats arrived meanwhile. */
function scheduleFlush(): void {
  if (flushScheduled) return;
  flushScheduled = true;
  requestAnimationFrame(() => {
    flushScheduled = false;
    for (const zoneId of dirtyZones) {
      const view = zones.get(zoneId);
      if (view !== undefined) updateTile(view);
    }
    dirtyZones.clear();
    renderLegend();
    updateZoneSummary();
  });
}

// --- buying ----------------------------------------------------------------------------------------------

const CONFLICTS: Record<string, (row: string, column: number, zoneId: number) => string> = {
  SEAT_TAKEN: (row, column) => `Seat ${row}${column} was taken by someone else just before you. Pick another one.`,
  ROW_SOLD_OUT: (row) => `Row ${row} is sold out.`,
  ZONE_SOLD_OUT: (_row, _column, zoneId) => `Zone ${zoneId} is sold out.`,
};

const tickets: Ticket[] = [];

async function buy(zoneId: number, row: string, column: number, seat: HTMLButtonElement): Promise<void> {
  const key = seatKey(zoneId, row, column);
  if (inFlight.has(key)) return;
  const idempotencyKey = retryKeys.get(key) ?? newIdempotencyKey();
  retryKeys.set(key, idempotencyKey);
  inFlight.add(key);
  setSeatState(seat, 'pending');
  const result = byId('zone-panel').querySelector<HTMLElement>('#purchase-result')!;
  result.replaceChildren(el('p', { class: 'result', text: `Buying seat ${row}${column}…` }));
  let answer;
  try {
    answer = await buySeat({ venueId, eventId, zoneId, row, column }, idempotencyKey);
  } catch {
    answer = undefined;
  } finally {
    inFlight.delete(key);
  }
  const view = zones.get(zoneId)!;
  const current = seatElement(zoneId, row, column);
  if (answer === undefined) {
    if (current !== null) setSeatState(current, stateOf(zoneId, row, column, view.seats));
    showResult('error', `No answer for seat ${row}${column} (network). Click it again: the retry cannot buy it twice.`);
    return;
  }
  const { status, body } = answer;
  if (status === 201 && !isError(body)) {
    retryKeys.delete(key);
    mine.add(key);
    if (view.seats.set(rowIndexOf(row), column)) dirtyZones.add(zoneId);
    tickets.unshift(body);
    showResult('ok', `Seat ${row}${column} in zone ${zoneId} is yours.`, 'purchase-ok');
    renderTickets();
  } else if (status === 409 && isError(body)) {
    retryKeys.delete(key);
    if (view.seats.set(rowIndexOf(row), column)) dirtyZones.add(zoneId);
    showResult(
      'conflict',
      CONFLICTS[body.error]?.(row, column, zoneId) ?? body.message ?? body.error,
      'purchase-conflict',
    );
  } else {
    // 429, 503, 5xx: no definitive answer, so the key is kept for the retry. 4xx: nothing will change it.
    if (status < 500 && status !== 429) retryKeys.delete(key);
    const retryAfter = answer.headers.get('retry-after');
    const reason = isError(body) ? (body.message ?? body.error) : `status ${status}`;
    showResult(
      'error',
      `Seat ${row}${column} not bought: ${reason}${retryAfter ? ` (retry in ${retryAfter} s)` : ''}.`,
    );
  }
  if (current !== null) setSeatState(current, stateOf(zoneId, row, column, view.seats));
  scheduleFlush();
}

function showResult(kind: 'ok' | 'conflict' | 'error', text: string, id?: string): void {
  const result = document.getElementById('purchase-result');
  result?.replaceChildren(el('p', { class: `result result--${kind}`, text, ...(id && { attrs: { id } }) }));
}

function renderTickets(): void {
  const list = document.getElementById('tickets');
  if (list === null) return;
  list.replaceChildren(
    ...tickets.map((t) =>
      el(
        'article',
        { class: 'ticket', data: { ticketId: t.ticketId } },
        el('strong', { text: `Zone ${t.zoneId} · row ${t.row} · seat ${t.column}` }),
        el('span', { text: `${formatMoney(t.price)} · ${t.status}` }),
        el('code', { class: 'muted small', text: t.ticketId }),
      ),
    ),
  );
}

// --- start -----------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  byId<HTMLAnchorElement>('ops-link').href = `/ops?event=${encodeURIComponent(eventId)}`;
  const answer = await getJson<SaleEvent>(`/api/v1/events/${encodeURIComponent(eventId)}`);
  if (answer.status !== 200 || isError(answer.body)) {
    showMessage(
      answer.status === 404 ? `No event "${eventId}" is on sale.` : `The event could not be loaded.`,
      'error',
    );
    showLiveState(byId('live-status'), page, 'closed');
    return;
  }
  const event = answer.body;
  document.title = `${event.name} — seat map`;
  byId('event-name').textContent = event.name;
  byId('event-meta').textContent =
    `${event.eventId} · ${event.venueId} · ${new Intl.DateTimeFormat('en', { dateStyle: 'full', timeStyle: 'short' }).format(new Date(event.date))}`;
  openLiveStream(
    `/api/v1/events/${encodeURIComponent(eventId)}/seat-stream`,
    {
      snapshot: (data) => applySnapshot(data as SeatSnapshotMessage),
      seats: (data) => applyTaken(data as SeatsTakenMessage),
      freed: (data) => applyFreed(data as SeatsFreedMessage),
    },
    (state) => showLiveState(byId('live-status'), page, state),
  );
}

main().catch((error: unknown) => showMessage(`The page failed to start: ${String(error)}`, 'error'));
