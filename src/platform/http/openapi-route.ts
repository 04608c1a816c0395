import type { ZodOpenApiPathItemObject, ZodOpenApiPathsObject } from 'zod-openapi';

/**
 * One route's part of the OpenAPI document, kept beside the route so its documentation is written from the
 * same zod schemas the route validates with. `path` is OpenAPI's template (`/api/v1/tickets/{ticketId}`).
 */
export interface OpenApiRoute {
  readonly path: string;
  readonly item: ZodOpenApiPathItemObject;
}

/**
 * The document's `paths`, in the order the routes are given (the order the reference lists them). Two routes
 * on one path with different methods share its path item; a method (or any other field) documented twice
 * for one path is a mistake, and fails at start-up rather than silently keeping one of them.
 */
export function openApiPaths(routes: readonly OpenApiRoute[]): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const { path, item } of routes) {
    const merged: ZodOpenApiPathItemObject = { ...paths[path] };
    for (const [field, value] of Object.entries(item)) {
      if (field in merged) throw new Error(`OpenAPI: ${field} of ${path} is documented twice`);
      Object.assign(merged, { [field]: value });
    }
    paths[path] = merged;
  }
  return paths;
}
