import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ChildProcessHandle, freePort } from '../support/child-process';
import { dropDatabase, throwawayMysqlUrl } from '../support/read-model-db';
import { TEST_CATALOG_FILE, testNamespace } from '../support/test-config';

const ROOT = join(__dirname, '..', '..');

/** The compiled command-line tools (`npm run verify`, …), as their npm scripts start them. */
const TOOLS = [
  'consistency/verify.main.js',
  'consistency/rebuild-read-model.main.js',
  'consistency/rebuild-seats.main.js',
  'consistency/replay-dlq.main.js',
  'main.migrate.js',
];

/** A tool run with an environment of its own: nothing of the machine's .env or shell but PATH. */
function runTool(
  tool: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist', tool), ...args], {
      // A folder without .env: loadConfig reads one from the working directory.
      cwd: join(ROOT, 'test'),
      env: { PATH: process.env.PATH ?? '', CATALOG_FILE: TEST_CATALOG_FILE, AMQP_NAMESPACE: testNamespace(), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A tool that keeps retrying a dead store would hold the test for ever; killed, it fails the test.
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(deadline);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
const closedPort = freePort;

describe('the command-line tools explain themselves', () => {
  it.each(TOOLS)('%s --help prints its usage, options and an example, exit 0, opening nothing', async (tool) => {
    // Every store pointed at a closed port: a tool that connected would fail instead of printing its help.
    const port = await closedPort();
    const result = await runTool(tool, ['--help'], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`,
      MYSQL_URL: `mysql://root@127.0.0.1:${port}/tools`,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^usage: npm run /);
    expect(result.stdout).toContain('--help');
    expect(result.stdout).toMatch(/\nexamples?:\n {2}\S/);
  });

  it.each(TOOLS)('%s refuses an unknown flag with exit 2 and its usage', async (tool) => {
    const result = await runTool(tool, ['--no-such-flag']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Unknown option '--no-such-flag'");
    expect(result.stderr).toContain('usage: npm run ');
  });

  it('refuses a bad value, naming the flag and what it takes', async () => {
    const event = await runTool('consistency/verify.main.js', ['--event', 'no spaces']);
    expect(event.code).toBe(2);
    expect(event.stderr).toContain('--event must be 1-64 letters, digits');
    const limit = await runTool('consistency/replay-dlq.main.js', ['--pipeline', 'write-store', '--limit', '0']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit must be a whole number >= 1');
    const missing = await runTool('consistency/rebuild-seats.main.js', []);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--event is required');
  });
});

describe('a store out of reach at start-up is named by the setting to fix', () => {
  it('verify: REDIS_URL, and it exits rather than retrying for ever', async () => {
    const port = await closedPort();
    const result = await runTool('consistency/verify.main.js', ['--event', 'Event1'], {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `cannot reach Redis at redis://127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED`,
    );
  });

  it('migrate: MYSQL_URL, without its password', async () => {
    const port = await closedPort();
    const result = await runTool('main.migrate.js', [], {
      MYSQL_URL: `mysql://root:s3cret@127.0.0.1:${port}/x`,
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach MySQL at mysql://root:***@127.0.0.1:${port}/x (MYSQL_URL)`);
    expect(result.stderr).not.toContain('s3cret');
  });

  it('migrate: DYNAMODB_ENDPOINT, after the read model is migrated', async () => {
    const port = await closedPort();
    const mysqlUrl = throwawayMysqlUrl();
    try {
      const result = await runTool('main.migrate.js', [], {
        MYSQL_URL: mysqlUrl,
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^created database /);
      expect(result.stderr).toContain(`cannot reach DynamoDB at http://127.0.0.1:${port} (DYNAMODB_ENDPOINT)`);
    } finally {
      await dropDatabase(mysqlUrl);
    }
  });

  it('migrate: no DynamoDB setting at all is named before MySQL is touched', async () => {
    const port = await closedPort();
    const result = await runTool('main.migrate.js', [], { MYSQL_URL: `mysql://root@127.0.0.1:${port}/x` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DYNAMODB_REGION: required without DYNAMODB_ENDPOINT');
    expect(result.stderr).not.toContain('MySQL');
  });

  it('replay:dlq: AMQP_URL', async () => {
    const port = await closedPort();
    const result = await runTool('consistency/replay-dlq.main.js', ['--pipeline', 'write-store', '--dry-run'], {
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:${port} (AMQP_URL)`);
  });

  it('the worker: AMQP_URL, exit 1', async () => {
    const port = await closedPort();
    const worker = ChildProcessHandle.start('main.worker.js', {
      AMQP_URL: `amqp://guest:guest@127.0.0.1:${port}`,
      DYNAMODB_EMBEDDED: 'true',
      WORKER_PORT: String(await freePort()),
    });
    expect(await worker.closed).toBe(1);
    expect(worker.output).toContain(`cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:${port} (AMQP_URL)`);
  });

  it('the worker: DYNAMODB_ENDPOINT, exit 1', async () => {
    const port = await closedPort();
    const worker = ChildProcessHandle.start('main.worker.js', {
      DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}`,
      WORKER_PORT: String(await freePort()),
    });
    expect(await worker.closed).toBe(1);
    expect(worker.output).toContain(`cannot reach DynamoDB at http://127.0.0.1:${port} (DYNAMODB_ENDPOINT)`);
  });

  it('the API: REDIS_URL, exit 1', async () => {
    const port = await closedPort();
    const api = ChildProcessHandle.start('main.api.js', {
      REDIS_URL: `redis://127.0.0.1:${port}`,
      PORT: String(await freePort()),
    });
    expect(await api.closed).toBe(1);
    expect(api.output).toContain(`cannot reach Redis at redis://127.0.0.1:${port} (REDIS_URL): connect ECONNREFUSED`);
  });
});
