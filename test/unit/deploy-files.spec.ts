import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import * as ts from 'typescript';
import { parse } from 'yaml';
import { itIf } from '../support/skip';

const root = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/** The names .env.example documents: `NAME=value` lines and commented-out `# NAME=value` ones. */
function documentedVariables(): Set<string> {
  return new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]!));
}

/** Why `docker compose` cannot run here, or null when it can (the client alone suffices: no engine needed). */
function composeUnavailableReason(): string | null {
  const client = spawnSync('docker', ['--version'], { encoding: 'utf8' });
  if (client.error !== undefined || client.status !== 0) return 'no docker client on this machine';
  const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
  if (compose.error !== undefined || compose.status !== 0) return 'the docker client here has no compose plugin';
  return null;
}

const composeUnavailable = composeUnavailableReason();
const withCompose = itIf(composeUnavailable === null, composeUnavailable);
/** The structural checks run on `docker compose config`'s output, or on the file itself where it cannot run. */
const structureTitle = (title: string): string =>
  composeUnavailable === null ? title : `${title} (parse-only: ${composeUnavailable})`;

interface ComposeService {
  image?: string;
  build?: { target?: string };
  command?: string[];
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  ports?: unknown[];
  container_name?: string;
  restart?: string;
}

describe('docker-compose.yml', () => {
  let run: ReturnType<typeof spawnSync> | undefined;
  let services: Record<string, ComposeService> = {};

  beforeAll(() => {
    if (composeUnavailable !== null) {
      // The file as written: every service already uses the long forms `config` would produce (build and
      // depends_on as maps, environment as a map, commands as lists), so the checks below read it as is.
      services = (parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> }).services;
      return;
    }
    // `config` resolves and validates the file (interpolation, long forms) without a Docker engine.
    run = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--format', 'json'], {
      cwd: root,
      encoding: 'utf8',
    });
    if (run.status === 0) services = JSON.parse(String(run.stdout)).services ?? {};
  });

  withCompose('is accepted by docker compose config', () => {
    expect({ status: run!.status, stderr: String(run!.stderr) }).toEqual({ status: 0, stderr: expect.any(String) });
  });

  it(structureTitle('declares the platform, the migrate step, the api and the worker'), () => {
    expect(Object.keys(services).sort()).toEqual(
      expect.arrayContaining(['api', 'dynamodb', 'migrate', 'mysql', 'rabbitmq', 'redis', 'worker']),
    );
  });

  it(structureTitle('configures api and worker only with variables documented in .env.example'), () => {
    const documented = documentedVariables();
    for (const name of ['api', 'worker']) {
      const variables = Object.keys(services[name]?.environment ?? {});
      expect(variables.length).toBeGreaterThan(0);
      const undocumented = variables.filter((v) => !documented.has(v) && !/^AWS_/.test(v) && v !== 'NODE_ENV');
      expect({ service: name, undocumented }).toEqual({ service: name, undocumented: [] });
    }
  });

  it(structureTitle('starts api and worker after a successful migrate and healthy dependencies'), () => {
    const conditions = (name: string) =>
      Object.fromEntries(Object.entries(services[name]?.depends_on ?? {}).map(([s, d]) => [s, d.condition]));
    expect(conditions('api')).toMatchObject({
      migrate: 'service_completed_successfully',
      redis: 'service_healthy',
      rabbitmq: 'service_healthy',
      mysql: 'service_healthy',
    });
    expect(conditions('worker')).toMatchObject({
      migrate: 'service_completed_successfully',
      rabbitmq: 'service_healthy',
      mysql: 'service_healthy',
      dynamodb: expect.stringMatching(/^service_(started|healthy)$/),
    });
    expect(conditions('migrate')).toMatchObject({ mysql: 'service_healthy', dynamodb: 'service_started' });
  });

  it(structureTitle('runs the migrations once, from the worker image'), () => {
    const migrate = services.migrate!;
    expect(migrate.build?.target).toBe('worker');
    expect(migrate.command).toEqual(['node', 'dist/main.migrate.js']);
    expect(migrate.restart).toBe('no');
    // The same DynamoDB as the worker's: the tables it creates are the ones the worker checks for.
    for (const name of ['DYNAMODB_ENDPOINT', 'DYNAMODB_REGION', 'DYNAMODB_TABLE_PREFIX'])
      expect({ name, value: migrate.environment?.[name] }).toEqual({
        name,
        value: services.worker!.environment?.[name],
      });
  });

  it(structureTitle('health-checks redis, rabbitmq and mysql and keeps the images’ checks of api and worker'), () => {
    for (const name of ['redis', 'rabbitmq', 'mysql']) {
      const check = services[name]?.healthcheck;
      expect({ name, test: check?.test?.[0] }).toEqual({ name, test: expect.stringMatching(/^CMD(-SHELL)?$/) });
    }
    for (const name of ['api', 'worker']) expect(services[name]?.healthcheck?.disable).not.toBe(true);
  });

  it(structureTitle('keeps the worker scalable: no container_name, no published port'), () => {
    expect(services.worker).toBeDefined();
    expect(services.worker!.container_name).toBeUndefined();
    expect(services.worker!.ports ?? []).toEqual([]);
  });

  it(structureTitle('runs redis with the append-only file on'), () => {
    const command = services.redis?.command ?? [];
    expect(command[command.indexOf('--appendonly') + 1]).toBe('yes');
  });
});

