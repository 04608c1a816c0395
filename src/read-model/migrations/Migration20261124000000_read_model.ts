import { Migration } from '@mikro-orm/migrations';

// Identifiers are ASCII (the catalog's alphabet, UUIDs) and compared byte for byte, as Redis and DynamoDB do.
const ID = 'varchar(64) character set ascii collate ascii_bin';
const TABLE = 'engine=InnoDB default charset=utf8mb4 collate=utf8mb4_unicode_ci';

/**
 * The read model's tables. Natural keys only, and no foreign keys: tickets may reach the projection before
 * their event, and the projection must never fail a batch on ordering. MySQL 8 and MariaDB 10.11 both run it.
 */
export class Migration20261124000000_read_model extends Migration {
  override name = 'Migration20261124000000_read_model';

  override up(): void {
    this.addSql(`create table venues (
      venue_id ${ID} not null,
      city varchar(100) not null,
      primary key (venue_id)
    ) ${TABLE}`);

    this.addSql(`create table zones (
      venue_id ${ID} not null,
      zone_id int unsigned not null,
      ticket_price decimal(12,2) not null,
      row_count tinyint unsigned not null,
      col_count smallint unsigned not null,
      primary key (venue_id, zone_id)
    ) ${TABLE}`);

    this.addSql(`create table events (
      event_id ${ID} not null,
      venue_id ${ID} not null,
      name varchar(200) null,
      type varchar(50) null,
      date datetime(3) null,
      primary key (event_id)
    ) ${TABLE}`);

    // live_seat: the seat's key while the ticket is RESERVED, NULL once cancelled. Its UNIQUE index is the
    // "one live ticket per seat" rule, and its prefix (event#zone#) is the seat map's covering range scan.
    // seat_row is varchar(1), not char(1): MariaDB refuses a CHAR column inside a generated column's expression.
    this.addSql(`create table tickets (
      ticket_id ${ID} not null,
      venue_id ${ID} not null,
      event_id ${ID} not null,
      zone_id int unsigned not null,
      seat_row varchar(1) character set ascii collate ascii_bin not null,
      seat_col smallint unsigned not null,
      price decimal(12,2) not null,
      status varchar(9) character set ascii collate ascii_bin not null,
      reason varchar(64) null,
      created_on datetime(3) not null,
      cancelled_on datetime(3) null,
      projected_at datetime(3) not null,
      live_seat varchar(150) character set ascii collate ascii_bin generated always as
        (case when status = 'RESERVED' then concat(event_id, '#', zone_id, '#', seat_row, '#', seat_col) end) stored,
      primary key (ticket_id),
      unique key tickets_live_seat_unique (live_seat),
      key tickets_event_ticket_idx (event_id, ticket_id),
      key tickets_event_zone_ticket_idx (event_id, zone_id, ticket_id),
      key tickets_event_sales_idx (event_id, status, zone_id, price),
      constraint tickets_status_check check (status in ('RESERVED', 'CANCELLED'))
    ) ${TABLE}`);

    this.addSql(`create table projection_checkpoints (
      pipeline varchar(64) character set ascii collate ascii_bin not null,
      last_message_at datetime(3) null,
      last_created_on datetime(3) null,
      events_applied bigint unsigned not null default 0,
      updated_at datetime(3) not null,
      primary key (pipeline)
    ) ${TABLE}`);
  }

  override down(): void {
    for (const table of ['projection_checkpoints', 'tickets', 'events', 'zones', 'venues']) {
      this.addSql(`drop table if exists ${table}`);
    }
  }
}
