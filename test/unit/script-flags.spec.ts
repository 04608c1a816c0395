import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const SCRIPTS = [
  'scripts/bench/purchase.bench.js',
  'scripts/bench/pipeline.bench.js',
  'scripts/bench/scale.bench.js',
  'scripts/bench/ticket-cache.bench.js',
  'scripts/bench/dynamo-client.bench.js',
  'scripts/bench/waiting-room.bench.js',
  'scripts/bench/ceiling-server.js',
  'scripts/dev.js',
  'jmeter/run-seat-conflict.js',
  'jmeter/generate-csv.js',
];
const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 20_000 });

describe('the Node scripts explain themselves', () => {
  it.each(SCRIPTS)('%s --help prints its usage and options and exits 0 without starting anything', (script) => {
    const result = run(script, '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: /);
    expect(result.stdout).toContain('--help');
    expect(result.stdout).toMatch(/\nexamples?:\n {2}\S/);
    // A run would have printed progress or started servers; --help returns at once with the text only.
    expect(result.stderr).toBe('');
  });

  it.each(SCRIPTS)('%s refuses an unknown flag with exit 2 and the usage', (script) => {
    const result = run(script, '--no-such-flag');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--no-such-flag'");
    expect(result.stderr).toContain('usage: ');
  });

  it('a number flag given a word is refused, naming the flag', () => {
    const result = run('scripts/bench/pipeline.bench.js', '--purchases', 'many');
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--purchases must be a number');
  });
});

it('the JMeter runner refuses a ratio that is not a number before it builds or reaches anything', () => {
  const result = run('jmeter/run-seat-conflict.js', '--ratio', 'some');
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('--ratio must be a number');
});