interface Instruction {
  keyword: string;
  args: string;
}

interface Stage {
  name: string | undefined;
  /** The stage it builds on, when it builds on an earlier stage rather than an image. */
  parent: Stage | undefined;
  image: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages, with `${ARG}` of the global ARGs resolved in FROM lines. */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const globalArgs = new Map<string, string>();
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line)!;
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [image = '', as, name] = args.replace(/--platform=\S+\s+/, '').split(/\s+/);
      const resolved = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs.get(arg) ?? '');
      const parent = stages.find((s) => s.name === resolved);
      stages.push({
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        parent,
        image: parent?.image ?? resolved,
        instructions: [],
      });
    } else if (stages.length === 0 && upper === 'ARG') {
      const [arg = '', value = ''] = args.split('=');
      globalArgs.set(arg, value);
    } else {
      stages.at(-1)?.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

/** A stage's instructions including those of the stages it builds on (USER, CMD, ... are inherited). */
const effective = (stage: Stage): Instruction[] => [
  ...(stage.parent ? effective(stage.parent) : []),
  ...stage.instructions,
];
const last = (stage: Stage, keyword: string) => effective(stage).findLast((i) => i.keyword === keyword);

describe('Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const target = (name: string) => stages.find((s) => s.name === name);

  it('builds the targets api and worker', () => {
    expect(target('api')).toBeDefined();
    expect(target('worker')).toBeDefined();
  });

  it('runs on the Node major version the project pins', () => {
    const major = read('.nvmrc').trim();
    for (const name of ['api', 'worker']) expect(target(name)?.image).toMatch(new RegExp(`^node:${major}[-.]`));
  });

  it('installs the production dependencies with --omit=dev and the build with every dependency', () => {
    const runs = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    const deps = stages.find((s) => runs(s).some((r) => /\bnpm ci\b.*--omit=dev/.test(r)));
    const build = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
    expect(deps?.name).toBeDefined();
    expect(build?.name).toBeDefined();
    expect(runs(build!).some((r) => /\bnpm ci\b/.test(r) && !r.includes('--omit'))).toBe(true);
    for (const name of ['api', 'worker']) {
      const copies = effective(target(name)!)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
      expect(copies).toEqual(
        expect.arrayContaining([
          expect.stringMatching(new RegExp(`--from=${deps!.name}\\s.*node_modules`)),
          expect.stringMatching(new RegExp(`--from=${build!.name}\\s.*dist`)),
        ]),
      );
    }
  });

  it.each([
    ['api', 'dist/main.api.js', '3000'],
    ['worker', 'dist/main.worker.js', '3001'],
  ])('runs the %s target as the non-root node user with a health check and %s', (name, entry, port) => {
    const stage = target(name)!;
    expect(last(stage, 'USER')?.args).toBe('node');
    expect(JSON.parse(last(stage, 'CMD')?.args ?? 'null')).toEqual(['node', entry]);
    expect(last(stage, 'EXPOSE')?.args).toBe(port);
    expect(effective(stage).some((i) => i.keyword === 'ENV' && /\bNODE_ENV=production\b/.test(i.args))).toBe(true);
    const healthcheck = last(stage, 'HEALTHCHECK')?.args ?? '';
    expect(healthcheck).toMatch(/\bCMD\b/);
    expect(healthcheck).toMatch(/fetch\(.*\/health\b/);
  });
});

describe('production dependencies', () => {
  const entryPoints = ['src/main.api.ts', 'src/main.worker.ts', 'src/main.migrate.ts'];
  const packageJson = JSON.parse(read('package.json')) as { dependencies: Record<string, string> };

  /** The modules a file loads when it is loaded: its value imports (type-only ones are erased) and re-exports. */
  function eagerImports(file: string): string[] {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2022,
        experimentalDecorators: true,
        emitDecoratorMetadata: true,
      },
    });
    const emitted = ts.createSourceFile(file, outputText, ts.ScriptTarget.ES2022);
    return emitted.statements.flatMap((s) =>
      (ts.isImportDeclaration(s) || ts.isExportDeclaration(s)) &&
      s.moduleSpecifier !== undefined &&
      ts.isStringLiteral(s.moduleSpecifier)
        ? [s.moduleSpecifier.text]
        : [],
    );
  }

  // The images install with `npm ci --omit=dev`: a devDependency loaded at start-up would stop the process.
  it('loads no devDependency at start-up of the api, the worker or the migrate step', () => {
    const seen = new Set<string>();
    const pending = entryPoints.map((e) => join(root, e));
    const outside: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of eagerImports(file)) {
        if (specifier.startsWith('.')) {
          const base = join(dirname(file), specifier);
          const source = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
          if (source !== undefined) pending.push(source);
          continue;
        }
        if (isBuiltin(specifier)) continue;
        const pkg = specifier
          .split('/')
          .slice(0, specifier.startsWith('@') ? 2 : 1)
          .join('/');
        if (!(pkg in packageJson.dependencies)) outside.push(`${pkg} (imported by ${relative(root, file)})`);
      }
    }
    expect(seen.size).toBeGreaterThan(entryPoints.length);
    expect(outside).toEqual([]);
  });
});
