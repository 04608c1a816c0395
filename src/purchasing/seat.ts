/** One seat of one event. Rows are letters A-Z, columns start at 1. */
export interface SeatRef {
  readonly eventId: string;
  readonly zoneId: number;
  readonly row: string;
  readonly column: number;
}

export const rowIndexOf = (row: string): number => row.charCodeAt(0) - 65;
