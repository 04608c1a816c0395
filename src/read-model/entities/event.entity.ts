import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/**
 * An event of the read model. A ticket can arrive before its event: the projection then creates a row with
 * the venue only (name, type and date null), which `upsertEvents` completes later.
 */
@Entity({ tableName: 'events' })
export class EventRecord {
  @PrimaryKey({ fieldName: 'event_id', columnType: 'varchar(64)' })
  eventId!: string;

  @Property({ fieldName: 'venue_id', columnType: 'varchar(64)' })
  venueId!: string;

  @Property({ columnType: 'varchar(200)', nullable: true })
  name?: string | null;

  @Property({ columnType: 'varchar(50)', nullable: true })
  type?: string | null;

  @Property({ columnType: 'datetime(3)', nullable: true })
  date?: Date | null;
}
