import { z } from 'zod';
import type { OpenApiRoute } from '../platform/http/openapi-route';
import {
  badRequestResponse,
  errorResponse,
  jsonContent,
  okResponse,
  retryAfterHeaders,
} from '../platform/http/openapi-responses';
import { eventParams, joinQueueRequest, queueStatusParams, setWaitingRoomRequest } from './waiting-room.request';

const queueJoinedSchema = z
  .object({
    eventId: z.string(),
    position: z.number().int().meta({ description: 'Place in the queue, from 1, in arrival order' }),
    queueTicket: z.string().meta({ description: 'Signed; asks for the place and, once admitted, the token' }),
  })
  .meta({ id: 'QueueJoined' });

const queueStatusSchema = z
  .object({
    eventId: z.string(),
    position: z.number().int(),
    ahead: z.number().int().meta({ description: 'Buyers in front still waiting' }),
    admitted: z.boolean(),
    expectedWaitSeconds: z.number().int(),
    purchaseToken: z
      .string()
      .optional()
      .meta({ description: 'Once admitted: send it as x-purchase-token with the purchase' }),
    purchaseTokenExpiresAt: z.string().optional(),
  })
  .meta({ id: 'QueueStatus' });

const waitingRoomSchema = z
  .object({
    eventId: z.string(),
    admitPerSecond: z.number().int().meta({ description: '0: the room is off' }),
    joined: z.number().int(),
    admitted: z.number().int(),
  })
  .meta({ id: 'WaitingRoom' });

const unauthorized = errorResponse('UNAUTHORIZED: missing or wrong bearer token');

/** POST /api/v1/events/{eventId}/queue (QueueHttpController). */
export const joinQueueOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/queue',
  item: {
    post: {
      tags: ['waiting room'],
      summary: "Join the event's waiting room: a place in arrival order (the same one again on a re-join)",
      requestParams: { path: eventParams },
      requestBody: { required: true, ...jsonContent(joinQueueRequest.meta({ id: 'JoinQueueRequest' })) },
      responses: {
        '201': okResponse('The place and its signed ticket', queueJoinedSchema),
        '400': badRequestResponse,
        '404': errorResponse('NO_WAITING_ROOM: purchases of this event need no token'),
        '503': errorResponse('UNAVAILABLE: Redis is unreachable; retry', retryAfterHeaders),
      },
    },
  },
};

/** GET /api/v1/events/{eventId}/queue/{queueTicket} (QueueHttpController). */
export const queueStatusOpenApi: OpenApiRoute = {
  path: '/api/v1/events/{eventId}/queue/{queueTicket}',
  item: {
    get: {
      tags: ['waiting room'],
      summary: 'The place now, and once admitted the purchase token (answered from memory)',
      requestParams: { path: queueStatusParams },
      responses: {
        '200': okResponse('The place', queueStatusSchema),
        '400': badRequestResponse,
        '403': errorResponse('INVALID_QUEUE_TICKET: forged, expired, or for another event'),
        '404': errorResponse('NO_WAITING_ROOM: the room was turned off; purchases need no token'),
      },
    },
  },
};

/** PUT and DELETE /api/v1/admin/events/{eventId}/waiting-room (WaitingRoomAdminHttpController). */
export const waitingRoomAdminOpenApi: OpenApiRoute = {
  path: '/api/v1/admin/events/{eventId}/waiting-room',
  item: {
    put: {
      tags: ['admin'],
      summary: "Set the event's admission rate (buyers per second); 0 turns the room off",
      security: [{ adminToken: [] }],
      requestParams: { path: eventParams },
      requestBody: {
        required: true,
        ...jsonContent(setWaitingRoomRequest.meta({ id: 'SetWaitingRoomRequest' })),
      },
      responses: {
        '200': okResponse('The room', waitingRoomSchema),
        '400': badRequestResponse,
        '401': unauthorized,
      },
    },
    delete: {
      tags: ['admin'],
      summary: "Turn the event's waiting room off (its queue is dropped)",
      security: [{ adminToken: [] }],
      requestParams: { path: eventParams },
      responses: { '204': { description: 'Off' }, '400': badRequestResponse, '401': unauthorized },
    },
  },
};
