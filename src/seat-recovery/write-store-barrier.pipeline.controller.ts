import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import type { PipelineItemResult } from '../platform/amqp/pipeline-item-result';
import { WRITE_STORE_PIPELINE } from '../platform/amqp/pipeline-transports';
import { validateItems } from '../platform/amqp/validate-items';
import { WRITE_STORE_BARRIER } from './write-store-drain.barrier';
import { WriteStoreDrainReporter } from './write-store-drain.reporter';

const barrierSchema = z.strictObject({ barrierId: z.uuid() });

/** The drain barrier's passage through the write-store pipeline: noted for the worker's next drain report. */
@Controller()
export class WriteStoreBarrierPipelineController {
  constructor(private readonly reporter: WriteStoreDrainReporter) {}

  @EventPattern(WRITE_STORE_BARRIER, WRITE_STORE_PIPELINE)
  onBarrier(@Payload() items: unknown[]): PipelineItemResult[] {
    const { valid, results } = validateItems(items, barrierSchema);
    for (const { barrierId } of valid) this.reporter.barrierPassed(barrierId);
    return results;
  }
}
