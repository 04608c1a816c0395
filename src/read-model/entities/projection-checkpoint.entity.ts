import 'reflect-metadata';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';

/** Progress of one projection pipeline, written in the transaction of each batch: the source of the lag figure. */
@Entity({ tableName: 'projection_checkpoints' })
export class ProjectionCheckpointRecord {
  @PrimaryKey({ columnType: 'varchar(64)' })
  pipeline!: string;

  /** When the newest message of the last batch was received (or the batch applied, when the caller has no time). */
  @Property({ fieldName: 'last_message_at', columnType: 'datetime(3)', nullable: true })
  lastMessageAt?: Date | null;

  /** The newest `createdOn` projected so far: `updated_at - last_created_on` is the end-to-end lag. */
  @Property({ fieldName: 'last_created_on', columnType: 'datetime(3)', nullable: true })
  lastCreatedOn?: Date | null;

  @Property({ fieldName: 'events_applied', columnType: 'bigint unsigned', type: 'bigint' })
  eventsApplied!: string;

  @Property({ fieldName: 'updated_at', columnType: 'datetime(3)' })
  updatedAt!: Date;
}
