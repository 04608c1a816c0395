// The ceiling of the purchase endpoint on this machine: a bare node:http server that answers each
// POST /api/v1/tickets after exactly one EVALSHA of the platform's own reservation script (the same keys,
// the same arguments, the same outbox append) and nothing else: no framework, no validation, no relay.
// `node scripts/bench/ceiling-server.js --port P --redis URL`; prints "ready" when it listens.
const { createServer } = require('node:http');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Redis } = require('ioredis');
const { ROOT } = require('./bench-support');
const keys = require(join(ROOT, 'dist', 'purchasing', 'seat-map', 'seat-map.keys.js'));
const { newTicketId } = require(join(ROOT, 'dist', 'purchasing', 'ticket-id.js'));

const { readCliOptions } = require('../cli-options');

const options = readCliOptions({
  usage: 'node scripts/bench/ceiling-server.js --port P --redis URL',
  about: 'A bare node:http purchase endpoint: one EVALSHA of reserve-seat.lua per request (started by npm run bench).',
  options: {
    port: { type: 'number', default: 0, help: 'port to listen on (0: any free one)' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379', help: 'Redis URL' },
  },
  examples: ['node scripts/bench/ceiling-server.js --port 3100 --redis redis://127.0.0.1:6379/2'],
});
const redis = new Redis(options.redis, { enableAutoPipelining: true });
redis.defineCommand('reserveSeat', {
  numberOfKeys: 5,
  lua: readFileSync(join(ROOT, 'dist', 'purchasing', 'seat-map', 'reserve-seat.lua'), 'utf8'),
});
const STATUS = [201, 409, 409, 409, 404];

createServer((request, response) => {
  let body = '';
  request.setEncoding('utf8');
  request.on('data', (chunk) => (body += chunk));
  request.on('end', () => {
    const seat = JSON.parse(body);
    const zone = keys.zoneKeys(seat.eventId, seat.zoneId);
    redis
      .reserveSeat(
        zone.counts,
        zone.seats,
        zone.outbox,
        zone.counts,
        keys.ticketCacheKey(zone.partition, newTicketId(seat.eventId, seat.zoneId)),
        seat.row.charCodeAt(0) - 65,
        seat.column,
        keys.rowField(seat.row),
        body,
        '',
        0,
        300,
      )
      .then(
        ([code]) => {
          response.writeHead(STATUS[code] ?? 500, { 'content-type': 'application/json' });
          response.end(code === 0 ? body : '{"error":"conflict"}');
        },
        () => {
          response.writeHead(503);
          response.end();
        },
      );
  });
}).listen(options.port, '127.0.0.1', () => console.log('ready'));
