import { Controller, Get, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { errorBody, validationFailed } from '../../http/error-body';
import { SseClients } from '../../live/sse-clients';
import { eventIdParam } from '../../read-model/read-model.request';
import { OpsDashboard } from './ops-dashboard';

export const opsQuery = z.strictObject({ eventId: eventIdParam.optional() });

@Controller('api/v1/ops')
export class OpsDashboardHttpController {
  constructor(
    private readonly dashboard: OpsDashboard,
    private readonly clients: SseClients,
  ) {}

  /** The operator's figures once, as JSON (`OpsSnapshot`); `eventId` adds that event's sales. */
  @Get('dashboard')
  async dashboardOnce(@Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = opsQuery.safeParse(query);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error, 'query'));
      return;
    }
    await reply.code(200).send(await this.dashboard.snapshot(parsed.data.eventId));
  }

  /** The same figures as server-sent `ops` events, one a second. */
  @Get('stream')
  async stream(@Query() query: Record<string, string>, @Res() reply: FastifyReply): Promise<void> {
    const parsed = opsQuery.safeParse(query);
    if (!parsed.success) {
      await reply.code(400).send(validationFailed(parsed.error, 'query'));
      return;
    }
    if (this.clients.full) {
      await reply
        .code(503)
        .header('retry-after', '5')
        .send(errorBody('UNAVAILABLE', 'too many live streams on this server, retry shortly'));
      return;
    }
    const stream = this.clients.open(reply);
    stream.onClose(
      this.dashboard.watch(parsed.data.eventId, (snapshot) => stream.send('ops', JSON.stringify(snapshot))),
    );
  }
}
