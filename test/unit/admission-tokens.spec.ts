import { AdmissionTokens, keyIdOf, type TokenClaims } from '../../src/waiting-room/admission-tokens';

const OLD = 'old-secret-0123456789-0123456789-abcdef';
const NEW = 'new-secret-0123456789-0123456789-abcdef';
const NOW = 1_800_000_000_000;
const purchase: TokenClaims = {
  kind: 'p',
  buyerId: 'buyer-1',
  eventId: 'event-1',
  position: 0,
  expiresAt: NOW + 60_000,
};
const verify = (tokens: AdmissionTokens, token: string | undefined, kind: 'p' | 'q' = 'p', now = NOW) =>
  tokens.verify(token, kind, purchase.eventId, now);

describe('waiting room tokens', () => {
  it('verifies what it signed, with the claims it signed', () => {
    const tokens = new AdmissionTokens([NEW]);
    expect(verify(tokens, tokens.sign(purchase))).toEqual({ ok: true, claims: purchase });
    const ticket = { ...purchase, kind: 'q' as const, position: 123_456 };
    expect(verify(tokens, tokens.sign(ticket), 'q')).toEqual({ ok: true, claims: ticket });
  });

  it('keeps a queue ticket of the longest buyer id within the router limit of 100 characters on a path parameter', () => {
    const ticket = new AdmissionTokens([NEW]).sign({
      ...purchase,
      kind: 'q',
      buyerId: 'b'.repeat(40),
      position: 99_999_999,
      expiresAt: Date.UTC(2100, 0, 1),
    });
    expect(ticket.length).toBeLessThanOrEqual(100);
  });

  it('names the signing key in the token and keeps verifying tokens of a secret being rotated out', () => {
    // given a token signed before the rotation
    const before = new AdmissionTokens([OLD]).sign(purchase);
    // when the new secret is put first
    const after = new AdmissionTokens([NEW, OLD]);
    // then the old token still verifies, new tokens carry the new key id
    expect(verify(after, before).ok).toBe(true);
    expect(after.sign(purchase).split('.')[1]).toBe(keyIdOf(NEW));
    // and once the old secret is dropped, its tokens are refused
    expect(verify(new AdmissionTokens([NEW]), before)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a token whose claims were changed (another buyer, position or expiry) or presented for another event', () => {
    const tokens = new AdmissionTokens([NEW]);
    const token = tokens.sign({ ...purchase, kind: 'q', position: 500 });
    const parts = token.split('.');
    for (const [index, value] of [
      [2, 'buyer-2'],
      [3, '1'],
      [4, (NOW / 1000 + 9_999_999).toString(36)],
    ] as const) {
      const forged = [...parts];
      forged[index] = value;
      expect(verify(tokens, forged.join('.'), 'q')).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    }
    expect(tokens.verify(token, 'q', 'event-2', NOW)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a token signed with another secret, an expired one, and a queue ticket used as a purchase token', () => {
    const tokens = new AdmissionTokens([NEW]);
    const forged = new AdmissionTokens(['attacker-secret-0123456789-0123456789']).sign(purchase);
    expect(verify(tokens, forged)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(verify(tokens, tokens.sign(purchase), 'p', purchase.expiresAt)).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(verify(tokens, tokens.sign({ ...purchase, kind: 'q' }))).toEqual({ ok: false, reason: 'WRONG_KIND' });
  });

  it.each([undefined, '', 'x', 'a.b.c.d.e.f', 'p'.repeat(129), `p.${keyIdOf(NEW)}.b.0.zz.${'A'.repeat(22)}`])(
    'refuses the malformed or unsigned token %p',
    (token) => {
      expect(verify(new AdmissionTokens([NEW]), token).ok).toBe(false);
    },
  );
});
