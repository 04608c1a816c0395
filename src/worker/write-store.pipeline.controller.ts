import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../platform/amqp/ticket-message';
import { AMQP_PUBLISHER } from '../purchasing/outbox/outbox-relay';
import { TicketCancelledEvent, type TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import { ticketCancelledSchema, ticketReservedSchema } from '../purchasing/ticket-event.schema';
import { TicketReservedEvent } from '../purchasing/ticket-reserved.event';
import { TicketWriteStoreSaga } from '../write-store/ticket-write-store.saga';
import type { PipelineItemResult } from '../platform/amqp/pipeline-item-result';
import { WRITE_STORE_PIPELINE } from '../platform/amqp/pipeline-transports';
import { validateItems } from '../platform/amqp/validate-items';

/** The write-store pipeline: TicketReserved batches into the saga, refusals back onto the exchange. */
@Controller()
export class WriteStorePipelineController {
  constructor(
    private readonly saga: TicketWriteStoreSaga,
    @Inject(AMQP_PUBLISHER) private readonly publisher: AmqpPublisher,
  ) {}

  @EventPattern(TicketReservedEvent.type, WRITE_STORE_PIPELINE)
  async onTicketsReserved(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketReservedSchema);
    const outcomes = await this.saga.onTicketsReserved(valid);
    const cancelled: TicketCancelledData[] = [];
    for (const outcome of outcomes) if (outcome.status === 'CANCELLED') cancelled.push(outcome.cancelled);
    // The read model learns of a refusal through the exchange; the batch is acknowledged only after the
    // broker confirmed it, so a crash in between redelivers the batch.
    if (cancelled.length > 0) {
      await this.publisher.publishBatch([
        {
          messageId: `cancelled:${cancelled[0]!.ticketId}+${cancelled.length}`,
          type: TicketCancelledEvent.type,
          body: ticketMessageJson(
            TicketCancelledEvent.type,
            cancelled.map((c) => JSON.stringify(c)),
          ),
        },
      ]);
    }
    return results;
  }

  /** The write store recorded the cancellation itself; its copy of the fan-out needs no work. */
  @EventPattern(TicketCancelledEvent.type, WRITE_STORE_PIPELINE)
  onTicketsCancelled(@Payload() items: unknown[]): PipelineItemResult[] {
    return validateItems(items, ticketCancelledSchema).results;
  }
}
