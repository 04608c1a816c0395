import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi.document';

/** package.json sits two levels up from both src/openapi and dist/openapi (the image copies it). */
const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

/**
 * The docs pages' Content-Security-Policy (the API's JSON routes send none, see SECURITY_HEADERS). Scripts
 * only from this origin; inline styles allowed, because Swagger UI sets style attributes (a browser test saw
 * the plugin's stock policy block them); no upgrade-insecure-requests, which would send the page's own
 * assets to https:// on a deployment served over plain HTTP.
 */
const DOCS_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "frame-ancestors 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "object-src 'none'",
  "script-src 'self'",
  "script-src-attr 'none'",
  "style-src 'self' 'unsafe-inline'",
].join('; ');

/**
 * `GET /docs` (Swagger UI, served from node_modules: no CDN) and `GET /docs/json`. The document is built
 * once here, from the request schemas themselves (static mode: nothing is inferred from routes at run time).
 * Both plugins keep their hooks inside their own routes (a test compares the purchase route's hooks with
 * and without them).
 */
export async function registerOpenApi(app: Pick<NestFastifyApplication, 'register'>): Promise<void> {
  await app.register(fastifySwagger, {
    mode: 'static',
    // The plugin's types know OpenAPI 2 and 3.0 documents only; it serves this 3.1 one as it is.
    specification: { document: buildOpenApiDocument(packageVersion()) as never },
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: DOCS_CSP });
}
