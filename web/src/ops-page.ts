import './styles.css';
import type { OpsSnapshot } from '../../src/live/live-messages';
import { getJson, isError, type SaleEvent } from './api';
import { byId, el, formatCount, formatMoney, formatRate, showMessage, svg } from './dom';
import { openLiveStream, showLiveState } from './live-stream';
import { tierColours } from './price-tiers';

interface RatePoint {
  created: number;
  conflict: number;
  other: number;
}

const page = byId('ops-page');
const HISTORY = 120;
const rates: RatePoint[] = [];
let stopStream: (() => void) | undefined;

const CREATED = ['RESERVED', 'REPLAYED'];
const CONFLICT = ['SEAT_TAKEN', 'ROW_SOLD_OUT', 'ZONE_SOLD_OUT'];

function kpi(label: string, value: string, note = '', id = ''): HTMLElement {
  return el(
    'div',
    { class: 'kpi', ...(id && { attrs: { id } }) },
    el('span', { class: 'kpi-label', text: label }),
    el('strong', { class: 'kpi-value', text: value }),
    el('span', { class: 'kpi-note muted', text: note }),
  );
}

const orDash = (value: number | null | undefined, format: (n: number) => string = formatCount): string =>
  value === null || value === undefined ? '—' : format(value);

function render(snapshot: OpsSnapshot): void {
  const { event, purchases, pipelines, checkpoints } = snapshot;
  if (purchases.perSecond !== null) {
    rates.push({
      created: purchases.perSecond.created,
      conflict: purchases.perSecond.conflict,
      other: purchases.perSecond.other,
    });
    if (rates.length > HISTORY) rates.shift();
  }
  const capacity = event?.zones.reduce((sum, z) => sum + z.capacity, 0) ?? 0;
  const reserved = checkpoints.find((c) => c.pipeline === 'ticket-reserved');
  const writeStore = pipelines.find((p) => p.name === 'write-store');
  byId('kpis').replaceChildren(
    kpi(
      'Tickets sold',
      orDash(event?.ticketsSold),
      event?.ticketsSold != null && capacity > 0
        ? `${((event.ticketsSold / capacity) * 100).toFixed(1)} % of ${formatCount(capacity)}`
        : 'read model',
      'kpi-sold',
    ),
    kpi('Revenue', orDash(event?.revenue, formatMoney), 'read model', 'kpi-revenue'),
    kpi('Reservations / s', formatRate(event?.reservedPerSecond), 'this event, every API process'),
    kpi(
      'Purchases / s',
      formatRate(purchases.perSecond?.total),
      purchases.perSecond
        ? `201: ${formatRate(purchases.perSecond.created)} · 409: ${formatRate(purchases.perSecond.conflict)}`
        : 'this API process',
    ),
    kpi('Outbox backlog', orDash(snapshot.outboxBacklog), 'not yet confirmed by the broker', 'kpi-outbox'),
    kpi(
      'Read-model lag',
      reserved?.lastLagSeconds == null ? '—' : `${reserved.lastLagSeconds.toFixed(2)} s`,
      `write store waiting: ${orDash(writeStore?.ready)} msgs`,
    ),
  );
  renderRateChart();
  renderOutcomeMix(purchases.outcomes);
  renderPipelines(snapshot);
  renderZones(snapshot);
  page.dataset['updated'] = snapshot.at;
}

function renderRateChart(): void {
  const width = 600;
  const height = 140;
  const max = Math.max(1, ...rates.map((p) => p.created + p.conflict + p.other));
  // A short history is spread over at least half a minute's width rather than squeezed to the right edge.
  const span = Math.max(30, rates.length);
  const x = (i: number) => width - (rates.length - 1 - i) * (width / (span - 1));
  const y = (v: number) => height - (v / max) * (height - 10);
  const line = (pick: (p: RatePoint) => number, cls: string) =>
    svg('polyline', {
      class: cls,
      points: rates.map((p, i) => `${x(i).toFixed(1)},${y(pick(p)).toFixed(1)}`).join(' '),
    });
  byId('rate-chart').replaceChildren(
    svg(
      'svg',
      {
        viewBox: `0 0 ${width} ${height}`,
        preserveAspectRatio: 'none',
        role: 'img',
        'aria-label': 'purchases per second',
      },
      svg('line', { class: 'axis', x1: 0, y1: height - 0.5, x2: width, y2: height - 0.5 }),
      line((p) => p.created + p.conflict + p.other, 'rate-total'),
      line((p) => p.created, 'rate-created'),
      line((p) => p.conflict, 'rate-conflict'),
    ),
    el(
      'p',
      { class: 'chart-legend small muted' },
      el('span', { class: 'key key-total' }),
      ' all answers ',
      el('span', { class: 'key key-created' }),
      ' 201 ',
      el('span', { class: 'key key-conflict' }),
      ` 409 — peak ${formatRate(max)}/s`,
    ),
  );
}

function renderOutcomeMix(outcomes: Record<string, number>): void {
  const sum = (names: string[]) => names.reduce((total, name) => total + (outcomes[name] ?? 0), 0);
  const created = sum(CREATED);
  const conflict = sum(CONFLICT);
  const total = Object.values(outcomes).reduce((a, b) => a + b, 0);
  const other = total - created - conflict;
  const bar = el('div', { class: 'mix-bar', attrs: { role: 'img', 'aria-label': 'outcome mix' } });
  for (const [count, cls] of [
    [created, 'mix-created'],
    [conflict, 'mix-conflict'],
    [other, 'mix-other'],
  ] as const) {
    const part = el('span', { class: cls });
    part.style.setProperty('--share', total === 0 ? '0' : String(count / total));
    bar.append(part);
  }
  const pct = (n: number) => (total === 0 ? '' : ` (${((n / total) * 100).toFixed(1)} %)`);
  byId('outcome-mix').replaceChildren(
    el('h3', { class: 'small', text: 'Outcome mix since this API process started' }),
    bar,
    el(
      'p',
      { class: 'small', attrs: { id: 'outcome-counts' } },
      el('span', { class: 'key key-created' }),
      ` 201: ${formatCount(created)}${pct(created)}  `,
      el('span', { class: 'key key-conflict' }),
      ` 409: ${formatCount(conflict)}${pct(conflict)}  `,
      el('span', { class: 'key key-other' }),
      ` other: ${formatCount(other)}`,
    ),
  );
}

