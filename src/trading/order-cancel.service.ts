import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { AppError } from '../core/errors/app-error.js';
import { AuditService } from '../audit/audit.service.js';
import { TradingGateway } from '../alpaca/trading.gateway.js';
import { UpstreamError } from '../alpaca/upstream.error.js';

export interface CancelResult {
  order_id: string;
  cancel_accepted: true;
}

/** DELETE /orders/{id}: audited before it is sent, sent once, Alpaca's refusal passed on. */
@Injectable()
export class OrderCancelService {
  constructor(
    private readonly gateway: TradingGateway,
    private readonly audit: AuditService,
  ) {}

  async cancel(id: string, req: Request): Promise<CancelResult> {
    const resource = `order_id:${id}`;
    await this.audit.recordOrRefuse({ action: 'order_cancel_requested', resource, outcome: 'pending', req });
    try {
      await this.gateway.cancelOrder(id);
    } catch (e: unknown) {
      const outcome = e instanceof AppError ? e.code : 'error';
      await this.audit.recordBestEffort({ action: 'order_cancel_rejected', resource, outcome, req });
      if (e instanceof UpstreamError && e.upstreamStatus === 422) {
        throw new AppError('ORDER_REJECTED', {
          message: `Alpaca refused the cancel: ${e.upstreamMessage ?? 'the order is not cancelable'}`,
          details: { order_id: id, upstream_status: 422, upstream_message: e.upstreamMessage },
        });
      }
      throw e;
    }
    await this.audit.recordBestEffort({ action: 'order_canceled', resource, outcome: 'cancel_accepted', req });
    return { order_id: id, cancel_accepted: true };
  }
}
