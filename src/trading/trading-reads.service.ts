import { Injectable } from '@nestjs/common';
import { Attributed, NEVER_CACHED } from '../core/attribution/provenance.js';
import type { Sourced } from '../alpaca/stocks/market-data.port.js';
import { TradingPort } from '../alpaca/trading/trading.port.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import type { OrdersQueryDto } from './dto/trading-params.dto.js';

/** Trading data is never cached, by us or by anyone downstream: BYPASS and `Cache-Control: no-store`. */
export function tradingAnswer<T>(s: Sourced<T>): Attributed<T> {
  return new Attributed(s.value, s.provenance, NEVER_CACHED, null, true);
}

/** Account, positions and orders, read straight from Alpaca on every request. */
@Injectable()
export class TradingReadsService {
  constructor(private readonly gateway: TradingPort) {}

  async account(): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.account());
  }

  async positions(): Promise<Attributed<TradingObject[]>> {
    return tradingAnswer(await this.gateway.positions());
  }

  async position(symbol: string): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.position(symbol));
  }

  async orders(q: OrdersQueryDto): Promise<Attributed<TradingObject[]>> {
    assertOrderedRange(q.after, q.until);
    return tradingAnswer(await this.gateway.orders(q));
  }

  async order(id: string): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.order(id));
  }

  /** The order placed under this client_order_id (our idempotency key); ORDER_NOT_FOUND when none. */
  async orderByClientId(clientOrderId: string): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.orderByClientId(clientOrderId));
  }
}
