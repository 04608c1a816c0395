import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { CatalogService, type OpenSaleOutcome } from '../catalog.service';
import { OpenSaleCommand } from './open-sale.command';

@CommandHandler(OpenSaleCommand)
export class OpenSaleHandler implements ICommandHandler<OpenSaleCommand, OpenSaleOutcome> {
  constructor(private readonly catalog: CatalogService) {}

  execute(command: OpenSaleCommand): Promise<OpenSaleOutcome> {
    return this.catalog.openSale(command.event);
  }
}
