import { Controller, Delete, Headers, Inject, Param, Put, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../platform/config/app-config';
import { isAdminAuthorized } from '../platform/http/bearer-token';
import { errorBody, validationFailed } from '../platform/http/error-body';
import { eventParams, setWaitingRoomRequest } from './waiting-room.request';
import { WaitingRoom } from './waiting-room';

/** The admin's switch of an event's waiting room: PUT a rate, or 0 / DELETE to turn it off. */
@Controller('api/v1/admin/events/:eventId/waiting-room')
export class WaitingRoomAdminHttpController {
  constructor(
    private readonly room: WaitingRoom,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Put()
  async set(
    @Param() params: Record<string, string>,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
  ): Promise<void> {
    if (await this.refusedWithoutAdmin(reply, authorization)) return;
    const path = eventParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    const body = setWaitingRoomRequest.safeParse(request.body);
    if (!body.success) {
      await reply.code(400).send(validationFailed(body.error));
      return;
    }
    const { eventId } = path.data;
    const room = await this.room.setRate(eventId, body.data.admitPerSecond);
    await reply.code(200).send({
      eventId,
      admitPerSecond: room?.rate ?? 0,
      joined: room?.joined ?? 0,
      admitted: room?.base ?? 0,
    });
  }

  @Delete()
  async remove(
    @Param() params: Record<string, string>,
    @Res() reply: FastifyReply,
    @Headers('authorization') authorization?: string,
  ): Promise<void> {
    if (await this.refusedWithoutAdmin(reply, authorization)) return;
    const path = eventParams.safeParse(params);
    if (!path.success) {
      await reply.code(400).send(validationFailed(path.error));
      return;
    }
    await this.room.setRate(path.data.eventId, 0);
    await reply.code(204).send();
  }

  private async refusedWithoutAdmin(reply: FastifyReply, authorization: string | undefined): Promise<boolean> {
    if (isAdminAuthorized(authorization, this.config.ADMIN_TOKEN ?? '')) return false;
    await reply
      .code(401)
      .header('www-authenticate', 'Bearer')
      .send(errorBody('UNAUTHORIZED', 'a valid admin bearer token is required'));
    return true;
  }
}
