/** Transport ids of the two pipelines: `@EventPattern(pattern, id)` binds a handler to one pipeline. */
export const WRITE_STORE_PIPELINE = Symbol('write-store-pipeline');
export const READ_MODEL_PIPELINE = Symbol('read-model-pipeline');
