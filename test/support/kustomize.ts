import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object, loosely typed: the tests read it field by field. */
export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: any;
}

/** Why `kubectl kustomize` cannot run here, or null when it can (it renders offline: no cluster needed). */
export function kubectlUnavailableReason(): string | null {
  const client = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (client.error !== undefined || client.status !== 0) return 'no kubectl on this machine';
  return null;
}

export function parseYamlDocuments(text: string, origin: string): KubernetesObject[] {
  return parseAllDocuments(text).flatMap((document) => {
    if (document.errors.length > 0) throw new Error(`${origin}: ${document.errors.map((e) => e.message).join('; ')}`);
    const value = document.toJS() as KubernetesObject | null;
    return value === null ? [] : [value];
  });
}

export function renderWithKubectl(dir: string): KubernetesObject[] {
  const run = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${run.stderr}`);
  return parseYamlDocuments(run.stdout, `kubectl kustomize ${dir}`);
}

/** Thrown for a kustomization the parse-only renderer cannot render faithfully. */
export class NeedsKustomizeError extends Error {}

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean; includeTemplates?: boolean }[];
  configMapGenerator?: { name: string; behavior?: string; envs?: string[]; literals?: string[] }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  [field: string]: unknown;
}

/** What the parse-only renderer does; any other field of a kustomization needs kustomize itself. */
const PARSE_ONLY_FIELDS = new Set([
  'apiVersion',
  'kind',
  'resources',
  'namespace',
  'labels',
  'configMapGenerator',
  'images',
]);

function readEnvFile(file: string): Record<string, string> {
  const data: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const at = trimmed.indexOf('=');
    data[trimmed.slice(0, at)] = trimmed.slice(at + 1);
  }
  return data;
}

const podTemplateContainers = (object: KubernetesObject): any[] => {
  const spec = object.spec?.template?.spec;
  return spec === undefined ? [] : [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
};

/**
 * The offline fallback where kubectl is absent: reads a kustomization's resources (files and directories,
 * recursively), generates its ConfigMaps (without the content hash kustomize appends to their names), sets
 * labels, namespace and images. Patches, replacements and anything else throw NeedsKustomizeError, so a
 * caller never checks a rendering that differs from what kustomize would apply.
 */
export function renderParseOnly(dir: string): KubernetesObject[] {
  const kustomization = parseYamlDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'), dir)[0] as
    Kustomization | undefined;
  if (kustomization === undefined) throw new Error(`${dir}: empty kustomization.yaml`);
  const unsupported = Object.keys(kustomization).filter((field) => !PARSE_ONLY_FIELDS.has(field));
  if (unsupported.length > 0) {
    throw new NeedsKustomizeError(`${dir} uses ${unsupported.join(', ')}, which only kustomize applies`);
  }
  const objects: KubernetesObject[] = [];
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    objects.push(
      ...(statSync(path).isDirectory() ? renderParseOnly(path) : parseYamlDocuments(readFileSync(path, 'utf8'), path)),
    );
  }
  for (const generator of kustomization.configMapGenerator ?? []) {
    if (generator.behavior !== undefined && generator.behavior !== 'create') {
      throw new NeedsKustomizeError(`${dir}: configMapGenerator behavior ${generator.behavior} needs kustomize`);
    }
    const data: Record<string, string> = {};
    for (const env of generator.envs ?? []) Object.assign(data, readEnvFile(join(dir, env)));
    for (const literal of generator.literals ?? []) {
      const at = literal.indexOf('=');
      data[literal.slice(0, at)] = literal.slice(at + 1);
    }
    objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: generator.name }, data });
  }
  for (const { pairs, includeSelectors, includeTemplates } of kustomization.labels ?? []) {
    if (includeSelectors === true || includeTemplates === true) {
      throw new NeedsKustomizeError(`${dir}: labels on selectors or templates need kustomize`);
    }
    for (const object of objects) object.metadata.labels = { ...object.metadata.labels, ...pairs };
  }
  if (kustomization.namespace !== undefined) {
    for (const object of objects) object.metadata.namespace = kustomization.namespace;
  }
  for (const image of kustomization.images ?? []) {
    for (const container of objects.flatMap(podTemplateContainers)) {
      const [name, tag] = String(container.image).split(':');
      if (name !== image.name) continue;
      container.image = `${image.newName ?? name}${(image.newTag ?? tag) === undefined ? '' : `:${image.newTag ?? tag}`}`;
    }
  }
  return objects;
}

/** Kustomize's name of a generated object: the generator's name, a dash and a 10-character content hash. */
export const generatedNamePattern = (name: string): RegExp => new RegExp(`^${name}-[a-z0-9]{10}$`);
