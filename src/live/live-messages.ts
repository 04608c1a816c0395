/**
 * What the live streams send, shared by the API and the pages in web/ (this file imports nothing, so the
 * browser build can take its types). Every message is one server-sent event whose data is the JSON below.
 */

/** One zone of an event as the seat map draws it. */
export interface LiveZone {
  zoneId: number;
  price: number;
  rows: number;
  columns: number;
  /** Seats known taken. */
  sold: number;
  /**
   * Base64 of a bitmap of rows × columns bits, the layout of the Redis seat map: bit `rowIndex × columns +
   * column − 1` set when taken, bits numbered from the most significant bit of each byte.
   */
  taken: string;
}

/** `event: snapshot` — first on every connection (a browser's reconnection included). */
export interface SeatSnapshotMessage {
  eventId: string;
  venueId: string;
  /** False when the read model could not be read: only seats seen live since this process started are shown. */
  complete: boolean;
  zones: LiveZone[];
}

export interface TakenSeat {
  zoneId: number;
  row: string;
  column: number;
}

/** `event: seats` — seats taken since the snapshot (each one once per connection). */
export interface SeatsTakenMessage {
  seats: readonly TakenSeat[];
}

/** `event: freed` — seats refunded since the snapshot, free again (a later `seats` may take them again). */
export interface SeatsFreedMessage {
  seats: readonly TakenSeat[];
}

/** Purchases answered by the API process serving the page (Prometheus counter `tickets_purchases_total`). */
export interface OpsPurchases {
  /** Totals since that process started, by outcome label. */
  outcomes: Record<string, number>;
  /** Answers per second over the last sample interval, by HTTP status class; null before a second sample. */
  perSecond: { total: number; created: number; conflict: number; other: number } | null;
}

export interface OpsPipeline {
  name: string;
  queue: string;
  /** Messages waiting (each carries up to OUTBOX_TICKETS_PER_MESSAGE tickets); null when the broker did not answer. */
  ready: number | null;
  consumers: number | null;
  deadLetters: number | null;
}

/** One row of the read model's `projection_checkpoints`. */
export interface OpsCheckpoint {
  pipeline: string;
  eventsApplied: number;
  /** Purchase → projected, for the newest ticket of the last batch. */
  lastLagSeconds: number | null;
  /** Since the last batch was applied (grows while nothing is sold). */
  idleSeconds: number | null;
}

export interface OpsZoneSales {
  zoneId: number;
  price: number;
  capacity: number;
  sold: number;
  revenue: number;
}

export interface OpsEvent {
  eventId: string;
  venueId: string;
  /** From the read model (lags the sale by the read-model pipeline); null when it could not be read. */
  ticketsSold: number | null;
  revenue: number | null;
  zones: OpsZoneSales[];
  /** New reservations of this event per second seen on the live feed (every API process's sales). */
  reservedPerSecond: number | null;
}

/** One event's waiting room, as this API process computes it from its copy of the room. */
export interface OpsWaitingRoom {
  eventId: string;
  /** The admin's rate. */
  admitPerSecond: number;
  /** Positions issued so far. */
  joined: number;
  admitted: number;
  /** Buyers waiting: joined and not admitted. */
  queueLength: number;
  /** Measured between the last two refreshes of the room; null before two. */
  admittedPerSecond: number | null;
  /** For a buyer joining now. */
  expectedWaitSeconds: number;
}

/** `event: ops` — once a second on /api/v1/ops/stream, and the body of GET /api/v1/ops/dashboard. */
export interface OpsSnapshot {
  at: string;
  event: OpsEvent | null;
  purchases: OpsPurchases;
  /** Reservations in the Redis outbox not yet confirmed by the broker; null when Redis did not answer. */
  outboxBacklog: number | null;
  pipelines: OpsPipeline[];
  checkpoints: OpsCheckpoint[];
  /** The live feed of this process: connected to the broker, and purchase → feed delay of its last message. */
  feed: { connected: boolean; lastDelayMs: number | null };
  /** Every event with a waiting room. */
  waitingRooms: OpsWaitingRoom[];
}
