import { Command } from '@nestjs/cqrs';
import type { SaleEvent } from '../catalog.schema';
import type { OpenSaleOutcome } from '../catalog.service';

export class OpenSaleCommand extends Command<OpenSaleOutcome> {
  constructor(readonly event: SaleEvent) {
    super();
  }
}
