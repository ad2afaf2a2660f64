import { Injectable } from '@nestjs/common';
import { Attributed, NEVER_CACHED } from '../core/attribution/provenance.js';
import type { Sourced } from '../alpaca/stocks/market-data.port.js';
import { TradingAccountsPort } from '../alpaca/trading/trading.port.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import type { Caller } from '../core/identity/caller.js';
import type { OrdersQueryDto } from './dto/trading-params.dto.js';

/** Trading data is never cached, by us or by anyone downstream: BYPASS and `Cache-Control: no-store`. */
export function tradingAnswer<T>(s: Sourced<T>): Attributed<T> {
  return new Attributed(s.value, s.provenance, NEVER_CACHED, null, true);
}

/** Account, positions and orders, read straight from Alpaca on every request. */
@Injectable()
export class TradingReadsService {
  constructor(private readonly accounts: TradingAccountsPort) {}

  async account(caller: Caller): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.accounts.forCaller(caller).account());
  }

  async positions(caller: Caller): Promise<Attributed<TradingObject[]>> {
    return tradingAnswer(await this.accounts.forCaller(caller).positions());
  }

  async position(symbol: string, caller: Caller): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.accounts.forCaller(caller).position(symbol));
  }

  async orders(q: OrdersQueryDto, caller: Caller): Promise<Attributed<TradingObject[]>> {
    assertOrderedRange(q.after, q.until);
    return tradingAnswer(await this.accounts.forCaller(caller).orders(q));
  }

  async order(id: string, caller: Caller): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.accounts.forCaller(caller).order(id));
  }

  /** The order placed under this client_order_id (our idempotency key); ORDER_NOT_FOUND when none. */
  async orderByClientId(clientOrderId: string, caller: Caller): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.accounts.forCaller(caller).orderByClientId(clientOrderId));
  }
}
