/**
 * What a pipeline handler says about each item of a batch, in input order. Anything but DEAD_LETTER is
 * acknowledged; a handler that throws has failed the whole batch (retried, see AmqpPipelineServer).
 */
export type PipelineItemResult = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export const ITEM_OK: PipelineItemResult = { ok: true };
