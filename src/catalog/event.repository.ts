import { Inject, Injectable } from '@nestjs/common';
import { REDIS, type RedisClient } from '../platform/redis/redis.factory';
import type { SaleEvent } from './catalog.schema';

const EVENTS_KEY = 'catalog:events';

/** Events shared by every API process. Events never change once created, so readers may cache them. */
@Injectable()
export class EventRepository {
  constructor(@Inject(REDIS) private readonly redis: RedisClient) {}

  /** Returns false when an event with this id exists already. */
  async create(event: SaleEvent): Promise<boolean> {
    return (await this.redis.hsetnx(EVENTS_KEY, event.eventId, JSON.stringify(event))) === 1;
  }

  async list(): Promise<SaleEvent[]> {
    return (await this.redis.hvals(EVENTS_KEY)).map((json) => JSON.parse(json) as SaleEvent);
  }

  async find(eventId: string): Promise<SaleEvent | undefined> {
    const json = await this.redis.hget(EVENTS_KEY, eventId);
    return json === null ? undefined : (JSON.parse(json) as SaleEvent);
  }
}
