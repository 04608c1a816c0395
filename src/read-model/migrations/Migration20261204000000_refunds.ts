import { Migration } from '@mikro-orm/migrations';

/**
 * Refunds: a ticket may end REFUNDED (its seat back on sale, so `live_seat` is NULL for it as for a
 * cancelled one), with the time of the refund. The status check is replaced, not widened in place: neither
 * MySQL nor MariaDB can alter a CHECK constraint.
 */
export class Migration20261204000000_refunds extends Migration {
  override name = 'Migration20261204000000_refunds';

  override up(): void {
    this.addSql('alter table tickets add column refunded_on datetime(3) null after cancelled_on');
    this.addSql('alter table tickets drop constraint tickets_status_check');
    this.addSql(
      "alter table tickets add constraint tickets_status_check check (status in ('RESERVED', 'CANCELLED', 'REFUNDED'))",
    );
  }

  override down(): void {
    this.addSql("update tickets set status = 'CANCELLED', reason = 'REFUNDED' where status = 'REFUNDED'");
    this.addSql('alter table tickets drop constraint tickets_status_check');
    this.addSql("alter table tickets add constraint tickets_status_check check (status in ('RESERVED', 'CANCELLED'))");
    this.addSql('alter table tickets drop column refunded_on');
  }
}
