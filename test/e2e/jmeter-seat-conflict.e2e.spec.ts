import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Platform } from '../support/platform';
import { TEST_ADMIN_TOKEN, TEST_CATALOG_FILE, testConfig, testNamespace } from '../support/test-config';
import { describeIf } from '../support/skip';

const ROOT = join(__dirname, '..', '..');
const RUNNER = join(ROOT, 'jmeter', 'run-seat-conflict.js');

/** Variables JMeter and the JDK may need, passed through unchanged. */
const TOOL_ENV = ['PATH', 'HOME', 'JAVA_HOME', 'JMETER', 'JMETER_HOME', 'JVM_ARGS'];
const toolEnv = Object.fromEntries(TOOL_ENV.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));

// The runner itself says whether a JMeter can run here (Debian's 2.13 needs javac for its launcher;
// scripts/ensure-tools.sh installs both in CI), so the test and the runner never disagree.
const check = spawnSync(process.execPath, [RUNNER, '--check'], { encoding: 'utf8', env: toolEnv });
const unavailable = check.status === 0 ? null : `${check.stderr}${check.stdout}`.trim() || `exit ${check.status}`;
const describeWithJMeter = describeIf(unavailable === null, unavailable);

interface RunSummary {
  eventId: string;
  figures: { samples: number; created: number; conflicts: number; other: number; failed: number };
  verify: { agree: boolean; figures: Record<string, number> };
  problems: string[];
}

function runRunner(args: string[], env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [RUNNER, ...args],
      { cwd: ROOT, env, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
      (error, stdout, stderr) => {
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: stdout + stderr,
        });
      },
    );
  });
}

describeWithJMeter('JMeter seat-conflict plan against the real API and worker', () => {
  let platform: Platform;
  let out: string;

  beforeAll(async () => {
    platform = await new Platform().start();
    out = mkdtempSync(join(tmpdir(), 'jmeter-e2e-'));
  });
  afterAll(async () => {
    await platform?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('1 zone at 30 % duplicates: 780 × 201, 234 × 409, no other status, and verify finds the three stores agreeing', async () => {
    const { code, output } = await runRunner(
      [
        ...['--ratio', '0.3', '--zones', '1', '--seed', '7', '--threads', '50'],
        ...['--port', String(platform.apiPort), '--out', out, '--drain-timeout', '90'],
      ],
      {
        ...toolEnv,
        ADMIN_TOKEN: TEST_ADMIN_TOKEN,
        CATALOG_FILE: TEST_CATALOG_FILE,
        REDIS_URL: testConfig().REDIS_URL,
        MYSQL_URL: platform.mysqlUrl,
        DYNAMODB_ENDPOINT: platform.dynalite.endpoint,
        AMQP_NAMESPACE: testNamespace(),
        LOG_LEVEL: 'warn',
      },
    );
    const runs = readdirSync(out);
    if (runs.length !== 1) throw new Error(`expected one run under ${out}, got ${runs.join(', ')}:\n${output}`);
    const summary = JSON.parse(readFileSync(join(out, runs[0]!, 'summary.json'), 'utf8')) as RunSummary;

    expect(summary.figures).toMatchObject({ samples: 1014, created: 780, conflicts: 234, other: 0, failed: 0 });
    expect(summary.verify).toMatchObject({
      agree: true,
      figures: { redisTaken: 780, dynamodbLive: 780, mysqlLive: 780, dynamodbCancelled: 0 },
    });
    expect(summary.problems).toEqual([]);
    expect({ code, summaryLine: output.split('\n').find((l) => l.startsWith('jmeter 30 %')) }).toEqual({
      code: 0,
      summaryLine: expect.stringMatching(/samples 1014, 201 780\/780, 409 234\/234, other 0 .*stores agree.*\| OK$/),
    });
    // The stores as this test reads them, not only as the runner reported them.
    const report = await platform.consistency.check(summary.eventId);
    expect(report).toMatchObject({ differences: [], figures: { dynamodbLive: 780, mysqlLive: 780 } });
  });
});
