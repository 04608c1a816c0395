import { Injectable } from '@nestjs/common';
import type { BuyerQuota, QuotaClaim } from './buyer-limit/buyer-quota.port';

/**
 * The BuyerQuota bound until the per-buyer ledger (src/orders/buyer-limit) is: every claim is granted with no
 * deadline, and nothing is recorded. The hold use cases call it at every step of the port's protocol, so
 * binding the ledger in OrdersModule is the whole change.
 */
@Injectable()
export class UnlimitedBuyerQuota implements BuyerQuota {
  claim(): Promise<QuotaClaim> {
    return Promise.resolve({ ok: true, notAfter: 0 });
  }

  held(): Promise<void> {
    return Promise.resolve();
  }

  sold(): Promise<boolean> {
    return Promise.resolve(true);
  }

  release(): Promise<void> {
    return Promise.resolve();
  }

  refund(): Promise<boolean> {
    return Promise.resolve(false);
  }
}
