import { Query } from '@nestjs/cqrs';

export interface ZoneSeatMap {
  eventId: string;
  zoneId: number;
  rows: number;
  columns: number;
  /** Seats with a live ticket, as row letter + column ("A1"), by row then column. */
  taken: string[];
}

/** The taken seats of one zone of an event; undefined when the read model knows no such event or zone. */
export class ZoneSeatMapQuery extends Query<ZoneSeatMap | undefined> {
  constructor(
    readonly eventId: string,
    readonly zoneId: number,
  ) {
    super();
  }
}
