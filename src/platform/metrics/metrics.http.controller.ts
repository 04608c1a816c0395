import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { METRICS_REGISTRY } from './metrics-registry';
import { refusedWithoutOpsToken } from '../http/ops-token';

@Controller()
export class MetricsHttpController {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Prometheus text format; gauges read from the stores are collected now, each within a bounded time. */
  @Get('metrics')
  async metrics(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (await refusedWithoutOpsToken(this.config, request, reply)) return;
    const text = await this.registry.metrics();
    await reply.header('content-type', this.registry.contentType).send(text);
  }
}
