/** The worker's pipeline servers (one per queue), for what reports on them: health, the drain reporter. */
export const PIPELINE_SERVERS = Symbol('PIPELINE_SERVERS');
