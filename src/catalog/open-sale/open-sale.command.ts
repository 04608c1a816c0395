import { Command } from '@nestjs/cqrs';
import type { SaleEvent } from '../catalog.schema';

export type OpenSaleOutcome = 'CREATED' | 'EXISTS' | 'UNKNOWN_VENUE';

export class OpenSaleCommand extends Command<OpenSaleOutcome> {
  constructor(readonly event: SaleEvent) {
    super();
  }
}
