import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UnhandledExceptionBus } from '@nestjs/cqrs';
import type { Subscription } from 'rxjs';

/** Errors thrown by in-process event handlers and sagas only reach this bus; make them visible. */
@Injectable()
export class UnhandledExceptionsLogger implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('UnhandledExceptionBus');
  private subscription: Subscription | undefined;
  count = 0;

  constructor(private readonly bus: UnhandledExceptionBus) {}

  onModuleInit(): void {
    this.subscription = this.bus.subscribe(({ exception, cause }) => {
      this.count++;
      const name = (cause as object | undefined)?.constructor?.name ?? 'unknown';
      this.logger.error(`${name}: ${exception instanceof Error ? exception.message : String(exception)}`);
    });
  }

  onModuleDestroy(): void {
    this.subscription?.unsubscribe();
  }
}
