import { Query } from '@nestjs/cqrs';
import type { GetHoldOutcome } from '../order-outcome';

export class GetHoldQuery extends Query<GetHoldOutcome> {
  constructor(readonly holdId: string) {
    super();
  }
}
