/**
 * The routes that sell (a purchase, a hold) declare themselves in their Fastify route config, so the
 * waiting room, a capability above them, can enforce admission on them without their importing it: with a
 * room for the event, the request needs a purchase token. A Nest controller route declares it with
 * `@RouteConfig(ADMISSION_REQUIRED)`, a route added on Fastify with `{ config: { ...ADMISSION_REQUIRED } }`.
 */
export const ADMISSION_REQUIRED = { admissionRequired: true } as const;

export const requiresAdmission = (routeConfig: unknown): boolean =>
  (routeConfig as { admissionRequired?: unknown } | undefined)?.admissionRequired === true;

/** The admission the waiting room gave the buyer (GET /api/v1/events/:eventId/queue/:ticket). */
export const PURCHASE_TOKEN_HEADER = 'x-purchase-token';
/** Optional on a purchase: the buyer the request is for; the token must be theirs. */
export const BUYER_ID_HEADER = 'x-buyer-id';
