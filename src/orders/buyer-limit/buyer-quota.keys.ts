import { fnv1a } from '../../purchasing/seat-map/seat-map.keys';

/**
 * The buyer's ledger for one event: `buyer:{b<hash>}:<eventId>:<buyerId>`, a hash of claim id →
 * `<seats>|<state>|<untilMs>` (quota-entry.ts). Every claim of one buyer for one event is in this one key,
 * so one Redis Cluster slot orders them all, wherever the zones' slots are. The tag is a hash of
 * `eventId|buyerId` rather than the ids themselves: a buyer id is opaque and may contain `{` or `}`, which
 * would move the tag; two buyers sharing a tag only share a slot.
 */
export function buyerQuotaKey(eventId: string, buyerId: string): string {
  return `buyer:{b${fnv1a(`${eventId}|${buyerId}`).toString(36)}}:${eventId}:${buyerId}`;
}
