import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApiApp } from '../../src/api.app';
import type { AppConfig } from '../../src/platform/config/app-config';
import { listenApi } from '../../src/platform/http/listen-api';
import { TEST_ADMIN_TOKEN } from './test-config';

/** A real API listening on a loopback port, talked to over HTTP (testConfig: PORT 0, HOST 127.0.0.1). */
export class ApiServer {
  app!: NestFastifyApplication;
  baseUrl = '';

  static async start(config: AppConfig): Promise<ApiServer> {
    const server = new ApiServer();
    server.app = await createApiApp(config);
    // As main.api.ts listens: the backlog and every accept socket (config PORT 0: a free port).
    const address = await listenApi(server.app, config);
    server.baseUrl = `http://127.0.0.1:${address.port}`;
    return server;
  }

  async request(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: any; headers: Headers }> {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined;
    if (options.raw !== undefined) body = options.raw;
    else if (options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, ...(body !== undefined && { body }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  openSale(event: object, token = TEST_ADMIN_TOKEN) {
    return this.request('POST', '/api/v1/admin/events', { body: event, headers: { authorization: `Bearer ${token}` } });
  }

  purchase(seat: object, headers: Record<string, string> = {}) {
    return this.request('POST', '/api/v1/tickets', { body: seat, headers });
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
