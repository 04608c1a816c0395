import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';
import type { KubernetesObject } from './kustomize';

const NODE_MODULES = join(__dirname, '..', '..', 'node_modules');

/**
 * The module of a kind's model in `kubernetes-models` (the Kubernetes OpenAPI schemas, compiled) or in
 * `@kubernetes-models/keda`, as a path without extension. Undefined for a kind neither package describes.
 *
 * The packages are ESM with `import`-only exports, which Jest's CommonJS resolver cannot map: the tests load
 * them by file path (Node loads ES modules through require()).
 */
function modelModule(apiVersion: string, kind: string): string | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const base =
    group === 'keda.sh'
      ? join(NODE_MODULES, '@kubernetes-models', 'keda', group, version!, kind)
      : join(NODE_MODULES, 'kubernetes-models', ...(group === '' ? [version!] : [group!, version!]), kind);
  return existsSync(`${base}.js`) && existsSync(`${base}.d.ts`) ? base : undefined;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/**
 * Validates an object against its kind's JSON schema (types, required fields, formats such as quantities).
 * Returns the schema's error message, or null when valid. Throws for a kind with no schema.
 */
export async function schemaErrors(object: KubernetesObject): Promise<string | null> {
  const module = modelModule(object.apiVersion, object.kind);
  if (module === undefined) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  const Model = ((await import(`${module}.js`)) as Record<string, ModelClass>)[object.kind]!;
  try {
    new Model(object).validate();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Fields the schemas do not know. The Kubernetes schemas accept unknown fields (as the API server does
 * unless asked for strict validation), so a misspelt `livenesProbe` would pass them and be silently
 * ignored by the cluster. The packages' type declarations list every field, so they serve as the strict
 * schema: the object is walked along its kind's interface.
 */
export class UnknownFieldFinder {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;

  constructor(objects: KubernetesObject[]) {
    const files = [...new Set(objects.map((o) => modelModule(o.apiVersion, o.kind)))].flatMap((m) =>
      m === undefined ? [] : [`${m}.d.ts`],
    );
    this.program = ts.createProgram(files, {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
    });
    this.checker = this.program.getTypeChecker();
  }

  /** Paths (`spec.template.spec.containers.0.livenesProbe`) of fields the kind does not define. */
  find(object: KubernetesObject): string[] {
    const module = modelModule(object.apiVersion, object.kind);
    const source = module === undefined ? undefined : this.program.getSourceFile(`${module}.d.ts`);
    const symbol = source === undefined ? undefined : this.checker.getSymbolAtLocation(source);
    const exported =
      symbol === undefined ? undefined : this.checker.tryGetMemberInModuleExports(`I${object.kind}`, symbol);
    if (exported === undefined) throw new Error(`no type declaration for ${object.apiVersion} ${object.kind}`);
    const unknown: string[] = [];
    this.walk(object, this.checker.getDeclaredTypeOfSymbol(exported), '', unknown);
    return unknown;
  }

  private walk(value: unknown, declared: ts.Type, path: string, unknown: string[]): void {
    if (value === null || typeof value !== 'object') return;
    const type = this.checker.getNonNullableType(declared);
    const candidates = type.isUnion() ? type.types : [type];
    if (Array.isArray(value)) {
      const arrayType = candidates.find((t) => this.checker.isArrayType(t));
      const element =
        arrayType === undefined ? undefined : this.checker.getTypeArguments(arrayType as ts.TypeReference)[0];
      if (element !== undefined) value.forEach((item, i) => this.walk(item, element, `${path}${i}.`, unknown));
      return;
    }
    const objectTypes = candidates.filter((t) => (t.flags & ts.TypeFlags.Object) !== 0);
    if (objectTypes.length === 0) return;
    for (const [key, child] of Object.entries(value)) {
      const property = objectTypes.map((t) => t.getProperty(key)).find((p) => p !== undefined);
      if (property !== undefined) {
        this.walk(child, this.checker.getTypeOfSymbol(property), `${path}${key}.`, unknown);
        continue;
      }
      const index = objectTypes.map((t) => t.getStringIndexType()).find((t) => t !== undefined);
      if (index !== undefined) this.walk(child, index, `${path}${key}.`, unknown);
      else unknown.push(`${path}${key}`);
    }
  }
}
