import type { RequestScope } from '../core/telemetry/request-scope.js';
import { Injectable } from '@nestjs/common';
import { Attributed, NEVER_CACHED } from '../core/attribution/provenance.js';
import type { Sourced } from '../alpaca/market-data.gateway.js';
import { TradingGateway } from '../alpaca/trading.gateway.js';
import type { TradingObject } from '../alpaca/trading.models.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import type { OrdersQueryDto } from './dto/trading-params.dto.js';

/** Trading data is never cached, by us or by anyone downstream: BYPASS and `Cache-Control: no-store`. */
export function tradingAnswer<T>(s: Sourced<T>): Attributed<T> {
  return new Attributed(s.value, s.provenance, NEVER_CACHED, null, true);
}

/** Account, positions and orders, read straight from Alpaca on every request. */
@Injectable()
export class TradingReadsService {
  constructor(private readonly gateway: TradingGateway) {}

  async account(scope?: RequestScope): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.for(scope).account());
  }

  async positions(scope?: RequestScope): Promise<Attributed<TradingObject[]>> {
    return tradingAnswer(await this.gateway.for(scope).positions());
  }

  async position(symbol: string, scope?: RequestScope): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.for(scope).position(symbol));
  }

  async orders(q: OrdersQueryDto, scope?: RequestScope): Promise<Attributed<TradingObject[]>> {
    assertOrderedRange(q.after, q.until);
    return tradingAnswer(await this.gateway.for(scope).orders(q));
  }

  async order(id: string, scope?: RequestScope): Promise<Attributed<TradingObject>> {
    return tradingAnswer(await this.gateway.for(scope).order(id));
  }
}
