import { Command } from '@nestjs/cqrs';
import type { CancelHoldOutcome } from '../order-outcome';

export class CancelHoldCommand extends Command<CancelHoldOutcome> {
  constructor(readonly holdId: string) {
    super();
  }
}
