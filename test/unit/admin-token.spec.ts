import { isAdminAuthorized } from '../../src/platform/http/bearer-token';

describe('admin bearer token', () => {
  const token = 'the-right-admin-token';
  it('accepts exactly "Bearer <token>"', () => {
    expect(isAdminAuthorized(`Bearer ${token}`, token)).toBe(true);
  });
  it.each([undefined, '', token, `Bearer ${token}x`, `Bearer ${token.slice(1)}`, `Basic ${token}`, 'Bearer '])(
    'refuses %p',
    (header) => {
      expect(isAdminAuthorized(header, token)).toBe(false);
    },
  );
});
