import 'reflect-metadata';
import { PATH_METADATA, METHOD_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { appConfigSchema, parseConfig } from '../../src/platform/config/app-config';
import { topologyFor } from '../../src/platform/amqp/topology';
import { HealthHttpController } from '../../src/ops/health.http.controller';
import { WorkerHealthHttpController } from '../../src/worker/worker-health.http.controller';
import {
  generatedNamePattern,
  kubectlUnavailableReason,
  NeedsKustomizeError,
  renderParseOnly,
  renderWithKubectl,
  type KubernetesObject,
} from '../support/kustomize';
import { schemaErrors, UnknownFieldFinder } from '../support/kubernetes-schema';
import { itIf } from '../support/skip';

const root = join(__dirname, '..', '..');
const kubernetesDir = join(root, 'deploy', 'kubernetes');
const kubectlUnavailable = kubectlUnavailableReason();

/** The GET paths a health controller serves, read from its Nest route metadata (not retyped here). */
function getRoutes(controller: new (...args: never[]) => unknown): Set<string> {
  const prefix = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '/').replace(/^\/|\/$/g, '');
  const routes = new Set<string>();
  for (const name of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = (controller.prototype as Record<string, unknown>)[name];
    if (typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) !== RequestMethod.GET) continue;
    const paths = [Reflect.getMetadata(PATH_METADATA, handler) as string | string[]].flat();
    for (const path of paths) routes.add(`/${[prefix, path.replace(/^\//, '')].filter((p) => p !== '').join('/')}`);
  }
  return routes;
}

/** Each process's health routes and the configuration variable naming its port. */
const PROCESSES: Record<string, { routes: Set<string>; portVariable: 'PORT' | 'WORKER_PORT' }> = {
  api: { routes: getRoutes(HealthHttpController), portVariable: 'PORT' },
  worker: { routes: getRoutes(WorkerHealthHttpController), portVariable: 'WORKER_PORT' },
};

/** The app's own bound on a graceful shutdown (src/platform/shutdown.ts), in seconds. */
const shutdownDeadlineSeconds = (): number => {
  const match = /deadlineMs = ([\d_]+)/.exec(readFileSync(join(root, 'src', 'platform', 'shutdown.ts'), 'utf8'));
  return Number(match![1]!.replace(/_/g, '')) / 1000;
};

/** Keys of the Secret `ticketing-secrets` that deploy/README.md documents (its table's first column). */
const documentedSecretKeys = (): Set<string> =>
  new Set(
    [...readFileSync(join(kubernetesDir, '..', 'README.md'), 'utf8').matchAll(/^\| `([A-Z_]+)` \|/gm)].map(
      (m) => m[1]!,
    ),
  );

const configVariables = new Set(Object.keys(appConfigSchema.shape));

interface RenderedDir {
  dir: string;
  objects: KubernetesObject[];
  /** Set when the directory could not be rendered here; its tests are skipped with this reason. */
  skipped?: string;
  how: string;
}

/** Renders a kustomization: kubectl where present, else the parse-only fallback (or a skip reason). */
function render(dir: string): RenderedDir {
  const name = relative(root, dir);
  if (kubectlUnavailable === null) return { dir: name, objects: renderWithKubectl(dir), how: 'kubectl kustomize' };
  try {
    return { dir: name, objects: renderParseOnly(dir), how: `parse-only: ${kubectlUnavailable}` };
  } catch (error) {
    if (!(error instanceof NeedsKustomizeError)) throw error;
    return {
      dir: name,
      objects: [],
      skipped: `${kubectlUnavailable}; ${error.message.replace(dir, name)}`,
      how: 'skipped',
    };
  }
}

const overlays = readdirSync(join(kubernetesDir, 'overlays')).map((o) => join(kubernetesDir, 'overlays', o));
const rendered = [join(kubernetesDir, 'base'), ...overlays].map(render);

const byKind = (objects: KubernetesObject[], kind: string) => objects.filter((o) => o.kind === kind);
const podTemplates = (objects: KubernetesObject[]) =>
  objects.filter((o) => o.kind === 'Deployment' || o.kind === 'Job').map((o) => ({ owner: o, pod: o.spec.template }));
const selects = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const component = (o: KubernetesObject) => o.metadata.labels?.['app.kubernetes.io/component'] ?? '';

