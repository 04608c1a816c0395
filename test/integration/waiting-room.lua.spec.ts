import { Redis } from 'ioredis';
import { createRedis, createRedisClient, type RedisClient } from '../../src/platform/redis/redis.factory';
import { admittedCursor, afterJoin, type RoomState } from '../../src/waiting-room/admission-cursor';
import { RedisWaitingRooms } from '../../src/waiting-room/redis-waiting-rooms';
import { ROOM_INDEX_KEY, roomKeys } from '../../src/waiting-room/waiting-room.keys';
import { RedisClusterHarness, redisClusterUnavailable } from '../support/redis-cluster';
import { describeIf } from '../support/skip';
import { freshEventId, testConfig } from '../support/test-config';
import { sleep } from '../support/time';

const config = testConfig();

describe('join-queue.lua and set-admission-rate.lua on Redis', () => {
  let redis: Redis;
  let rooms: RedisWaitingRooms;
  let eventId: string;
  const touched: string[] = [];

  const state = async (): Promise<RoomState> => {
    const [rate, base, since, joined] = await redis.hmget(roomKeys(eventId).room, 'rate', 'base', 'since', 'joined');
    return { rate: Number(rate), base: Number(base), since: Number(since), joined: Number(joined) };
  };
  const redisNow = async (): Promise<number> => {
    const [s, us] = await redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };

  beforeAll(async () => {
    redis = createRedis(config.REDIS_URL, 5000, 'waiting-room-test');
    await redis.connect();
    rooms = new RedisWaitingRooms(redis);
  });
  afterAll(async () => {
    for (const id of touched) await rooms.remove(id);
    await redis.quit();
  });
  beforeEach(() => {
    eventId = freshEventId('wroom');
    touched.push(eventId);
  });

  it('keeps every key of a room in one hash slot', () => {
    const keys = roomKeys(eventId);
    const tag = (key: string) => /\{([^}]+)\}/.exec(key)?.[1];
    expect(tag(keys.room)).toBe(`wr:${eventId}`);
    expect(tag(keys.buyers)).toBe(tag(keys.room));
  });

  it('writes nothing for an event without a room', async () => {
    expect(await rooms.join(eventId, 'b1')).toEqual({ kind: 'NO_ROOM' });
    expect(await redis.exists(roomKeys(eventId).room, roomKeys(eventId).buyers)).toBe(0);
  });

  it('issues positions 1..n to concurrent joiners, one per buyer, the same one on every re-join', async () => {
    // given a room slower than the rush
    await rooms.setRate(eventId, 1);
    // when 1000 buyers join at once, then all of them again
    const buyers = Array.from({ length: 1000 }, (_, i) => `b${i}`);
    const first = await Promise.all(buyers.map((b) => rooms.join(eventId, b)));
    const again = await Promise.all([...buyers].reverse().map((b) => rooms.join(eventId, b)));
    // then
    const positions = first.map((r) => (r.kind === 'JOINED' ? r.position : 0));
    expect([...positions].sort((a, b) => a - b)).toEqual(buyers.map((_, i) => i + 1));
    expect(again.reverse()).toEqual(first);
    expect(await redis.hlen(roomKeys(eventId).buyers)).toBe(1000);
    expect((await state()).joined).toBe(1000);
  });

  it('does what afterJoin specifies: restarts the count when the rate has run ahead of the queue', async () => {
    // given a fast room idle for 100 ms (its rate has admitted ~100 positions nobody holds)
    await rooms.setRate(eventId, 1000);
    await sleep(100);
    const idle = await state();
    const before = await redisNow();
    // when one buyer joins
    await rooms.join(eventId, 'late');
    const after = await redisNow();
    // then the rate counts from the join: since is the join's time, base the positions issued before it
    const joined = await state();
    expect(joined.since).toBeGreaterThanOrEqual(before);
    expect(joined.since).toBeLessThanOrEqual(after);
    expect(joined).toEqual(afterJoin(idle, joined.since));
    expect(admittedCursor(joined, joined.since)).toBe(0);
  });

  it('leaves base and since alone while the queue is ahead of the rate', async () => {
    await rooms.setRate(eventId, 1);
    await rooms.join(eventId, 'a');
    const queued = await state();
    await rooms.join(eventId, 'b');
    expect(await state()).toEqual({ ...queued, joined: 2 });
  });

  it('keeps the admitted positions when the rate changes, and removes the room and its queue at 0', async () => {
    // given 100 buyers at 1000/s, ~50 ms in
    await rooms.setRate(eventId, 1000);
    await Promise.all(Array.from({ length: 100 }, (_, i) => rooms.join(eventId, `b${i}`)));
    const fast = await state();
    await sleep(50);
    // when the admin slows it down
    const slowed = await rooms.setRate(eventId, 1);
    // then whoever was admitted stays admitted, from the change on at the new rate
    expect(slowed).toEqual(await state());
    expect(slowed.base).toBe(admittedCursor(fast, slowed.since));
    expect(slowed).toMatchObject({ rate: 1, joined: 100 });
    expect(await redis.sismember(ROOM_INDEX_KEY, eventId)).toBe(1);
    // and at 0 the room is gone
    await rooms.remove(eventId);
    expect(await redis.exists(roomKeys(eventId).room, roomKeys(eventId).buyers)).toBe(0);
    expect(await redis.sismember(ROOM_INDEX_KEY, eventId)).toBe(0);
  });

  it('reads every room for the process cache, with the Redis clock', async () => {
    await rooms.setRate(eventId, 7);
    await rooms.join(eventId, 'x');
    const read = await rooms.readAll();
    expect(read.rooms.get(eventId)).toEqual(await state());
    expect(Math.abs(read.redisNow - (await redisNow()))).toBeLessThan(1000);
  });
});

const unavailable = redisClusterUnavailable();

describeIf(unavailable === undefined, unavailable)('the waiting room on a 3-master Redis Cluster', () => {
  let cluster: RedisClusterHarness;
  let client: RedisClient;

  beforeAll(async () => {
    cluster = await RedisClusterHarness.start({ masters: 3 });
    client = createRedisClient(testConfig({ REDIS_CLUSTER_NODES: cluster.nodesSetting }), 5000, 'waiting-room-cluster');
    await client.connect();
  });
  afterAll(async () => {
    await client?.quit();
    await cluster?.stop();
  });

  it('joins in one slot per event, rooms spread over the shards, and the refresh reads them all', async () => {
    const rooms = new RedisWaitingRooms(client);
    const events = Array.from({ length: 12 }, () => freshEventId('wroom-cluster'));
    const slots = new Set<number>();
    for (const eventId of events) {
      const keys = roomKeys(eventId);
      const [room, buyers] = await Promise.all(
        [keys.room, keys.buyers].map(async (key) => Number(await cluster.admin().cluster('KEYSLOT', key))),
      );
      expect(buyers).toBe(room);
      slots.add(room!);
      await rooms.setRate(eventId, 5);
    }
    expect(slots.size).toBeGreaterThan(1);
    // Every event's joins in parallel: each gets positions 1..50, whichever node holds it.
    const positions = await Promise.all(
      events.map(async (eventId) => {
        const joined = await Promise.all(Array.from({ length: 50 }, (_, i) => rooms.join(eventId, `b${i}`)));
        return joined.map((j) => (j.kind === 'JOINED' ? j.position : 0)).sort((a, b) => a - b);
      }),
    );
    for (const list of positions) expect(list).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const read = await rooms.readAll();
    for (const eventId of events) expect(read.rooms.get(eventId)).toMatchObject({ rate: 5, joined: 50 });
  });
});
