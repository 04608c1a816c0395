/**
 * A zone's taken seats as the server sends them: rows × columns bits, bit `rowIndex × columns + column − 1`,
 * numbered from the most significant bit of each byte (the Redis seat map's layout).
 */
export class SeatBitmap {
  private constructor(
    readonly rows: number,
    readonly columns: number,
    private readonly bits: Uint8Array,
    private taken: number,
  ) {}

  static fromBase64(rows: number, columns: number, base64: string, taken: number): SeatBitmap {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const bits = new Uint8Array(Math.ceil((rows * columns) / 8));
    bits.set(bytes.subarray(0, bits.length));
    return new SeatBitmap(rows, columns, bits, taken);
  }

  get count(): number {
    return this.taken;
  }

  has(rowIndex: number, column: number): boolean {
    const bit = rowIndex * this.columns + column - 1;
    return (this.bits[bit >> 3]! & (0x80 >> (bit & 7))) !== 0;
  }

  /** True when the seat was free until now. */
  set(rowIndex: number, column: number): boolean {
    if (rowIndex < 0 || rowIndex >= this.rows || column < 1 || column > this.columns) return false;
    if (this.has(rowIndex, column)) return false;
    const bit = rowIndex * this.columns + column - 1;
    this.bits[bit >> 3]! |= 0x80 >> (bit & 7);
    this.taken++;
    return true;
  }

  /** True when the seat was taken until now (a refund freed it). */
  clear(rowIndex: number, column: number): boolean {
    if (rowIndex < 0 || rowIndex >= this.rows || column < 1 || column > this.columns) return false;
    if (!this.has(rowIndex, column)) return false;
    const bit = rowIndex * this.columns + column - 1;
    this.bits[bit >> 3]! &= ~(0x80 >> (bit & 7));
    this.taken--;
    return true;
  }
}

export const rowLetter = (rowIndex: number): string => String.fromCharCode(65 + rowIndex);
export const rowIndexOf = (row: string): number => row.charCodeAt(0) - 65;
