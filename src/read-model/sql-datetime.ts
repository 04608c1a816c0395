/**
 * DATETIME(3) columns hold UTC without a zone. The driver runs with `dateStrings`, so values go in and come
 * out as 'YYYY-MM-DD HH:MM:SS.mmm' strings; these two functions are the only conversions.
 */
export function toSqlDateTime(value: string | Date): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return date.toISOString().slice(0, 23).replace('T', ' ');
}

export function fromSqlDateTime(value: string | Date): string {
  if (value instanceof Date) return value.toISOString();
  return new Date(`${value.replace(' ', 'T')}Z`).toISOString();
}
