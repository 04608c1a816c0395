import { Writable } from 'node:stream';
import { JsonLogger } from '../../src/platform/logging/json-logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('JSON logs', () => {
  it('writes one JSON object per line with level, context and message, and drops levels below the configured one', () => {
    const out = capture();
    const logger = new JsonLogger('log', out.stream);
    logger.log('listening', 'Api');
    logger.debug('not shown', 'Api');
    logger.error({ msg: 'boom', requestId: 'r-1', stack: 'Error: boom\n    at x' }, 'HttpErrors');
    const [info, error, ...rest] = out.lines();
    expect(rest).toEqual([]);
    expect(info).toMatchObject({ level: 30, context: 'Api', msg: 'listening', pid: process.pid });
    expect(typeof info!['time']).toBe('number');
    expect(error).toMatchObject({ level: 50, context: 'HttpErrors', msg: 'boom', requestId: 'r-1' });
  });
});
