import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** A priced grid of seats of a venue; its size bounds the seat map query. */
@Entity({ tableName: 'zones' })
export class ZoneRecord {
  @PrimaryKey({ fieldName: 'venue_id', columnType: 'varchar(64)' })
  venueId!: string;

  @PrimaryKey({ fieldName: 'zone_id', columnType: 'int unsigned' })
  zoneId!: number;

  /** DECIMAL comes back from the driver as a string: read models convert it with Number(). */
  @Property({ fieldName: 'ticket_price', columnType: 'decimal(12,2)' })
  ticketPrice!: string;

  @Property({ fieldName: 'row_count', columnType: 'tinyint unsigned' })
  rowCount!: number;

  @Property({ fieldName: 'col_count', columnType: 'smallint unsigned' })
  colCount!: number;
}
