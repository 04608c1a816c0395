import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../../platform/config/app-config';
import type { RedisClient } from '../../platform/redis/redis.factory';
import { buyerQuotaKey } from './buyer-quota.keys';
import type { BuyerQuota, QuotaClaim } from './buyer-quota.port';
import { parseQuotaEntry, type QuotaEntry } from './quota-entry';

const script = (name: string): string => readFileSync(join(__dirname, name), 'utf8');

export interface BuyerQuotaSettings {
  /** Seats one buyer may hold and own per event. */
  readonly limit: number;
  /** How long after a claim its seats may be taken (the claim's notAfter). */
  readonly claimMs: number;
  /** Added to a hold's expiresAt: clock skew between shards, and time for a confirm to mark the claim sold. */
  readonly graceMs: number;
  /** The longest a hold lasts (HOLD_TTL_SECONDS): a pending claim counts that long (+ grace) past notAfter. */
  readonly longestHoldMs: number;
}

export function buyerQuotaSettings(
  config: Pick<AppConfig, 'MAX_SEATS_PER_BUYER_PER_EVENT' | 'BUYER_QUOTA_CLAIM_SECONDS' | 'BUYER_QUOTA_GRACE_SECONDS'>,
  longestHoldSeconds: number,
): BuyerQuotaSettings {
  return {
    limit: config.MAX_SEATS_PER_BUYER_PER_EVENT,
    claimMs: config.BUYER_QUOTA_CLAIM_SECONDS * 1000,
    graceMs: config.BUYER_QUOTA_GRACE_SECONDS * 1000,
    longestHoldMs: longestHoldSeconds * 1000,
  };
}

interface QuotaScripts {
  claimQuota(
    ledger: string,
    claimId: string,
    seats: number,
    limit: number,
    claimMs: number,
    keepMs: number,
  ): Promise<number[]>;
  markQuota(ledger: string, ...args: (string | number)[]): Promise<number[]>;
}

/**
 * The per-buyer limit on Redis: one hash per buyer and event (buyer-quota.keys.ts), claim-quota.lua to
 * claim, mark-quota.lua for the rest. Scripts run by SHA through `defineCommand`, as the seat map's do.
 * Each call is one command on the buyer's slot; on a cluster that slot is usually on another shard than
 * the zone's, which is the point: see ARCHITECTURE.md "Per-buyer limit across shards".
 */
export class RedisBuyerQuota implements BuyerQuota {
  private readonly scripts: QuotaScripts;

  constructor(
    private readonly redis: RedisClient,
    private readonly settings: BuyerQuotaSettings,
  ) {
    redis.defineCommand('claimQuota', { numberOfKeys: 1, lua: script('claim-quota.lua') });
    redis.defineCommand('markQuota', { numberOfKeys: 1, lua: script('mark-quota.lua') });
    this.scripts = redis as unknown as QuotaScripts;
  }

  async claim(eventId: string, buyerId: string, claimId: string, seats: number): Promise<QuotaClaim> {
    const { limit, claimMs, graceMs, longestHoldMs } = this.settings;
    const reply = await this.scripts.claimQuota(
      buyerQuotaKey(eventId, buyerId),
      claimId,
      seats,
      limit,
      claimMs,
      longestHoldMs + graceMs,
    );
    if (reply[0] === 0) return { ok: true, notAfter: reply[1]! };
    if (reply[0] === 1) return { ok: false, code: 'BUYER_LIMIT', held: reply[1]!, limit };
    throw new Error(`claim-quota.lua returned an unknown code ${reply[0]}`);
  }

  async held(eventId: string, buyerId: string, claimId: string, seats: number, expiresAt: number): Promise<void> {
    const until = expiresAt + this.settings.graceMs;
    await this.scripts.markQuota(buyerQuotaKey(eventId, buyerId), 'held', claimId, seats, until);
  }

  async sold(eventId: string, buyerId: string, claimId: string): Promise<boolean> {
    const reply = await this.scripts.markQuota(buyerQuotaKey(eventId, buyerId), 'sold', claimId);
    return reply[0] === 1;
  }

  async release(eventId: string, buyerId: string, claimId: string): Promise<void> {
    await this.scripts.markQuota(buyerQuotaKey(eventId, buyerId), 'release', claimId);
  }

  async refund(eventId: string, buyerId: string, claimId: string, refundId: string, seats: number): Promise<boolean> {
    const reply = await this.scripts.markQuota(buyerQuotaKey(eventId, buyerId), 'refund', claimId, refundId, seats);
    return reply[0] === 1;
  }

  /** The buyer's ledger as stored (refund markers included), for queries and checks; expired entries too. */
  async entries(eventId: string, buyerId: string): Promise<Map<string, QuotaEntry>> {
    const raw = await this.redis.hgetall(buyerQuotaKey(eventId, buyerId));
    return new Map(Object.entries(raw).map(([claimId, value]) => [claimId, parseQuotaEntry(value)]));
  }
}
