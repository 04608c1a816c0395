import { execFile } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MikroORM } from '@mikro-orm/mysql';
import { startDynalite, type DynaliteServer } from '../../src/write-store/dynalite.server';
import { ChildProcessHandle, freePort } from '../support/child-process';
import { dropDatabase, migratedDatabase, throwawayMysqlUrl } from '../support/read-model-db';

const ROOT = join(__dirname, '..', '..');
const run = promisify(execFile);
/** How Node reports a missing package: `require` (CommonJS) and `import()` (ESM) word it differently. */
const MISSING_PACKAGE = /Cannot find (module|package)|MODULE_NOT_FOUND/;

/**
 * The images install `npm ci --omit=dev` (Dockerfile): the API and the worker must start without any
 * devDependency, as the shipped deployments configure them (Kubernetes' ticketing.env, Terraform's
 * common_env: a region, no DynamoDB endpoint). dist/ is copied, not linked: through a link Node would resolve
 * packages from the repository's full node_modules.
 */
describe('the API and the worker from a production install (npm ci --omit=dev)', () => {
  let dir: string;
  let orm: MikroORM;
  const mysqlUrl = throwawayMysqlUrl();
  const running: ChildProcessHandle[] = [];

  const start = (entry: 'main.api.js' | 'main.worker.js', env: Record<string, string>) => {
    const handle = ChildProcessHandle.start(entry, { NODE_ENV: 'production', MYSQL_URL: mysqlUrl, ...env }, dir);
    running.push(handle);
    return handle;
  };

  /** As deployed on AWS: the region, credentials from the environment (the SDK's default chain), no endpoint. */
  const awsEnv = {
    DYNAMODB_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIAPRODUCTIONINSTALL',
    AWS_SECRET_ACCESS_KEY: 'production-install-test-secret',
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'production-install-'));
    await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
    await copyFile(join(ROOT, 'package-lock.json'), join(dir, 'package-lock.json'));
    await run('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: dir });
    await cp(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
    orm = await migratedDatabase(mysqlUrl);
  }, 300_000);

  afterAll(async () => {
    await Promise.all(running.map((handle) => handle.kill()));
    await orm?.close(true);
    await dropDatabase(mysqlUrl);
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('holds no devDependency: dynalite does not resolve from its dist/', async () => {
    await expect(
      run(process.execPath, ['-e', "require.resolve('dynalite')"], { cwd: join(dir, 'dist') }),
    ).rejects.toThrow(/Cannot find module 'dynalite'/);
  });

  it('starts the worker on a region alone: it reaches DynamoDB at the regional endpoint, not dynalite', async () => {
    const worker = start('main.worker.js', { ...awsEnv, WORKER_PORT: String(await freePort()) });
    // There is no route to AWS from the test machine: the worker gets as far as checking its tables at
    // https://dynamodb.eu-west-1.amazonaws.com and stops there (with a route it would go on to consume).
    const code = await worker.closed;
    expect(worker.output).not.toMatch(MISSING_PACKAGE);
    expect(worker.output).toContain('https://dynamodb.eu-west-1.amazonaws.com');
    expect(code).toBe(1);
  });

  it('runs the migrate step, then starts the worker against a DynamoDB endpoint all the way to its health port', async () => {
    const dynalite: DynaliteServer = await startDynalite();
    try {
      // The worker only checks for its tables: the step creates them, from the same install.
      const migrate = await run(process.execPath, [join(dir, 'dist', 'main.migrate.js')], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          NODE_ENV: 'production',
          MYSQL_URL: mysqlUrl,
          DYNAMODB_ENDPOINT: dynalite.endpoint,
        },
      });
      expect(migrate.stdout).toContain('created DynamoDB table tickets-seat-events');
      const port = await freePort();
      const worker = start('main.worker.js', { DYNAMODB_ENDPOINT: dynalite.endpoint, WORKER_PORT: String(port) });
      await worker.waitForHttp(port, 30_000);
      expect(worker.output).not.toMatch(MISSING_PACKAGE);
      await worker.kill('SIGTERM');
    } finally {
      await dynalite.close();
    }
  });

  it('starts the API on the same settings as the worker all the way to its port', async () => {
    const port = await freePort();
    const api = start('main.api.js', { ...awsEnv, PORT: String(port) });
    await api.waitForHttp(port);
    expect(api.output).not.toMatch(MISSING_PACKAGE);
  });
});
