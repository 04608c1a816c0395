/** The platform's REST API as the pages use it (same origin: the API process serves the pages). */

export interface SaleEvent {
  eventId: string;
  venueId: string;
  name: string;
  type: string;
  date: string;
}

export interface Ticket {
  ticketId: string;
  venueId: string;
  eventId: string;
  zoneId: number;
  row: string;
  column: number;
  price: number;
  status: string;
  createdOn: string;
}

export interface ErrorBody {
  error: string;
  message?: string;
}

export interface ApiAnswer<T> {
  status: number;
  body: T | ErrorBody;
  headers: Headers;
}

export async function getJson<T>(path: string): Promise<ApiAnswer<T>> {
  const response = await fetch(path, { headers: { accept: 'application/json' } });
  return { status: response.status, body: (await response.json()) as T | ErrorBody, headers: response.headers };
}

export interface SeatRequest {
  venueId: string;
  eventId: string;
  zoneId: number;
  row: string;
  column: number;
}

/**
 * POST /api/v1/tickets. The caller keeps `idempotencyKey` for the seat until it gets an answer, so a retry
 * after a lost response returns the same ticket instead of buying twice.
 */
export async function buySeat(seat: SeatRequest, idempotencyKey: string): Promise<ApiAnswer<Ticket>> {
  const response = await fetch('/api/v1/tickets', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
    body: JSON.stringify(seat),
  });
  return { status: response.status, body: (await response.json()) as Ticket | ErrorBody, headers: response.headers };
}

export const isError = (body: unknown): body is ErrorBody =>
  typeof body === 'object' && body !== null && typeof (body as ErrorBody).error === 'string';
