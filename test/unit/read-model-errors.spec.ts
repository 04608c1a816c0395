import { ConnectionException, SyntaxErrorException, UniqueConstraintViolationException } from '@mikro-orm/core';
import { isReadModelUnavailable } from '../../src/read-model/read-model-errors';

const withCode = (code: string, message = code): Error => Object.assign(new Error(message), { code });

describe("the read model's MySQL outage classifier", () => {
  it('counts MikroORM refusing to connect (bad credentials, a missing database) as unavailable', () => {
    // given the driver's "unknown database" wrapped by MikroORM's converter, then it is an outage, not a bug
    const unknownDatabase = Object.assign(new Error("Unknown database 'tickets'"), { errno: 1049 });
    expect(isReadModelUnavailable(new ConnectionException(unknownDatabase))).toBe(true);
  });

  it('counts a network failure or a full server as unavailable', () => {
    // given the socket's and the server's codes for "cannot take a connection now", then each is an outage
    for (const code of [
      'ECONNREFUSED',
      'ECONNRESET',
      'ETIMEDOUT',
      'EHOSTUNREACH',
      'ENOTFOUND',
      'EPIPE',
      'PROTOCOL_CONNECTION_LOST',
      'ER_CON_COUNT_ERROR',
    ]) {
      expect(isReadModelUnavailable(withCode(code))).toBe(true);
    }
  });

  it('finds the network failure under the errors that wrap it', () => {
    // given ECONNREFUSED three causes deep, when classified, then it is still an outage
    const wrapped = new Error('query failed', {
      cause: new Error('pool', { cause: new Error('socket', { cause: withCode('ECONNREFUSED') }) }),
    });
    expect(isReadModelUnavailable(wrapped)).toBe(true);
  });

  it('looks no deeper than four levels, so a cyclic cause cannot hang it', () => {
    // given a cause chain that loops on itself, when classified, then it answers (false) instead of looping
    const cyclic: Error & { cause?: unknown } = new Error('cyclic');
    cyclic.cause = cyclic;
    expect(isReadModelUnavailable(cyclic)).toBe(false);
  });

  it('does not hide a bug or a data conflict behind a 503', () => {
    // given errors that another attempt would repeat, then none is an outage
    expect(isReadModelUnavailable(new SyntaxErrorException(withCode('ER_PARSE_ERROR', 'syntax error')))).toBe(false);
    expect(isReadModelUnavailable(new UniqueConstraintViolationException(withCode('ER_DUP_ENTRY')))).toBe(false);
    expect(isReadModelUnavailable(new TypeError('cannot read properties of undefined'))).toBe(false);
    expect(isReadModelUnavailable(undefined)).toBe(false);
    expect(isReadModelUnavailable('ECONNREFUSED')).toBe(false);
  });
});
