import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import fastifyStatic from '@fastify/static';

/**
 * Where Vite writes the pages (`npm run build`: web/ → dist/web). From dist/live/ that is ../web; code run
 * from src/ (the in-process tests) uses the build in dist/ as well.
 */
function defaultWebRoot(): string {
  const besideCompiled = join(__dirname, '..', 'web');
  return existsSync(join(besideCompiled, 'index.html')) ? besideCompiled : join(__dirname, '..', '..', 'dist', 'web');
}

/** Only what the project serves itself: its scripts and styles, and its own API for fetches and streams. */
const PAGE_POLICY = [
  "default-src 'self'",
  "img-src 'self' data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web pages: `/` (events), `/events/:eventId` (the live seat map) and `/ops` (the operator's view), and
 * their hashed assets under /assets/ (cached for good: a new build has new names). One route per built file,
 * so the static files never shadow an API route or the JSON 404. Without a build the API serves no pages.
 */
export async function serveWebPages(app: NestFastifyApplication, root = defaultWebRoot()): Promise<boolean> {
  if (!existsSync(join(root, 'index.html'))) {
    new Logger('WebPages').warn(`no web pages at ${root} (npm run build makes them); serving the API only`);
    return false;
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    wildcard: false,
    index: 'index.html',
    setHeaders: (reply, path) => {
      if (path.endsWith('.html')) {
        void reply.header('cache-control', 'no-cache');
        void reply.header('content-security-policy', PAGE_POLICY);
      } else if (path.includes('/assets/')) {
        void reply.header('cache-control', 'public, max-age=31536000, immutable');
      }
    },
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.get('/events/:eventId', (_request, reply) => reply.sendFile('event.html'));
  fastify.get('/ops', (_request, reply) => reply.sendFile('ops.html'));
  return true;
}