describe.each(rendered)('$dir ($how)', ({ objects, skipped }) => {
  const check = itIf(skipped === undefined, skipped);
  const deployments = byKind(objects, 'Deployment');
  const deployment = (name: string) => deployments.find((d) => d.metadata.name === name);
  const configMaps = byKind(objects, 'ConfigMap');
  const config = (): Record<string, string> => {
    expect(configMaps).toHaveLength(1);
    return configMaps[0]!.data;
  };

  check('renders the api and worker Deployments, their autoscalers, PDBs and the migrate Job', () => {
    const kinds = objects.map((o) => `${o.kind}/${component(o)}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Deployment/api',
        'Service/api',
        'HorizontalPodAutoscaler/api',
        'PodDisruptionBudget/api',
        'Deployment/worker',
        'ScaledObject/worker',
        'TriggerAuthentication/worker',
        'PodDisruptionBudget/worker',
        'Job/migrate',
      ]),
    );
    expect(deployments).toHaveLength(2);
  });

  check('validates every object against its Kubernetes or KEDA schema', async () => {
    expect(objects.length).toBeGreaterThan(0);
    const errors: string[] = [];
    for (const object of objects) {
      const error = await schemaErrors(object);
      if (error !== null) errors.push(`${object.kind}/${object.metadata.name}: ${error}`);
    }
    expect(errors).toEqual([]);
  });

  check('uses no field the schemas do not define (a misspelt field would be ignored by the cluster)', () => {
    const finder = new UnknownFieldFinder(objects);
    const unknown = objects.flatMap((o) => finder.find(o).map((path) => `${o.kind}/${o.metadata.name}: ${path}`));
    expect(unknown).toEqual([]);
  });

  check('configures the processes only with variables of the config schema, with valid values', () => {
    const data = config();
    expect(Object.keys(data).filter((name) => !configVariables.has(name))).toEqual([]);
    // The values parse as the processes would parse them (secrets stand in with well-formed dummies).
    expect(() =>
      parseConfig({ ...data, ADMIN_TOKEN: 'x'.repeat(16), REDIS_URL: 'redis://r', AMQP_URL: 'amqp://a' }),
    ).not.toThrow();
    for (const { owner, pod } of podTemplates(objects)) {
      for (const container of pod.spec.containers) {
        const names = (container.env ?? []).map((e: { name: string }) => e.name);
        expect({
          container: `${owner.metadata.name}/${container.name}`,
          unknown: names.filter((n: string) => !configVariables.has(n)),
        }).toEqual({
          container: `${owner.metadata.name}/${container.name}`,
          unknown: [],
        });
        for (const source of container.envFrom ?? []) {
          expect(source.configMapRef?.name).toBe(configMaps[0]!.metadata.name);
          expect(source.secretRef).toBeUndefined(); // a whole Secret would bring keys that are not variables
        }
      }
    }
  });

  check('takes URLs with credentials and ADMIN_TOKEN from the Secret, with keys deploy/README.md documents', () => {
    const documented = documentedSecretKeys();
    const refs = [
      ...podTemplates(objects).flatMap(({ pod }) =>
        pod.spec.containers.flatMap((c: any) =>
          (c.env ?? []).map((e: any) => e.valueFrom?.secretKeyRef).filter(Boolean),
        ),
      ),
      ...byKind(objects, 'TriggerAuthentication').flatMap((t) => t.spec.secretTargetRef),
    ];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs)
      expect({ name: ref.name, documented: documented.has(ref.key) }).toEqual({
        name: 'ticketing-secrets',
        documented: true,
      });
    const secretVariables = podTemplates(objects).flatMap(({ pod }) =>
      pod.spec.containers.flatMap((c: any) =>
        (c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => e.name),
      ),
    );
    expect(new Set(secretVariables)).toEqual(new Set(['ADMIN_TOKEN', 'REDIS_URL', 'AMQP_URL', 'MYSQL_URL']));
    for (const name of ['ADMIN_TOKEN', 'REDIS_URL', 'AMQP_URL', 'MYSQL_URL']) expect(config()[name]).toBeUndefined();
  });

  check('probes the real health routes on the port each process listens on', () => {
    const data = config();
    for (const name of ['api', 'worker']) {
      const owner = deployments.find((d) => component(d) === name);
      const container = owner?.spec.template.spec.containers[0];
      const { routes, portVariable } = PROCESSES[name]!;
      const port = (ref: string | number) =>
        typeof ref === 'number' ? ref : container.ports.find((p: { name: string }) => p.name === ref)?.containerPort;
      for (const probe of ['startupProbe', 'livenessProbe', 'readinessProbe']) {
        const httpGet = container?.[probe]?.httpGet;
        expect({ name, probe, path: httpGet?.path, routeExists: routes.has(httpGet?.path) }).toEqual({
          name,
          probe,
          path: expect.stringMatching(/^\/health/),
          routeExists: true,
        });
        expect({ name, probe, port: port(httpGet.port) }).toEqual({ name, probe, port: Number(data[portVariable]) });
      }
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    }
    // The worker takes no traffic: its readiness is the full check (pipelines consuming, stores answering).
    expect(deployment('ticketing-worker')!.spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe(
      '/health/ready',
    );
  });

  check('sets cpu and memory requests and limits on every container', () => {
    for (const { owner, pod } of podTemplates(objects)) {
      for (const container of pod.spec.containers) {
        const { requests = {}, limits = {} } = container.resources ?? {};
        expect({
          container: `${owner.metadata.name}/${container.name}`,
          requests: Object.keys(requests).sort(),
          limits: Object.keys(limits).sort(),
        }).toEqual({
          container: `${owner.metadata.name}/${container.name}`,
          requests: ['cpu', 'memory'],
          limits: ['cpu', 'memory'],
        });
      }
    }
  });

  check('limits purchases per buyer address, believing X-Forwarded-For only from the proxies in front', () => {
    const parsed = parseConfig({ ...config(), ADMIN_TOKEN: 'x'.repeat(16) });
    expect(parsed.RATE_LIMIT_MAX).toBeGreaterThan(0);
    // false would key every buyer on the ingress's address; true would believe what a buyer forged.
    expect(Array.isArray(parsed.TRUST_PROXY)).toBe(true);
  });

  check('gives the api and the worker more memory than their measured peak RSS, with headroom', () => {
    // Peak RSS in the 1000-connection ladder (ARCHITECTURE.md, "Measured performance").
    const peakMiB: Record<string, number> = { 'ticketing-api': 513, 'ticketing-worker': 535 };
    const mib = (quantity: string): number => {
      const match = /^(\d+)(Mi|Gi)$/.exec(quantity);
      expect({ quantity, understood: match !== null }).toEqual({ quantity, understood: true });
      return Number(match![1]) * (match![2] === 'Gi' ? 1024 : 1);
    };
    for (const [name, peak] of Object.entries(peakMiB)) {
      const { requests, limits } = deployment(name)!.spec.template.spec.containers[0].resources;
      expect({ name, requestCoversPeak: mib(requests.memory) >= peak }).toEqual({ name, requestCoversPeak: true });
      expect({ name, limitOverPeak: mib(limits.memory) >= peak * 1.25 }).toEqual({ name, limitOverPeak: true });
    }
  });

  check('runs every pod as a non-root numeric user without privilege escalation, on a read-only root', () => {
    const templates = podTemplates(objects);
    expect(templates.length).toBe(3);
    for (const { owner, pod } of templates) {
      const context = pod.spec.securityContext ?? {};
      expect({
        owner: owner.metadata.name,
        runAsNonRoot: context.runAsNonRoot,
        userIsNumericNonRoot: context.runAsUser > 0,
      }).toEqual({
        owner: owner.metadata.name,
        runAsNonRoot: true,
        userIsNumericNonRoot: true,
      });
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      for (const container of pod.spec.containers) {
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });

  check('gives each process more time to stop than its own shutdown bound, preStop included', () => {
    const deadline = shutdownDeadlineSeconds();
    expect(deadline).toBeGreaterThan(0);
    for (const owner of deployments) {
      const spec = owner.spec.template.spec;
      const preStop = spec.containers[0].lifecycle?.preStop?.exec?.command ?? [];
      const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
      expect({
        name: owner.metadata.name,
        enough: spec.terminationGracePeriodSeconds > deadline + preStopSeconds,
      }).toEqual({
        name: owner.metadata.name,
        enough: true,
      });
    }
  });

  check('selects existing pods with every PodDisruptionBudget and the Service', () => {
    const budgets = byKind(objects, 'PodDisruptionBudget');
    expect(budgets.map(component).sort()).toEqual(['api', 'worker']);
    for (const budget of budgets) {
      const matched = deployments.filter((d) =>
        selects(budget.spec.selector.matchLabels, d.spec.template.metadata.labels),
      );
      expect({ budget: budget.metadata.name, matched: matched.map((d) => d.metadata.name) }).toEqual({
        budget: budget.metadata.name,
        matched: [`ticketing-${component(budget)}`],
      });
    }
    const [service] = byKind(objects, 'Service');
    const api = deployment('ticketing-api')!;
    expect(selects(service!.spec.selector, api.spec.template.metadata.labels)).toBe(true);
    expect(deployment('ticketing-worker')!.spec.template.metadata.labels).not.toEqual(
      api.spec.template.metadata.labels,
    );
    const portNames = api.spec.template.spec.containers[0].ports.map((p: { name: string }) => p.name);
    for (const port of service!.spec.ports) expect(portNames).toContain(port.targetPort);
    // A Deployment's own selector must match its pods, or the API server refuses it.
    for (const d of deployments)
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
  });

  check('scales the api on CPU and the worker on queue depth, each Deployment by one autoscaler', () => {
    const [hpa] = byKind(objects, 'HorizontalPodAutoscaler');
    const [scaled] = byKind(objects, 'ScaledObject');
    expect(hpa!.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'ticketing-api' });
    expect(hpa!.spec.metrics).toEqual([
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    ]);
    expect(scaled!.spec.scaleTargetRef).toMatchObject({ name: 'ticketing-worker' });
    expect(scaled!.spec.scaleTargetRef.kind ?? 'Deployment').toBe('Deployment');
    for (const target of [hpa!.spec.scaleTargetRef.name, scaled!.spec.scaleTargetRef.name]) {
      // The autoscaler owns the count: a `replicas` in the manifest would reset it on every apply.
      expect({ target, exists: deployment(target) !== undefined, replicas: deployment(target)?.spec.replicas }).toEqual(
        {
          target,
          exists: true,
          replicas: undefined,
        },
      );
    }
    expect(hpa!.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(hpa!.spec.maxReplicas).toBeGreaterThan(hpa!.spec.minReplicas);
    expect(scaled!.spec.maxReplicaCount).toBeGreaterThan(scaled!.spec.minReplicaCount);
  });

  check("watches the pipeline queues of the ConfigMap's AMQP_NAMESPACE, authenticated from the Secret", () => {
    const [scaled] = byKind(objects, 'ScaledObject');
    const { pipelines } = topologyFor(config().AMQP_NAMESPACE!);
    const triggers = scaled!.spec.triggers as any[];
    expect(triggers.map((t) => t.metadata.queueName).sort()).toEqual(Object.values(pipelines).sort());
    const authentications = byKind(objects, 'TriggerAuthentication').map((t) => t.metadata.name);
    for (const trigger of triggers) {
      expect(trigger).toMatchObject({
        type: 'rabbitmq',
        metadata: { mode: 'QueueLength', value: expect.stringMatching(/^\d+$/) },
      });
      expect(authentications).toContain(trigger.authenticationRef.name);
    }
  });

  check('runs the migrate step (read model and DynamoDB tables) as a Job on the worker image', () => {
    const [job] = byKind(objects, 'Job');
    const container = job!.spec.template.spec.containers[0];
    expect(container.command).toEqual(['node', 'dist/main.migrate.js']);
    expect(container.image).toBe(deployment('ticketing-worker')!.spec.template.spec.containers[0].image);
    expect(job!.spec.template.spec.restartPolicy).toBe('Never');
    expect(container.env.map((e: { name: string }) => e.name)).toEqual(['MYSQL_URL']);
    // The worker's settings (DYNAMODB_REGION, DYNAMODB_TABLE_PREFIX) and its service account (its DynamoDB role).
    expect(container.envFrom).toEqual(deployment('ticketing-worker')!.spec.template.spec.containers[0].envFrom);
    expect(job!.spec.template.spec.serviceAccountName).toBe('ticketing-worker');
  });

  check('names the generated ConfigMap with its content hash, so a configuration change rolls the pods', () => {
    const [configMap] = configMaps;
    if (kubectlUnavailable === null) expect(configMap!.metadata.name).toMatch(generatedNamePattern('ticketing-config'));
    else expect(configMap!.metadata.name).toBe('ticketing-config'); // the parse-only renderer adds no hash
  });
});

describe('deploy/kubernetes/base: the parse-only fallback', () => {
  const compare = itIf(kubectlUnavailable === null, kubectlUnavailable);

  /** Objects in a stable order, with kustomize's content hash taken off generated names. */
  const normalized = (objects: KubernetesObject[]) =>
    JSON.parse(JSON.stringify(objects).replace(/"(ticketing-config)-[a-z0-9]{10}"/g, '"$1"')).sort(
      (a: KubernetesObject, b: KubernetesObject) =>
        `${a.kind}/${a.metadata.name}`.localeCompare(`${b.kind}/${b.metadata.name}`),
    );

  compare('renders the base exactly as kubectl kustomize does', () => {
    const dir = join(kubernetesDir, 'base');
    expect(normalized(renderParseOnly(dir))).toEqual(normalized(renderWithKubectl(dir)));
  });

  it('refuses an overlay it cannot render faithfully (patches, replacements, merges) instead of guessing', () => {
    expect(overlays.length).toBeGreaterThan(0);
    for (const overlay of overlays) expect(() => renderParseOnly(overlay)).toThrow(NeedsKustomizeError);
  });
});
