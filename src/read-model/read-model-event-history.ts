import { Injectable } from '@nestjs/common';
import type { SaleEvent } from '../catalog/catalog.schema';
import type { EventHistory } from '../catalog/catalog.ports';
import { ReadModelEvents } from './read-model-events';
import { TicketProjection } from './ticket.projection';

/** The catalog's event history on the read model: the events table, written when a sale opens. */
@Injectable()
export class ReadModelEventHistory implements EventHistory {
  constructor(
    private readonly events: ReadModelEvents,
    private readonly projection: TicketProjection,
  ) {}

  find(eventId: string): ReturnType<EventHistory['find']> {
    return this.events.find(eventId);
  }

  async record(event: SaleEvent): Promise<void> {
    await this.projection.upsertEvents([event]);
  }
}
