import { Command } from '@nestjs/cqrs';
import type { ConfirmHoldOutcome } from '../order-outcome';

export class ConfirmHoldCommand extends Command<ConfirmHoldOutcome> {
  constructor(
    readonly holdId: string,
    readonly paymentReference: string,
  ) {
    super();
  }
}
