/**
 * Wire format on the `tickets` exchange: `{pattern, data}` JSON, the envelope of the @nestjs/microservices
 * transports. `data` is an array of event payloads: the relay packs up to OUTBOX_TICKETS_PER_MESSAGE events
 * of one type into a message, because the broker's per-message cost (persisting, replicating, confirming)
 * on a shared 2-core machine halved purchase throughput with one ticket per message.
 * Consumers are idempotent per ticket, so a redelivered batch is harmless.
 */
export interface TicketMessage<T = unknown> {
  pattern: string;
  data: T[];
}

/** Builds the envelope around already-serialized payloads without parsing them again. */
export const ticketMessageJson = (pattern: string, dataJson: readonly string[]): string =>
  `{"pattern":${JSON.stringify(pattern)},"data":[${dataJson.join(',')}]}`;
