import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

export type TicketStatus = 'RESERVED' | 'CANCELLED' | 'REFUNDED';

/**
 * One ticket as the read model knows it. `live_seat` is a stored generated column, the seat's key while the
 * ticket is RESERVED and NULL otherwise; its UNIQUE index allows one live ticket per seat (NULLs never
 * collide). Rows and columns are `seat_row`/`seat_col`: ROW is a reserved word in MySQL 8.
 */
@Entity({ tableName: 'tickets' })
export class TicketRecord {
  @PrimaryKey({ fieldName: 'ticket_id', columnType: 'varchar(64)' })
  ticketId!: string;

  @Property({ fieldName: 'venue_id', columnType: 'varchar(64)' })
  venueId!: string;

  @Property({ fieldName: 'event_id', columnType: 'varchar(64)' })
  eventId!: string;

  @Property({ fieldName: 'zone_id', columnType: 'int unsigned' })
  zoneId!: number;

  @Property({ fieldName: 'seat_row', columnType: 'varchar(1)' })
  row!: string;

  @Property({ fieldName: 'seat_col', columnType: 'smallint unsigned' })
  column!: number;

  @Property({ columnType: 'decimal(12,2)' })
  price!: string;

  @Property({ columnType: 'varchar(9)' })
  status!: TicketStatus;

  @Property({ columnType: 'varchar(64)', nullable: true })
  reason?: string | null;

  @Property({ fieldName: 'created_on', columnType: 'datetime(3)' })
  createdOn!: Date;

  /** Set by a write-store cancellation; NULL for a conflict the projection itself decided (see the projection). */
  @Property({ fieldName: 'cancelled_on', columnType: 'datetime(3)', nullable: true })
  cancelledOn?: Date | null;

  /** Set by a refund (the seat went back on sale). */
  @Property({ fieldName: 'refunded_on', columnType: 'datetime(3)', nullable: true })
  refundedOn?: Date | null;

  @Property({ fieldName: 'projected_at', columnType: 'datetime(3)' })
  projectedAt!: Date;

  @Property({ fieldName: 'live_seat', columnType: 'varchar(150)', nullable: true, persist: false })
  liveSeat?: string | null;
}
