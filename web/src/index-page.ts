import './styles.css';
import { getJson, isError, type SaleEvent } from './api';
import { byId, el, showMessage } from './dom';

const dateFormat = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

async function main(): Promise<void> {
  const list = byId<HTMLUListElement>('events');
  const answer = await getJson<SaleEvent[]>('/api/v1/events');
  list.removeAttribute('aria-busy');
  if (answer.status !== 200 || isError(answer.body)) {
    showMessage(`The events could not be loaded (${answer.status}).`, 'error');
    return;
  }
  if (answer.body.length === 0) showMessage('No event is on sale yet.');
  for (const event of answer.body) {
    const path = `/events/${encodeURIComponent(event.eventId)}`;
    list.append(
      el(
        'li',
        { class: 'event-card' },
        el('a', { class: 'event-link', text: event.name, attrs: { href: path } }),
        el('span', { class: 'muted', text: `${event.eventId} · ${event.venueId} · ${event.type}` }),
        el('span', { text: dateFormat.format(new Date(event.date)) }),
        el(
          'span',
          { class: 'event-actions' },
          el('a', { class: 'button', text: 'Seat map', attrs: { href: path } }),
          el('a', { text: 'Operations', attrs: { href: `/ops?event=${encodeURIComponent(event.eventId)}` } }),
        ),
      ),
    );
  }
}

main().catch((error: unknown) => showMessage(`The events could not be loaded: ${String(error)}`, 'error'));
