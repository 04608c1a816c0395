import { Controller, Get, NotFoundException, Param } from '@nestjs/common';
import type { SaleEvent, Venue } from './catalog.schema';
import { CatalogService } from './catalog.service';

/** Reference data: venues from the catalog file, events as created. Served from memory. */
@Controller('api/v1')
export class CatalogHttpController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('venues')
  venues(): Venue[] {
    return this.catalog.listVenues();
  }

  @Get('venues/:venueId')
  venue(@Param('venueId') venueId: string): Venue {
    const venue = this.catalog.findVenue(venueId);
    if (venue === undefined) throw new NotFoundException(`venue ${venueId} not found`);
    return venue;
  }

  @Get('events')
  async events(): Promise<SaleEvent[]> {
    return this.catalog.listEvents();
  }

  @Get('events/:eventId')
  async event(@Param('eventId') eventId: string): Promise<SaleEvent> {
    const event = await this.catalog.findEvent(eventId);
    if (event === undefined) throw new NotFoundException(`event ${eventId} not found`);
    return event;
  }
}
