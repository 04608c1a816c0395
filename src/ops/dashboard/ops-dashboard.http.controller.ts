import { Controller, Get, Inject, Query, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { APP_CONFIG, type AppConfig } from '../../platform/config/app-config';
import { validationFailed } from '../../platform/http/error-body';
import { SseClients } from '../../live/sse-clients';
import { eventIdParam } from '../../read-model/read-model.request';
import { refusedWithoutOpsToken } from '../../platform/http/ops-token';
import { OpsDashboard } from './ops-dashboard';

export const opsQuery = z.strictObject({ eventId: eventIdParam.optional() });

@Controller('api/v1/ops')
export class OpsDashboardHttpController {
  constructor(
    private readonly dashboard: OpsDashboard,
    private readonly clients: SseClients,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The operator's figures once, as JSON (`OpsSnapshot`); `eventId` adds that event's sales. */
  @Get('dashboard')
  async dashboardOnce(
    @Query() query: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (await refusedWithoutOpsToken(this.config, request, reply)) return;
    const parsed = opsQuery.safeParse(query);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error, 'query'));
      return;
    }
    await reply.code(200).send(await this.dashboard.snapshot(parsed.data.eventId));
  }

  /** The same figures as server-sent `ops` events, one a second. */
  @Get('stream')
  async stream(
    @Query() query: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (await refusedWithoutOpsToken(this.config, request, reply)) return;
    const parsed = opsQuery.safeParse(query);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error, 'query'));
      return;
    }
    if (await this.clients.refused(reply)) return;
    const stream = this.clients.open(reply);
    stream.onClose(
      this.dashboard.watch(parsed.data.eventId, (snapshot) => stream.send('ops', JSON.stringify(snapshot))),
    );
  }
}
