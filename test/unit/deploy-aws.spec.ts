import 'reflect-metadata';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type CreateTableCommandInput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { DynamoClients } from '../../src/write-store/dynamodb.client';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appConfigSchema, parseConfig } from '../../src/platform/config/app-config';
import { HealthHttpController } from '../../src/ops/health.http.controller';
import { DynamoTicketWriteStore } from '../../src/write-store/dynamo-ticket-write-store';
import { PATH_METADATA } from '@nestjs/common/constants';
import { itIf } from '../support/skip';

const root = join(__dirname, '..', '..');
const awsDir = join(root, 'deploy', 'aws');
const tfFiles = readdirSync(awsDir).filter((f) => f.endsWith('.tf'));
const templatesDir = join(awsDir, 'templates');

/**
 * Local provider mirrors `terraform init -plugin-dir` can install from without the registry: TF_PLUGIN_DIR,
 * else the mirror some CI images ship (this machine's is /opt/tf-plugins). Without one, init tries the
 * registry (Terraform's own implied mirror directories first).
 */
const pluginDir = [process.env.TF_PLUGIN_DIR, '/opt/tf-plugins'].find((d) => d !== undefined && existsSync(d));

const terraform = (args: string[], cwd: string, dataDir?: string, input?: string): SpawnSyncReturns<string> =>
  spawnSync('terraform', args, {
    cwd,
    input,
    encoding: 'utf8',
    timeout: 90_000,
    env: { ...process.env, TF_IN_AUTOMATION: '1', ...(dataDir !== undefined && { TF_DATA_DIR: dataDir }) },
  });

const firstError = (run: SpawnSyncReturns<string>): string =>
  (run.error?.message ?? run.stderr.split('\n').find((l) => /Error:/.test(l)) ?? `exit ${run.status}`)
    .replace(/[│╷╵]/g, '')
    .trim();

interface TerraformCli {
  version: string;
  /** A copy of deploy/aws with providers installed, or why init could not install them. */
  /** The scratch copy, removed after the tests. */
  scratch: string;
  initialized: { dir: string; dataDir: string; how: string } | { reason: string };
}

/** Terraform on this machine, initialized offline in a scratch copy (init writes a lock file and .terraform). */
function setUpTerraform(): TerraformCli | { reason: string } {
  const version = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8' });
  if (version.error !== undefined || version.status !== 0) return { reason: 'no terraform CLI on this machine' };
  const dir = mkdtempSync(join(tmpdir(), 'deploy-aws-'));
  cpSync(awsDir, dir, { recursive: true });
  const dataDir = join(dir, '.terraform');
  const init = terraform(
    ['init', '-backend=false', '-input=false', '-no-color', ...(pluginDir ? [`-plugin-dir=${pluginDir}`] : [])],
    dir,
    dataDir,
  );
  const how = pluginDir ? `providers from the local mirror ${pluginDir}` : 'providers from the registry';
  return {
    version: (JSON.parse(version.stdout) as { terraform_version: string }).terraform_version,
    scratch: dir,
    initialized:
      init.status === 0
        ? { dir, dataDir, how }
        : { reason: `terraform init could not install the AWS provider offline (${firstError(init)})` },
  };
}

const cli = setUpTerraform();
const initialized = 'initialized' in cli && 'dir' in cli.initialized ? cli.initialized : undefined;
const initReason = 'initialized' in cli && 'reason' in cli.initialized ? cli.initialized.reason : undefined;
const cliReason = 'reason' in cli ? cli.reason : initReason;

afterAll(() => {
  if ('scratch' in cli) rmSync(cli.scratch, { recursive: true, force: true });
});

