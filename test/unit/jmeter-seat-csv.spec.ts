import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GENERATOR = join(__dirname, '..', '..', 'jmeter', 'generate-csv.js');

describe('the JMeter seat CSV generator', () => {
  let out: string;
  beforeEach(() => {
    out = mkdtempSync(join(tmpdir(), 'jmeter-csv-'));
  });
  afterEach(() => rmSync(out, { recursive: true, force: true }));

  const generate = (args: string[], dir = out) => {
    execFileSync(process.execPath, [GENERATOR, ...args, '--out', dir], { encoding: 'utf8', stdio: 'pipe' });
  };
  const lines = (file: string) => readFileSync(join(out, file), 'utf8').trimEnd().split('\n');
  const expected = (file: string) => JSON.parse(readFileSync(join(out, file), 'utf8'));

  it('writes every seat of zone 1 once plus round(0.3 × 780) = 234 repeats of its seats, with the figures beside', () => {
    generate(['--ratio', '0.3', '--zones', '1', '--seed', '7', '--event', 'Gala']);
    const [header, ...rows] = lines('seats-30.csv');
    expect(header).toBe('venueId,eventId,zoneId,row,column');
    expect(rows).toHaveLength(1014);
    const allSeats = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].flatMap((row) =>
      Array.from({ length: 30 }, (_, i) => `Venue1,Gala,1,${row},${i + 1}`),
    );
    expect(new Set(rows)).toEqual(new Set(allSeats));
    expect(expected('seats-30.expected.json')).toMatchObject({
      eventId: 'Gala',
      zones: 1,
      seats: 780,
      duplicates: 234,
      requests: 1014,
    });
  });

  it('shuffles: the seats do not arrive in catalog order', () => {
    generate(['--ratio', '0', '--zones', '1', '--seed', '1']);
    const rows = lines('seats-0.csv').slice(1);
    expect(rows).toHaveLength(780);
    expect(rows.slice(0, 30)).not.toEqual(Array.from({ length: 30 }, (_, i) => `Venue1,Event1,1,A,${i + 1}`));
  });

  it('writes the same file for the same seed and another order for another seed', () => {
    const again = mkdtempSync(join(tmpdir(), 'jmeter-csv-'));
    const other = mkdtempSync(join(tmpdir(), 'jmeter-csv-'));
    try {
      generate(['--ratio', '0.5', '--zones', '2', '--seed', '42']);
      generate(['--ratio', '0.5', '--zones', '2', '--seed', '42'], again);
      generate(['--ratio', '0.5', '--zones', '2', '--seed', '43'], other);
      const first = readFileSync(join(out, 'seats-50.csv'), 'utf8');
      expect(readFileSync(join(again, 'seats-50.csv'), 'utf8')).toBe(first);
      const third = readFileSync(join(other, 'seats-50.csv'), 'utf8');
      expect(third).not.toBe(first);
      expect(new Set(third.split('\n'))).toEqual(new Set(first.split('\n')));
    } finally {
      rmSync(again, { recursive: true, force: true });
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('writes the whole ladder over the 78,000 seats of Venue1: 10 % to 110 % duplicates', () => {
    generate(['--ladder']);
    const figures = [10, 30, 50, 70, 90, 110].map((p) => expected(`seats-${p}.expected.json`));
    expect(figures.map((f) => [f.seats, f.duplicates, f.requests])).toEqual([
      [78_000, 7_800, 85_800],
      [78_000, 23_400, 101_400],
      [78_000, 39_000, 117_000],
      [78_000, 54_600, 132_600],
      [78_000, 70_200, 148_200],
      [78_000, 85_800, 163_800],
    ]);
    const rows = lines('seats-110.csv').slice(1);
    expect(rows).toHaveLength(163_800);
    expect(new Set(rows).size).toBe(78_000);
  });

  it('refuses more zones than the venue has', () => {
    expect(() => generate(['--ratio', '0.1', '--zones', '101'])).toThrow(/--zones must be 1-100/);
  });
});
