import { Controller, Inject } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import type { AmqpPublisher } from '../platform/amqp/amqp-publisher';
import { ticketMessageJson } from '../platform/amqp/ticket-message';
import { AMQP_PUBLISHER } from '../purchasing/outbox/outbox-relay';
import { TicketCancelledEvent, type TicketCancelledData } from '../purchasing/ticket-cancelled.event';
import { ticketCancelledSchema, ticketRefundedSchema, ticketReservedSchema } from '../purchasing/ticket-event.schema';
import { TicketRefundedEvent } from '../purchasing/ticket-refunded.event';
import { TicketReservedEvent } from '../purchasing/ticket-reserved.event';
import { TICKET_WRITE_STORE, type TicketWriteStore } from '../write-store/ticket-write-store.port';
import type { PipelineItemResult } from '../platform/amqp/pipeline-item-result';
import { WRITE_STORE_PIPELINE } from '../platform/amqp/pipeline-transports';
import { validateItems } from '../platform/amqp/validate-items';

/**
 * The write-store pipeline: TicketReserved batches into the store, refusals back onto the exchange. The store
 * is called directly, not through a bus: the consumer acks only after the durable write and must see its
 * outcomes and its failures.
 */
@Controller()
export class WriteStorePipelineController {
  constructor(
    @Inject(TICKET_WRITE_STORE) private readonly store: TicketWriteStore,
    @Inject(AMQP_PUBLISHER) private readonly publisher: AmqpPublisher,
  ) {}

  @EventPattern(TicketReservedEvent.type, WRITE_STORE_PIPELINE)
  async onTicketsReserved(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketReservedSchema);
    const outcomes = await this.store.persist(valid);
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

  /**
   * Refunds onto their seats' streams. Nothing goes back on the exchange: the read model has its own copy of
   * the refund, and a refund the store ignores (a ticket it had refused) leaves a ticket both stores hold
   * CANCELLED (the read model lets a write-store cancellation win over a refund).
   */
  @EventPattern(TicketRefundedEvent.type, WRITE_STORE_PIPELINE)
  async onTicketsRefunded(@Payload() items: unknown[]): Promise<PipelineItemResult[]> {
    const { valid, results } = validateItems(items, ticketRefundedSchema);
    await this.store.persistRefunds(valid);
    return results;
  }
}
