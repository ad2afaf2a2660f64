import { Injectable } from '@nestjs/common';
import type { Attributed } from '../../core/attribution/provenance.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Caller } from '../../core/identity/caller.js';
import { AuditService } from '../../audit/audit.service.js';
import type { Sourced } from '../../alpaca/stocks/market-data.port.js';
import { TradingAccountsPort } from '../../alpaca/trading/trading.port.js';
import type { TradingObject } from '../../alpaca/trading/trading.models.js';
import { UpstreamError } from '../../alpaca/http/upstream.error.js';
import { auditedBulkWrite } from '../bulk-write.js';
import { tradingAnswer } from '../trading-reads.service.js';

export interface CancelResult {
  order_id: string;
  cancel_accepted: true;
}

/** DELETE /orders/{id} and DELETE /orders: audited before they are sent, sent once, Alpaca's refusals passed on. */
@Injectable()
export class OrderCancelService {
  constructor(
    private readonly accounts: TradingAccountsPort,
    private readonly audit: AuditService,
  ) {}

  /** The answer carries the DELETE's provenance as the adapter stamped it (trading host, Alpaca's request id). */
  async cancel(id: string, caller: Caller): Promise<Attributed<CancelResult>> {
    const resource = `order_id:${id}`;
    await this.audit.recordOrRefuse({ action: 'order_cancel_requested', resource, outcome: 'pending', caller });
    let accepted: Sourced<null>;
    try {
      accepted = await this.accounts.forCaller(caller).cancelOrder(id);
    } catch (e: unknown) {
      const outcome = e instanceof AppError ? e.code : 'error';
      await this.audit.recordBestEffort({ action: 'order_cancel_rejected', resource, outcome, caller });
      if (e instanceof UpstreamError && e.upstreamStatus === 422) {
        throw new AppError('ORDER_REJECTED', {
          message: `Alpaca refused the cancel: ${e.upstreamMessage ?? 'the order is not cancelable'}`,
          details: { order_id: id, upstream_status: 422, upstream_message: e.upstreamMessage },
        });
      }
      throw e;
    }
    await this.audit.recordBestEffort({ action: 'order_canceled', resource, outcome: 'cancel_accepted', caller });
    return tradingAnswer({ value: { order_id: id, cancel_accepted: true }, provenance: accepted.provenance });
  }

  /**
   * DELETE /orders: Alpaca tries every open order and reports each (207): the list comes back as
   * Alpaca sent it, each entry with `accepted` (its status is 2xx). Nothing is retried.
   */
  async cancelAll(caller: Caller): Promise<Attributed<TradingObject[]>> {
    return auditedBulkWrite(this.audit, {
      requested: 'orders_cancel_all_requested',
      outcome: 'orders_cancel_all_outcome',
      resource: 'orders:open',
      caller,
      key: 'id',
      send: () => this.accounts.forCaller(caller).cancelAllOrders(),
    });
  }
}
