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

describe('waiting room tokens', () => {
  it('verifies what it signed, with the claims it signed', () => {
    const tokens = new AdmissionTokens([NEW]);
    expect(tokens.verify(tokens.sign(purchase), 'p', NOW)).toEqual({ ok: true, claims: purchase });
  });

  it('names the signing key in the token and keeps verifying tokens of a secret being rotated out', () => {
    // given a token signed before the rotation
    const before = new AdmissionTokens([OLD]).sign(purchase);
    // when the new secret is put first
    const after = new AdmissionTokens([NEW, OLD]);
    // then the old token still verifies, new tokens carry the new key id
    expect(after.verify(before, 'p', NOW).ok).toBe(true);
    expect(after.sign(purchase).split('.')[1]).toBe(keyIdOf(NEW));
    // and once the old secret is dropped, its tokens are refused
    expect(new AdmissionTokens([NEW]).verify(before, 'p', NOW)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses a token whose claims were changed (another buyer, event, expiry or position)', () => {
    const tokens = new AdmissionTokens([NEW]);
    const token = tokens.sign({ ...purchase, kind: 'q', position: 500 });
    const parts = token.split('.');
    for (const [index, value] of [
      [2, 'buyer-2'],
      [3, 'event-2'],
      [4, '1'],
      [5, String(NOW + 9_999_999)],
    ] as const) {
      const forged = [...parts];
      forged[index] = value;
      expect(tokens.verify(forged.join('.'), 'q', NOW)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    }
  });

  it('refuses a token signed with another secret, an expired one, and a queue ticket used as a purchase token', () => {
    const tokens = new AdmissionTokens([NEW]);
    const forged = new AdmissionTokens(['attacker-secret-0123456789-0123456789']).sign(purchase);
    expect(tokens.verify(forged, 'p', NOW)).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(tokens.verify(tokens.sign(purchase), 'p', purchase.expiresAt)).toEqual({ ok: false, reason: 'EXPIRED' });
    expect(tokens.verify(tokens.sign({ ...purchase, kind: 'q' }), 'p', NOW)).toEqual({
      ok: false,
      reason: 'WRONG_KIND',
    });
  });

  it.each([undefined, '', 'x', 'a.b.c.d.e.f.g', 'p'.repeat(401), `${'p.'.repeat(6)}${'A'.repeat(43)}`])(
    'refuses the malformed token %p',
    (token) => {
      const result = new AdmissionTokens([NEW]).verify(token, 'p', NOW);
      expect(result.ok).toBe(false);
    },
  );
});
