import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TicketCancelledEvent } from '../purchasing/ticket-cancelled.event';
import { ticketCancelledSchema, ticketRefundedSchema, ticketReservedSchema } from '../purchasing/ticket-event.schema';
import { TicketRefundedEvent } from '../purchasing/ticket-refunded.event';
import { TicketReservedEvent } from '../purchasing/ticket-reserved.event';
import { TicketProjection } from '../read-model/ticket.projection';
import type { PipelineItemResult } from '../platform/amqp/pipeline-item-result';
import { READ_MODEL_PIPELINE } from '../platform/amqp/pipeline-transports';
import { validateItems } from '../platform/amqp/validate-items';

/** The read-model pipeline: ticket events projected into MySQL in batches. */
@Controller()
export class ReadModelPipelineController {
  constructor(private readonly projection: TicketProjection) {}

  @EventPattern(TicketReservedEvent.type, READ_MODEL_PIPELINE)
  async onTicketsReserved(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketReservedSchema);
    if (valid.length > 0) await this.projection.applyReserved(valid);
    return results;
  }

  @EventPattern(TicketCancelledEvent.type, READ_MODEL_PIPELINE)
  async onTicketsCancelled(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketCancelledSchema);
    if (valid.length > 0) await this.projection.applyCancelled(valid);
    return results;
  }

  @EventPattern(TicketRefundedEvent.type, READ_MODEL_PIPELINE)
  async onTicketsRefunded(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketRefundedSchema);
    if (valid.length > 0) await this.projection.applyRefunded(valid);
    return results;
  }
}
