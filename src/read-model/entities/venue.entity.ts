import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** A venue of the catalog file, seeded by the worker at start-up. */
@Entity({ tableName: 'venues' })
export class VenueRecord {
  @PrimaryKey({ fieldName: 'venue_id', columnType: 'varchar(64)' })
  venueId!: string;

  @Property({ columnType: 'varchar(100)' })
  city!: string;
}
