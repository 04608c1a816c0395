import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from './api.module';
import { loadCatalog } from './catalog/catalog.loader';
import { ConfigError, type AppConfig } from './config/app-config';
import rateLimit from '@fastify/rate-limit';
import { replyToClientError } from './http/client-error.handler';
import { HttpErrorsFilter, replyToRouterError } from './http/http-errors.filter';
import { addResponseHeaders, nextRequestId } from './http/response-headers';
import { serveWebPages } from './live/web-pages';
import { registerOpenApi } from './http/openapi/register-openapi';
import { nestLogger } from './logging/logger-option';

/** Builds the API application (not listening yet): used by main.api.ts and by the HTTP tests. */
export async function createApiApp(config: AppConfig): Promise<NestFastifyApplication> {
  if (config.ADMIN_TOKEN === undefined)
    throw new ConfigError('Invalid environment:\n  ADMIN_TOKEN: required by the API');
  const catalog = loadCatalog(config.CATALOG_FILE);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT_BYTES,
    logger: false,
    // A caller's X-Request-Id is kept (it ties our logs to theirs); otherwise a fresh id.
    requestIdHeader: 'x-request-id',
    genReqId: nextRequestId,
    return503OnClosing: true,
    frameworkErrors: replyToRouterError,
    clientErrorHandler: replyToClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, catalog), adapter, {
    logger: nestLogger(config),
    abortOnError: false,
    // Fastify's own JSON parser: Nest's wrapper reads the body as a Buffer and builds a parser per request.
    bodyParser: false,
  });
  app.useGlobalFilters(new HttpErrorsFilter());
  addResponseHeaders(app.getHttpAdapter().getInstance());
  await serveWebPages(app);
  if (config.RATE_LIMIT_MAX > 0) {
    await app.register(rateLimit, {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      // Only purchases are limited: reads are cheap and polled.
      allowList: (request) => !(request.method === 'POST' && request.url.startsWith('/api/v1/tickets')),
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`too many purchases from this address; retry in ${context.after}`), {
          statusCode: 429,
        }),
    });
  }
  await registerOpenApi(app);
  return app;
}
