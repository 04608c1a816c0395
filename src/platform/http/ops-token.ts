import type { FastifyReply, FastifyRequest } from 'fastify';
import { isAdminAuthorized } from './bearer-token';
import type { AppConfig } from '../config/app-config';
import { errorBody } from './error-body';

/**
 * The operator endpoints (/metrics, the ops stream and dashboard) show traffic, backlogs and revenue, and a
 * stream holds a connection: with OPS_TOKEN set they need it as a bearer token; unset, they stay open for a
 * network where only operators reach them. Answers 401 itself; true if it did.
 */
export async function refusedWithoutOpsToken(
  config: Pick<AppConfig, 'OPS_TOKEN'>,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<boolean> {
  if (config.OPS_TOKEN === undefined || isAdminAuthorized(request.headers.authorization, config.OPS_TOKEN)) {
    return false;
  }
  await reply
    .code(401)
    .header('www-authenticate', 'Bearer')
    .send(errorBody('UNAUTHORIZED', 'a valid ops bearer token is required'));
  return true;
}
