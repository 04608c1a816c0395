import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed tokens of the waiting room, HMAC-SHA256, verified in memory (no Redis round trip):
 *
 * - the queue ticket (`q`): a buyer's place (event, buyer, position), returned when they join; forging one
 *   to claim a better position would need the secret;
 * - the purchase token (`p`): admission (event, buyer), returned once the cursor has passed the position;
 *   the purchase and hold routes check it before any Redis work.
 *
 * Format: `<kind>.<kid>.<buyerId>.<eventId>.<n>.<expiresAt>.<mac>`, every field plain ASCII (identifiers
 * and numbers), the MAC base64url over everything before it. The kind is signed, so a queue ticket is never
 * accepted as a purchase token. The key id names the secret that signed: several secrets verify, the first
 * signs, so secrets rotate without invalidating the tokens in flight (see ARCHITECTURE.md, "Waiting room").
 */
export type TokenKind = 'q' | 'p';

export interface TokenClaims {
  kind: TokenKind;
  buyerId: string;
  eventId: string;
  /** The queue position (queue ticket); 0 in a purchase token. */
  position: number;
  /** ms since the epoch. */
  expiresAt: number;
}

export type TokenCheck =
  { ok: true; claims: TokenClaims } | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED' | 'WRONG_KIND' };

/** What goes between the dots: identifiers of the catalog and buyer ids (`[A-Za-z0-9_-]`), numbers. */
const FIELD = /^[A-Za-z0-9_-]{1,128}$/;
const NUMBER = /^\d{1,16}$/;
/** base64url of a 32-byte HMAC-SHA256. */
const MAC_LENGTH = 43;
/** Longest token accepted: refused before any parsing, so a huge header costs nothing. */
const MAX_TOKEN_LENGTH = 400;

interface SigningKey {
  kid: string;
  secret: Buffer;
}

/** A secret's key id: a short fingerprint, so operators list secrets only and cannot mislabel one. */
export const keyIdOf = (secret: string): string =>
  createHash('sha256')
    .update(secret)
    .digest('base64url')
    .slice(0, 8)
    .replace(/[^A-Za-z0-9]/g, 'x');

export class AdmissionTokens {
  private readonly keys: SigningKey[];
  private readonly byKid = new Map<string, Buffer>();

  /** `secrets`: the first signs, every one verifies (the ones being rotated out). */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('the waiting room needs at least one signing secret');
    this.keys = secrets.map((s) => ({ kid: keyIdOf(s), secret: Buffer.from(s, 'utf8') }));
    for (const key of this.keys) if (!this.byKid.has(key.kid)) this.byKid.set(key.kid, key.secret);
  }

  sign(claims: TokenClaims): string {
    const signer = this.keys[0]!;
    const body = [
      claims.kind,
      signer.kid,
      claims.buyerId,
      claims.eventId,
      String(claims.position),
      String(claims.expiresAt),
    ].join('.');
    return `${body}.${mac(signer.secret, body)}`;
  }

  /** Checks the signature first, then the expiry and kind: nothing from an unsigned token is believed. */
  verify(token: string | undefined, kind: TokenKind, now: number): TokenCheck {
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'MALFORMED' };
    const parts = token.split('.');
    if (parts.length !== 7) return { ok: false, reason: 'MALFORMED' };
    const [tokenKind, kid, buyerId, eventId, position, expiresAt, presented] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const secret = this.byKid.get(kid);
    if (secret === undefined || presented.length !== MAC_LENGTH) return { ok: false, reason: 'BAD_SIGNATURE' };
    const body = token.slice(0, token.length - MAC_LENGTH - 1);
    const expected = createHmac('sha256', secret).update(body).digest();
    const given = Buffer.from(presented, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return { ok: false, reason: 'BAD_SIGNATURE' };
    if (!FIELD.test(buyerId) || !FIELD.test(eventId) || !NUMBER.test(position) || !NUMBER.test(expiresAt))
      return { ok: false, reason: 'MALFORMED' };
    if (tokenKind !== kind) return { ok: false, reason: 'WRONG_KIND' };
    const expiry = Number(expiresAt);
    if (expiry <= now) return { ok: false, reason: 'EXPIRED' };
    return { ok: true, claims: { kind, buyerId, eventId, position: Number(position), expiresAt: expiry } };
  }
}

const mac = (secret: Buffer, body: string): string => createHmac('sha256', secret).update(body).digest('base64url');
