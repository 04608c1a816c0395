/*
 * Which TicketCreation wins when several writers put one ticket's record. Each writer derives the record from
 * the seat stream as it read it, and the writes may land in any order (two workers, a slow connection, a
 * redelivery): a RESERVED derived before the ticket's refund can land after the REFUNDED derived after it.
 * So a record carries the stream version of the last item it reflects, and only a higher version replaces it.
 * A ticket's items never change, so two records at one version are the same record.
 */
import type { TicketCreation } from './ticket-write-store.port';

/** A TicketCreation as the write store puts it: with the version of its ticket's last item on the stream. */
export interface TicketRecord extends TicketCreation {
  /** Its reservation's (or refusal's) version, or its refund's once it has one. */
  readonly streamVersion: number;
}

/** A record as read back: one written before records carried a version has none. */
export type StoredTicketRecord = TicketCreation & { readonly streamVersion?: number };

/**
 * Whether `incoming` may replace `stored`: only a newer state of the ticket does. A record without a
 * version counts as version 0, so any derived record replaces it (a RESERVED written before refunds existed
 * becomes REFUNDED), except a REFUNDED one: refunded is the last state a ticket reaches, so only a REFUNDED
 * (the same record, now with its version) replaces it.
 */
export function supersedes(incoming: TicketRecord, stored: StoredTicketRecord | undefined): boolean {
  if (stored === undefined) return true;
  if (stored.streamVersion === undefined) return stored.status !== 'REFUNDED' || incoming.status === 'REFUNDED';
  return incoming.streamVersion > stored.streamVersion;
}

/** `supersedes` as the ConditionExpression of the record's PutItem. */
export function supersedeCondition(incoming: TicketRecord): {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues: Record<string, { N: string } | { S: string }>;
} {
  const version = { ':version': { N: String(incoming.streamVersion) } };
  if (incoming.status === 'REFUNDED') {
    // No item at all has no streamVersion either.
    return {
      ConditionExpression: 'attribute_not_exists(streamVersion) OR streamVersion < :version',
      ExpressionAttributeValues: version,
    };
  }
  return {
    ConditionExpression:
      'attribute_not_exists(ticketId) OR streamVersion < :version OR ' +
      '(attribute_not_exists(streamVersion) AND #status <> :refunded)',
    // `status` is one of DynamoDB's reserved words.
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ...version, ':refunded': { S: 'REFUNDED' } },
  };
}
