import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { catalogSchema, type Catalog } from './catalog.schema';

export const DEFAULT_CATALOG_FILE = join(__dirname, 'default-catalog.json');

export class CatalogFileError extends Error {}

/** Loads and validates a catalog file; every problem is reported with the path of the offending field. */
export function loadCatalog(file: string = DEFAULT_CATALOG_FILE): Catalog {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CatalogFileError(`Catalog ${file} cannot be read as JSON: ${(error as Error).message}`);
  }
  const result = catalogSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new CatalogFileError(`Catalog ${file} is invalid:\n${lines.join('\n')}`);
  }
  return result.data;
}
