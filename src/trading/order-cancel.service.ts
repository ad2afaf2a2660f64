import { Injectable } from '@nestjs/common';
import type { Attributed } from '../core/attribution/provenance.js';
import { AppError } from '../core/errors/app-error.js';
import type { Caller } from '../core/identity/caller.js';
import { AuditService } from '../audit/audit.service.js';
import type { Sourced } from '../alpaca/market-data.gateway.js';
import { TradingGateway } from '../alpaca/trading.gateway.js';
import type { TradingObject } from '../alpaca/trading.models.js';
import { UpstreamError } from '../alpaca/upstream.error.js';
import { tradingAnswer } from './trading-reads.service.js';

export interface CancelResult {
  order_id: string;
  cancel_accepted: true;
}

/** Whether one entry of a 207 list reports success: its own HTTP status is 2xx. */
export function entryAccepted(entry: TradingObject): boolean {
  const status = entry['status'];
  return typeof status === 'number' && status >= 200 && status < 300;
}

/** DELETE /orders/{id} and DELETE /orders: audited before they are sent, sent once, Alpaca's refusals passed on. */
@Injectable()
export class OrderCancelService {
  constructor(
    private readonly gateway: TradingGateway,
    private readonly audit: AuditService,
  ) {}

  /** The answer carries the DELETE's provenance as the adapter stamped it (trading host, Alpaca's request id). */
  async cancel(id: string, caller: Caller): Promise<Attributed<CancelResult>> {
    const resource = `order_id:${id}`;
    await this.audit.recordOrRefuse({ action: 'order_cancel_requested', resource, outcome: 'pending', caller });
    let accepted: Sourced<null>;
    try {
      accepted = await this.gateway.cancelOrder(id);
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
    const resource = 'orders:open';
    await this.audit.recordOrRefuse({ action: 'orders_cancel_all_requested', resource, outcome: 'pending', caller });
    let result: Sourced<TradingObject[]>;
    try {
      result = await this.gateway.cancelAllOrders();
    } catch (e: unknown) {
      await this.audit.recordBestEffort({ action: 'orders_cancel_all_outcome', resource, outcome: e instanceof AppError ? e.code : 'error', caller });
      throw e;
    }
    const entries: TradingObject[] = result.value.map((entry) => ({ ...entry, accepted: entryAccepted(entry) }));
    const refused = entries.filter((e) => e['accepted'] !== true);
    await this.audit.recordBestEffort({
      action: 'orders_cancel_all_outcome', resource, outcome: refused.length === 0 ? 'all_accepted' : 'some_refused', caller,
      details: { accepted: entries.filter((e) => e['accepted'] === true).map((e) => e['id']), refused: refused.map((e) => ({ id: e['id'], status: e['status'] })) },
    });
    return tradingAnswer({ value: entries, provenance: result.provenance });
  }
}