/** The arguments each user-data template is rendered with, read from its templatefile() call in instances.tf. */
function templateCalls(): { template: string; keys: string[] }[] {
  const text = readFileSync(join(awsDir, 'instances.tf'), 'utf8');
  return [...text.matchAll(/templatefile\("\$\{path\.module\}\/templates\/([\w.-]+)", \{([^}]*)\}/g)].map((m) => ({
    template: m[1]!,
    keys: [...m[2]!.matchAll(/(?:^|[{,\n])\s*(\w+)\s*=(?!=)/g)].map((k) => k[1]!),
  }));
}

/** Names a template interpolates or iterates (`${name}`, `%{ if name }`, `%{ for k, v in name }`). */
function templateVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?<!\$)\$\{\s*(\w+)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/%\{\s*if\s+(\w+)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/%\{\s*for\s+\w+\s*,\s*\w+\s+in\s+(\w+)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/%\{\s*for\s+(\w+)\s*,\s*(\w+)/g)) [m[1]!, m[2]!].forEach((n) => names.delete(n));
  return names;
}

describe(`deploy/aws with the Terraform CLI${'version' in cli ? ` ${cli.version}` : ''}`, () => {
  const withCli = itIf('version' in cli, 'reason' in cli ? cli.reason : undefined);
  const withInit = itIf(initialized !== undefined, initReason ?? cliReason);

  withCli('is formatted as terraform fmt writes it (terraform fmt -check -recursive)', () => {
    const run = terraform(['fmt', '-check', '-recursive', '-diff', '-no-color', awsDir], root);
    expect({ status: run.status, diff: run.stdout }).toEqual({ status: 0, diff: '' });
  });

  withInit(`passes terraform validate${initialized ? ` (${initialized.how})` : ''}`, () => {
    const run = terraform(['validate', '-json', '-no-color'], initialized!.dir, initialized!.dataDir);
    const result = JSON.parse(run.stdout) as {
      valid: boolean;
      error_count: number;
      diagnostics: { summary: string }[];
    };
    expect({ valid: result.valid, errors: result.diagnostics.map((d) => d.summary) }).toEqual({
      valid: true,
      errors: [],
    });
  });

  withInit(
    'renders every user-data template with its instances’ arguments into valid bash (terraform console, bash -n)',
    () => {
      const calls = templateCalls();
      expect(calls.length).toBeGreaterThanOrEqual(4);
      const value = (key: string, broker: boolean) =>
        key === 'common_env'
          ? '{ AMQP_NAMESPACE = "tickets" }'
          : key === 'run_broker'
            ? String(broker)
            : `"value-of-${key}"`;
      const cases = calls.flatMap(({ template, keys }) =>
        (keys.includes('run_broker') ? [true, false] : [false]).map((broker) => ({
          name: `${template}${keys.includes('run_broker') ? ` (run_broker ${broker})` : ''}`,
          expression: `templatefile("templates/${template}", { ${keys.map((k) => `${k} = ${value(k, broker)}`).join(', ')} })`,
        })),
      );
      // One expression for all of them: the console prints only its last result, and each start loads the provider.
      const rendered = terraform(
        ['console', '-no-color'],
        initialized!.dir,
        initialized!.dataDir,
        `jsonencode([${cases.map((c) => c.expression).join(', ')}])\n`,
      );
      expect({ status: rendered.status, error: rendered.status === 0 ? '' : firstError(rendered) }).toEqual({
        status: 0,
        error: '',
      });
      const scripts = JSON.parse(JSON.parse(rendered.stdout.trim()) as string) as string[];
      expect(scripts).toHaveLength(cases.length);
      let embeddedCount = 0;
      cases.forEach(({ name }, i) => {
        const script = scripts[i]!;
        expect(script).toMatch(/^#!\/bin\/bash\n/);
        // The user data, and the scripts it writes to disk (heredocs are text to the outer script's parser).
        const embedded = [...script.matchAll(/<<'SCRIPT'\n([\s\S]*?)\nSCRIPT\n/g)].map((m) => m[1]!);
        embeddedCount += embedded.length;
        for (const [part, text] of [script, ...embedded].entries()) {
          const syntax = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
          expect({ name, part, status: syntax.status, stderr: syntax.stderr }).toEqual({
            name,
            part,
            status: 0,
            stderr: '',
          });
        }
      });
      expect(embeddedCount).toBeGreaterThan(0);
    },
  );
});

interface Hcl {
  variable: Record<string, [{ default?: unknown; type?: string; sensitive?: boolean }]>;
  resource: Record<string, Record<string, any[]>>;
  data: Record<string, Record<string, any[]>>;
  locals: Record<string, unknown>[];
}

/** Every .tf file of deploy/aws, parsed by @cdktf/hcl2json (HCL to the JSON form) and merged. */
async function parseTerraform(): Promise<Hcl> {
  // Loaded by a non-literal name: the package's type declarations pull in the DOM library, whose fetch types
  // would then apply to every test file in the program.
  const hcl2json = '@cdktf/hcl2json';
  const { parse } = (await import(hcl2json)) as { parse(file: string, contents: string): Promise<unknown> };
  const merged: Hcl = { variable: {}, resource: {}, data: {}, locals: [] };
  for (const file of tfFiles) {
    const json = (await parse(file, readFileSync(join(awsDir, file), 'utf8'))) as Partial<Hcl>;
    Object.assign(merged.variable, json.variable);
    for (const section of ['resource', 'data'] as const) {
      for (const [type, blocks] of Object.entries(json[section] ?? {})) {
        merged[section][type] = { ...merged[section][type], ...blocks };
      }
    }
    merged.locals.push(...(json.locals ?? []));
  }
  return merged;
}

/** `${aws_security_group.api.id}` → `api`. */
const groupOf = (reference: string): string => /aws_security_group\.(\w+)\.id/.exec(reference)?.[1] ?? reference;

describe(`deploy/aws parsed with @cdktf/hcl2json (runs everywhere${cliReason === undefined ? '' : `; terraform validate could not run here: ${cliReason}`})`, () => {
  let hcl: Hcl;
  beforeAll(async () => {
    hcl = await parseTerraform();
  });
  const resources = (type: string) => hcl.resource[type] ?? {};
  const only = (type: string, name: string) => resources(type)[name]![0];

  it('has variables for every tier’s instance type and count, and the instances use them', () => {
    for (const name of [
      'api_instance_type',
      'api_instance_count',
      'broker_instance_type',
      'worker_instance_type',
      'worker_instance_count',
      'redis_instance_type',
    ]) {
      expect({ name, declared: hcl.variable[name] !== undefined }).toEqual({ name, declared: true });
    }
    expect(only('aws_instance', 'api')).toMatchObject({
      count: '${var.api_instance_count}',
      instance_type: '${var.api_instance_type}',
    });
    expect(only('aws_instance', 'worker')).toMatchObject({
      count: '${var.worker_instance_count}',
      instance_type: '${var.worker_instance_type}',
    });
    expect(only('aws_instance', 'broker')).toMatchObject({ instance_type: '${var.broker_instance_type}' });
    expect(only('aws_instance', 'redis')).toMatchObject({ instance_type: '${var.redis_instance_type}' });
    for (const secret of ['admin_token', 'rabbitmq_password', 'redis_password', 'mysql_password']) {
      expect({
        secret,
        sensitive: hcl.variable[secret]?.[0].sensitive,
        default: hcl.variable[secret]?.[0].default,
      }).toEqual({
        secret,
        sensitive: true,
        default: undefined,
      });
    }
  });

  it('opens only what each tier needs: the exact set of inbound rules', () => {
    const rules = Object.values(resources('aws_vpc_security_group_ingress_rule')).map(([rule]) => {
      const source =
        rule.referenced_security_group_id !== undefined
          ? `sg:${groupOf(rule.referenced_security_group_id)}`
          : String(rule.for_each ?? rule.cidr_ipv4);
      expect(rule.from_port).toBe(rule.to_port);
      expect(rule.ip_protocol).toBe('tcp');
      return `${groupOf(rule.security_group_id)} ${rule.from_port} from ${source}`;
    });
    expect(rules.sort()).toEqual(
      [
        'lb 80 from ${toset(var.allowed_cidrs)}',
        'lb 443 from ${var.certificate_arn == "" ? toset([]) : toset(var.allowed_cidrs)}',
        'api 3000 from sg:lb',
        'api 3000 from ${toset(var.monitoring_cidrs)}',
        'broker 5672 from sg:api',
        'broker 5672 from sg:worker',
        'worker 3001 from ${toset(var.monitoring_cidrs)}',
        'redis 6379 from sg:api',
        'redis 6379 from sg:worker',
        'mysql 3306 from sg:api',
        'mysql 3306 from sg:worker',
      ].sort(),
    );
    // No inline rules that would escape the list above, and monitoring is closed unless asked for.
    for (const [name, [group]] of Object.entries(resources('aws_security_group'))) {
      expect({ name, ingress: group.ingress, egress: group.egress }).toEqual({
        name,
        ingress: undefined,
        egress: undefined,
      });
    }
    expect(hcl.variable.monitoring_cidrs![0].default).toEqual([]);
  });

  it('puts each instance in its tier’s security groups, and MySQL in its own', () => {
    const groups = (name: string) =>
      (only('aws_instance', name).vpc_security_group_ids as string[]).map(groupOf).sort();
    expect(groups('api')).toEqual(['api']);
    expect(groups('broker')).toEqual(['broker', 'worker']);
    expect(groups('worker')).toEqual(['worker']);
    expect(groups('redis')).toEqual(['redis']);
    for (const db of ['primary', 'replica'])
      expect(only('aws_db_instance', db).vpc_security_group_ids.map(groupOf)).toEqual(['mysql']);
    expect(only('aws_lb', 'api').security_groups.map(groupOf)).toEqual(['lb']);
    for (const name of ['api', 'broker', 'worker', 'redis'])
      expect(only('aws_instance', name).metadata_options).toEqual([{ http_tokens: 'required' }]);
  });

  it('declares the DynamoDB tables exactly as the worker creates them (keys, index, billing mode)', async () => {
    // The write store's own CreateTable requests, captured from ensureTables() with a recording client.
    const created: CreateTableCommandInput[] = [];
    const recorder = {
      send: async (command: unknown) => {
        if (command instanceof CreateTableCommand) created.push(command.input);
        if (command instanceof DescribeTableCommand)
          return { Table: { TableStatus: 'ACTIVE', GlobalSecondaryIndexes: [] } };
        return {};
      },
    } as unknown as DynamoDBClient;
    const prefix = hcl.variable.dynamodb_table_prefix![0].default as string;
    // Table creation uses the SDK's client only.
    const clients = { sdk: recorder } as DynamoClients;
    await new DynamoTicketWriteStore(clients, { DYNAMODB_TABLE_PREFIX: prefix }).ensureTables();
    expect(created).toHaveLength(2);
    const tables = Object.values(resources('aws_dynamodb_table')).map(([t]) => t);
    for (const input of created) {
      const table = tables.find(
        (t) => String(t.name).replace('${var.dynamodb_table_prefix}', prefix) === input.TableName,
      );
      expect({ table: input.TableName, declared: table !== undefined }).toEqual({
        table: input.TableName,
        declared: true,
      });
      const key = (type: string) => input.KeySchema!.find((k) => k.KeyType === type)?.AttributeName;
      expect({ hash: table.hash_key, range: table.range_key }).toEqual({ hash: key('HASH'), range: key('RANGE') });
      expect(table.attribute.map((a: { name: string; type: string }) => [a.name, a.type]).sort()).toEqual(
        input.AttributeDefinitions!.map((a) => [a.AttributeName, a.AttributeType]).sort(),
      );
      expect(
        (table.global_secondary_index ?? []).map((i: any) => ({
          name: i.name,
          hash: i.hash_key,
          range: i.range_key,
          projection: i.projection_type,
        })),
      ).toEqual(
        (input.GlobalSecondaryIndexes ?? []).map((i) => ({
          name: i.IndexName,
          hash: i.KeySchema!.find((k) => k.KeyType === 'HASH')?.AttributeName,
          range: i.KeySchema!.find((k) => k.KeyType === 'RANGE')?.AttributeName,
          projection: i.Projection!.ProjectionType,
        })),
      );
      expect(table.billing_mode).toBe('${var.dynamodb_billing_mode}');
      expect(table.point_in_time_recovery).toEqual([{ enabled: true }]);
    }
    expect(hcl.variable.dynamodb_billing_mode![0].default).toBe(created[0]!.BillingMode);
  });

  it('lets the worker role make every DynamoDB call the worker makes, and the API role write nothing', () => {
    // The calls the write store and the worker's readiness check make, read from their sources: SDK commands
    // and the JSON client's operations (`json.call('PutItem', ...)`).
    const writeStore = readdirSync(join(root, 'src/write-store'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => `src/write-store/${f}`);
    const sources = [...writeStore, 'src/worker/worker-health.http.controller.ts']
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    const operations: Record<string, string> = {
      Put: 'PutItem',
      Get: 'GetItem',
      BatchWrite: 'BatchWriteItem',
      BatchGet: 'BatchGetItem',
    };
    const used = [
      ...new Set([
        ...[...sources.matchAll(/new (\w+)Command\(/g)].map((m) => `dynamodb:${operations[m[1]!] ?? m[1]}`),
        ...[...sources.matchAll(/json\.call(?:<[^(]*>)?\(\s*'(\w+)'/g)].map((m) => `dynamodb:${m[1]}`),
      ]),
    ];
    expect(used).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:BatchGetItem',
        'dynamodb:ListTables',
        'dynamodb:CreateTable',
      ]),
    );
    const allowed = (document: string) =>
      (hcl.data.aws_iam_policy_document![document]![0].statement as { actions: string[] }[]).flatMap((s) => s.actions);
    expect(used.filter((action) => !allowed('worker_dynamodb').includes(action))).toEqual([]);
    expect(allowed('api_dynamodb_read').filter((a) => /Put|Write|Create|Delete|Update/.test(a))).toEqual([]);
    expect(only('aws_iam_role_policy', 'worker_dynamodb').role).toBe('${aws_iam_role.tier["worker"].id}');
  });

  it('configures the processes only with variables of the config schema, and Redis for durability', () => {
    const schema = new Set(Object.keys(appConfigSchema.shape));
    const commonEnv = Object.keys((hcl.locals.find((l) => 'common_env' in l)!.common_env ?? {}) as object);
    expect(commonEnv.length).toBeGreaterThan(0);
    const written = ['api.sh.tftpl', 'worker.sh.tftpl'].flatMap((t) =>
      [...readFileSync(join(templatesDir, t), 'utf8').matchAll(/<<ENV\n([\s\S]*?)\nENV/g)].flatMap((m) =>
        [...m[1]!.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((v) => v[1]!),
      ),
    );
    expect(written).toEqual(
      expect.arrayContaining(['REDIS_URL', 'AMQP_URL', 'MYSQL_URL', 'ADMIN_TOKEN', 'WORKER_PORT']),
    );
    // AWS_REGION is the SDK's, for the operator commands and the worker's credential chain.
    expect([...commonEnv, ...written].filter((name) => !schema.has(name) && name !== 'AWS_REGION')).toEqual([]);
    const redis = readFileSync(join(templatesDir, 'redis.sh.tftpl'), 'utf8');
    for (const setting of ['appendonly yes', 'appendfsync always', 'maxmemory-policy noeviction'])
      expect(redis).toContain(`\n${setting}\n`);
  });

  it("limits purchases per buyer, believing X-Forwarded-For only from the VPC's range (the load balancer)", () => {
    const api = readFileSync(join(templatesDir, 'api.sh.tftpl'), 'utf8');
    const env = Object.fromEntries(
      [...api.matchAll(/<<ENV\n([\s\S]*?)\nENV/g)].flatMap((m) =>
        [...m[1]!.matchAll(/^([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((v) => [v[1]!, v[2]!]),
      ),
    );
    expect(Number(env.RATE_LIMIT_MAX)).toBeGreaterThan(0);
    expect(env.TRUST_PROXY).toBe('${vpc_cidr}');
    expect(templateCalls().find((c) => c.template === 'api.sh.tftpl')!.keys).toContain('vpc_cidr');
    expect(readFileSync(join(awsDir, 'instances.tf'), 'utf8')).toMatch(/^\s*vpc_cidr\s*=\s*var\.vpc_cidr$/m);
    // The load balancer's subnets are carved from that range.
    for (const [subnet] of Object.values(resources('aws_subnet')))
      expect(subnet.cidr_block).toMatch(/^\$\{cidrsubnet\(var\.vpc_cidr,/);
    // What the API would parse with the default range.
    const vpcCidr = String(hcl.variable.vpc_cidr![0].default);
    expect(parseConfig({ ADMIN_TOKEN: 'x'.repeat(16), TRUST_PROXY: vpcCidr }).TRUST_PROXY).toEqual([vpcCidr]);
  });

  it('passes every user-data template the variables it uses (the first check terraform console would fail)', () => {
    const calls = templateCalls();
    expect(calls.map((c) => c.template).sort()).toEqual([
      'api.sh.tftpl',
      'redis.sh.tftpl',
      'worker.sh.tftpl',
      'worker.sh.tftpl',
    ]);
    for (const { template, keys } of calls) {
      const missing = [...templateVariables(readFileSync(join(templatesDir, template), 'utf8'))].filter(
        (v) => !keys.includes(v),
      );
      expect({ template, missing }).toEqual({ template, missing: [] });
    }
  });

  it('health-checks the API on its real liveness route and port', () => {
    const [group] = Object.values(resources('aws_lb_target_group')).map(([g]) => g);
    const routes = [Reflect.getMetadata(PATH_METADATA, HealthHttpController.prototype.live) as string[]].flat();
    expect(routes.map((r) => `/${r}`)).toContain(group.health_check[0].path);
    expect(group.health_check[0].path).toBe('/health/live');
    expect(group.port).toBe(appConfigSchema.shape.PORT.parse(undefined));
    expect(group.deregistration_delay).toBeGreaterThan(25);
  });
});
