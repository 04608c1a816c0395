import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';

/**
 * Signed tokens of the waiting room, HMAC-SHA256, verified in memory (no Redis round trip):
 *
 * - the queue ticket (`q`): a buyer's place (event, buyer, position), returned when they join; forging one
 *   to claim a better position would need the secret;
 * - the purchase token (`p`): admission (event, buyer), returned once the cursor has passed the position;
 *   the purchase and hold routes check it before any Redis work.
 *
 * Format: `<kind>.<kid>.<buyerId>.<position>.<expiry>.<mac>`, position and expiry (seconds) in base 36. The
 * MAC covers the kind, the key id, the buyer, the event, the position and the expiry; the event is not
 * written in the token because every request that carries one names it (the path, the purchase body), so
 * a token presented for another event fails the MAC like a forgery. The tag is the HMAC truncated to 128
 * bits (22 base64url characters), which keeps a queue ticket under the router's 100-character limit on a
 * path parameter. The kind is signed, so a queue ticket is never accepted as a purchase token. The key id
 * names the secret that signed: several secrets verify, the first signs, so secrets rotate without
 * invalidating the tokens in flight (see ARCHITECTURE.md, "Waiting room").
 */
export type TokenKind = 'q' | 'p';

export interface TokenClaims {
  kind: TokenKind;
  buyerId: string;
  eventId: string;
  /** The queue position (queue ticket); 0 in a purchase token. */
  position: number;
  /** ms since the epoch, whole seconds. */
  expiresAt: number;
}

export type TokenCheck =
  { ok: true; claims: TokenClaims } | { ok: false; reason: 'MALFORMED' | 'BAD_SIGNATURE' | 'EXPIRED' | 'WRONG_KIND' };

/** Buyer ids: the catalog's identifier alphabet, at most 40 characters (a UUID fits). */
export const BUYER_ID = /^[A-Za-z0-9_-]{1,40}$/;
const BASE36 = /^[0-9a-z]{1,11}$/;
/** base64url of the first 16 bytes of the HMAC. */
const TAG_BYTES = 16;
const TAG_LENGTH = 22;
/** Longest token accepted: refused before any parsing, so a huge header costs nothing. */
const MAX_TOKEN_LENGTH = 128;

interface SigningKey {
  kid: string;
  /** A KeyObject, not a Buffer: createHmac with a Buffer key took 19 µs a call here, with a KeyObject 3.6 µs. */
  secret: KeyObject;
}

/** A secret's key id: a short fingerprint, so operators list secrets only and cannot mislabel one. */
export const keyIdOf = (secret: string): string => createHash('sha256').update(secret).digest('hex').slice(0, 6);

const tag = (secret: KeyObject, signed: string): Buffer =>
  createHmac('sha256', secret).update(signed).digest().subarray(0, TAG_BYTES);

const signedText = (kind: string, kid: string, buyerId: string, eventId: string, position: string, expiry: string) =>
  `${kind}.${kid}.${buyerId}.${eventId}.${position}.${expiry}`;

export class AdmissionTokens {
  private readonly keys: SigningKey[];
  private readonly byKid = new Map<string, KeyObject>();

  /** `secrets`: the first signs, every one verifies (the ones being rotated out). */
  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('the waiting room needs at least one signing secret');
    this.keys = secrets.map((s) => ({ kid: keyIdOf(s), secret: createSecretKey(Buffer.from(s, 'utf8')) }));
    for (const key of this.keys) if (!this.byKid.has(key.kid)) this.byKid.set(key.kid, key.secret);
  }

  sign(claims: TokenClaims): string {
    const signer = this.keys[0]!;
    const position = claims.position.toString(36);
    const expiry = Math.floor(claims.expiresAt / 1000).toString(36);
    const mac = tag(
      signer.secret,
      signedText(claims.kind, signer.kid, claims.buyerId, claims.eventId, position, expiry),
    ).toString('base64url');
    return `${claims.kind}.${signer.kid}.${claims.buyerId}.${position}.${expiry}.${mac}`;
  }

  /**
   * Checks the signature first (for `eventId`, the event of the request), then the expiry and kind: nothing
   * from an unsigned token is believed.
   */
  verify(token: string | undefined, kind: TokenKind, eventId: string, now: number): TokenCheck {
    if (token === undefined || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'MALFORMED' };
    const parts = token.split('.');
    if (parts.length !== 6) return { ok: false, reason: 'MALFORMED' };
    const [tokenKind, kid, buyerId, position, expiry, presented] = parts as [
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const secret = this.byKid.get(kid);
    if (secret === undefined || presented.length !== TAG_LENGTH) return { ok: false, reason: 'BAD_SIGNATURE' };
    const expected = tag(secret, signedText(tokenKind, kid, buyerId, eventId, position, expiry));
    const given = Buffer.from(presented, 'base64url');
    if (given.length !== TAG_BYTES || !timingSafeEqual(given, expected)) return { ok: false, reason: 'BAD_SIGNATURE' };
    if (!BUYER_ID.test(buyerId) || !BASE36.test(position) || !BASE36.test(expiry))
      return { ok: false, reason: 'MALFORMED' };
    if (tokenKind !== kind) return { ok: false, reason: 'WRONG_KIND' };
    const expiresAt = parseInt(expiry, 36) * 1000;
    if (expiresAt <= now) return { ok: false, reason: 'EXPIRED' };
    return { ok: true, claims: { kind, buyerId, eventId, position: parseInt(position, 36), expiresAt } };
  }
}