function renderPipelines({ pipelines, checkpoints, feed, waitingRooms }: OpsSnapshot): void {
  const head = (...names: string[]) => el('tr', {}, ...names.map((n) => el('th', { text: n })));
  const row = (...cells: string[]) => el('tr', {}, ...cells.map((c) => el('td', { text: c })));
  byId('pipelines').replaceChildren(
    head('Pipeline', 'Waiting (messages)', 'Consumers', 'Dead letters'),
    ...pipelines.map((p) =>
      row(p.name, orDash(p.ready), p.consumers === 0 ? '0 — no worker!' : orDash(p.consumers), orDash(p.deadLetters)),
    ),
  );
  byId('checkpoints').replaceChildren(
    head('Read-model checkpoint', 'Events applied', 'Purchase → projected', 'Last batch'),
    ...checkpoints.map((c) =>
      row(
        c.pipeline,
        formatCount(c.eventsApplied),
        c.lastLagSeconds === null ? '—' : `${c.lastLagSeconds.toFixed(2)} s`,
        c.idleSeconds === null ? '—' : `${c.idleSeconds.toFixed(0)} s ago`,
      ),
    ),
  );
  // Only while some event has a waiting room: an empty table would be noise.
  byId('waiting-rooms').replaceChildren(
    ...(waitingRooms.length === 0
      ? []
      : [
          head('Waiting room', 'Admit / s', 'Queue', 'Admitted / s', 'Expected wait'),
          ...waitingRooms.map((r) =>
            row(
              r.eventId,
              formatCount(r.admitPerSecond),
              formatCount(r.queueLength),
              orDash(r.admittedPerSecond),
              `${formatCount(r.expectedWaitSeconds)} s`,
            ),
          ),
        ]),
  );
  byId('feed').textContent = feed.connected
    ? `Live feed connected${feed.lastDelayMs === null ? '' : `; purchase → feed ${formatCount(feed.lastDelayMs)} ms (last message)`}.`
    : 'Live feed not connected to the broker.';
}

function renderZones({ event }: OpsSnapshot): void {
  const bars = byId('zone-bars');
  const table = byId('zone-table');
  if (event === null) {
    bars.replaceChildren(el('p', { class: 'muted', text: 'Choose an event.' }));
    table.replaceChildren();
    return;
  }
  const colours = tierColours(event.zones.map((z) => z.price));
  bars.replaceChildren(
    ...event.zones.map((z) => {
      const bar = el('span', {
        class: 'zone-bar',
        title: `zone ${z.zoneId}: ${formatCount(z.sold)} of ${formatCount(z.capacity)} · ${formatMoney(z.revenue)}`,
      });
      bar.style.setProperty('--fill', String(z.capacity === 0 ? 0 : z.sold / z.capacity));
      bar.style.setProperty('--tier', colours.get(z.price) ?? '#64748b');
      return bar;
    }),
  );
  // Four columns read top to bottom: zones 1-25 in the first.
  table.style.setProperty('--rows', String(Math.ceil(event.zones.length / 4)));
  table.replaceChildren(
    ...event.zones.map((z) =>
      el(
        'div',
        { class: 'zone-row', data: { zone: String(z.zoneId) } },
        el('span', { text: `Zone ${z.zoneId}` }),
        el('span', { class: 'muted', text: formatMoney(z.price) }),
        el('span', { text: `${formatCount(z.sold)} / ${formatCount(z.capacity)}` }),
        el('strong', { text: formatMoney(z.revenue) }),
      ),
    ),
  );
}

function watch(eventId: string | undefined): void {
  stopStream?.();
  rates.length = 0;
  const query = eventId === undefined ? '' : `?eventId=${encodeURIComponent(eventId)}`;
  stopStream = openLiveStream(`/api/v1/ops/stream${query}`, { ops: (data) => render(data as OpsSnapshot) }, (state) =>
    showLiveState(byId('live-status'), page, state),
  );
}

async function main(): Promise<void> {
  const select = byId<HTMLSelectElement>('event-select');
  const answer = await getJson<SaleEvent[]>('/api/v1/events');
  const events = answer.status === 200 && !isError(answer.body) ? answer.body : [];
  if (events.length === 0) showMessage('No event is on sale: only the global figures are shown.');
  const wanted = new URLSearchParams(location.search).get('event');
  const selected = events.find((e) => e.eventId === wanted)?.eventId ?? events[0]?.eventId;
  for (const event of events) {
    select.append(el('option', { text: `${event.name} (${event.eventId})`, attrs: { value: event.eventId } }));
  }
  if (selected !== undefined) select.value = selected;
  select.addEventListener('change', () => {
    const url = new URL(location.href);
    url.searchParams.set('event', select.value);
    rates.length = 0;
    window.history.replaceState(null, '', url);
    watch(select.value);
  });
  watch(selected);
}

main().catch((error: unknown) => showMessage(`The page failed to start: ${String(error)}`, 'error'));
