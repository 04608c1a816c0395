/**
 * Wire format on the `tickets` exchange: `{pattern, data}` JSON, the envelope the @nestjs/microservices
 * RabbitMQ transport reads, so the worker can consume it with `@EventPattern(pattern)`.
 */
export interface TicketMessage<T = unknown> {
  pattern: string;
  data: T;
}

/** Builds the envelope around an already-serialized payload without parsing it again. */
export const ticketMessageJson = (pattern: string, dataJson: string): string =>
  `{"pattern":${JSON.stringify(pattern)},"data":${dataJson}}`;
