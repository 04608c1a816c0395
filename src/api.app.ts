import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiModule } from './api.module';
import { loadCatalog } from './catalog/catalog.loader';
import { ConfigError, type AppConfig } from './platform/config/app-config';
import rateLimit from '@fastify/rate-limit';
import { replyToClientError } from './platform/http/client-error.handler';
import { capConnections, connectionTimeouts } from './platform/http/connection-limits';
import { HttpErrorsFilter, replyToRouterError } from './platform/http/http-errors.filter';
import { addResponseHeaders, nextRequestId } from './platform/http/response-headers';
import { serveWebPages } from './live/web-pages';
import { registerOpenApi } from './openapi/register-openapi';
import { nestLogger } from './platform/logging/logger-option';

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
    trustProxy: config.TRUST_PROXY,
    ...connectionTimeouts(config),
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config, catalog), adapter, {
    logger: nestLogger(config),
    abortOnError: false,
    // Fastify's own JSON parser: Nest's wrapper reads the body as a Buffer and builds a parser per request.
    bodyParser: false,
  });
  capConnections(app.getHttpServer(), config.HTTP_MAX_CONNECTIONS);
  app.useGlobalFilters(new HttpErrorsFilter());
  addResponseHeaders(app.getHttpAdapter().getInstance());
  await serveWebPages(app);
  if (config.RATE_LIMIT_MAX > 0) {
    // Not global: the purchase route asks for its limit in its own config (PurchaseSeatHttpRoute), so every
    // spelling the router maps to it (`%74ickets`, a query string) is limited, and nothing else is.
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_request, context) =>
        Object.assign(new Error(`too many purchases from this address; retry in ${context.after}`), {
          statusCode: 429,
        }),
    });
  }
  await registerOpenApi(app);
  return app;
}
