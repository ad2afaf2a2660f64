import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { PerAccount } from '../../core/config/alpaca-accounts.js';
import { AlpacaTradingClients, type AccountTradingClient } from '../http/alpaca-clients.js';
import type { UpstreamResponse } from '../http/upstream-call.js';
import type { Sourced } from '../stocks/market-data.port.js';
import { stampProvenance } from '../http/provenance-stamp.js';
import { TradingAccountsPort, TradingPort } from './trading.port.js';
import {
  parseActivities,
  parseMultiStatus,
  parseOrder,
  parseOrderList,
  parsePortfolioHistory,
  pickFields,
  pickList,
} from './trading.mapper.js';
import {
  ACCOUNT_FIELDS,
  POSITION_FIELDS,
  type ActivitiesQuery,
  type ClosePositionQuery,
  type OrderRequest,
  type OrdersQuery,
  type PortfolioHistoryQuery,
  type ReplaceOrderRequest,
  type TradingObject,
} from './trading.models.js';

/** Every configured account's TradingPort, built once. */
@Injectable()
export class AlpacaTradingAccounts extends TradingAccountsPort {
  private readonly ports: PerAccount<AlpacaTradingAdapter>;

  constructor(clients: AlpacaTradingClients, config: AppConfig) {
    super();
    this.ports = new PerAccount(config.accounts, (a) => new AlpacaTradingAdapter(clients.of(a.name), config));
  }

  of(account: string): TradingPort {
    return this.ports.of(account);
  }
}

/** TradingPort over one account's trading host (paper or live, as configured). */
export class AlpacaTradingAdapter extends TradingPort {
  constructor(
    private readonly trading: AccountTradingClient,
    private readonly config: AppConfig,
  ) {
    super(trading.account.name);
  }

  async account(): Promise<Sourced<TradingObject>> {
    const res = await this.trading.get('/v2/account', {
      endpoint: '/v2/account',
      parse: (b) => pickFields(b, ACCOUNT_FIELDS, ['id', 'status'], '$'),
    });
    return this.sourced(res, []);
  }

  async positions(): Promise<Sourced<TradingObject[]>> {
    const res = await this.trading.get('/v2/positions', {
      endpoint: '/v2/positions',
      parse: (b) => pickList(b, POSITION_FIELDS, ['symbol'], '$'),
    });
    return this.sourced(res, []);
  }

  async position(symbol: string): Promise<Sourced<TradingObject>> {
    const res = await this.trading.get(`/v2/positions/${encodeURIComponent(symbol)}`, {
      endpoint: '/v2/positions/{symbol}',
      notFoundCode: 'POSITION_NOT_FOUND',
      parse: (b) => pickFields(b, POSITION_FIELDS, ['symbol'], '$'),
    });
    return this.sourced(res, []);
  }

  async orders(q: OrdersQuery): Promise<Sourced<TradingObject[]>> {
    const res = await this.trading.get('/v2/orders', {
      endpoint: '/v2/orders',
      query: {
        status: q.status,
        limit: q.limit,
        after: q.after,
        until: q.until,
        direction: q.direction,
        symbols: q.symbols,
        nested: q.nested,
      },
      parse: parseOrderList,
    });
    return this.sourced(res, res.body.map(updatedAt));
  }

  async order(id: string): Promise<Sourced<TradingObject>> {
    const res = await this.trading.get(`/v2/orders/${encodeURIComponent(id)}`, {
      endpoint: '/v2/orders/{id}',
      notFoundCode: 'ORDER_NOT_FOUND',
      parse: (b) => parseOrder(b),
    });
    return this.sourced(res, [updatedAt(res.body)]);
  }

  async orderByClientId(clientOrderId: string): Promise<Sourced<TradingObject>> {
    const res = await this.trading.get('/v2/orders:by_client_order_id', {
      endpoint: '/v2/orders:by_client_order_id',
      query: { client_order_id: clientOrderId },
      notFoundCode: 'ORDER_NOT_FOUND',
      parse: (b) => parseOrder(b),
    });
    return this.sourced(res, [updatedAt(res.body)]);
  }

  async submitOrder(order: OrderRequest): Promise<Sourced<TradingObject>> {
    const res = await this.trading.send('/v2/orders', {
      method: 'POST',
      endpoint: '/v2/orders',
      body: order,
      parse: (b) => parseOrder(b),
    });
    return this.sourced(res, [updatedAt(res.body)]);
  }

  async cancelOrder(id: string): Promise<Sourced<null>> {
    const res = await this.trading.send(`/v2/orders/${encodeURIComponent(id)}`, {
      method: 'DELETE',
      endpoint: '/v2/orders/{id}',
      notFoundCode: 'ORDER_NOT_FOUND',
      parse: () => null,
    });
    // A 204 carries no timestamp: data_timestamp stays null rather than being made up.
    return this.sourced(res, []);
  }

  async replaceOrder(id: string, patch: ReplaceOrderRequest): Promise<Sourced<TradingObject>> {
    const res = await this.trading.send(`/v2/orders/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      endpoint: '/v2/orders/{id}',
      body: patch,
      notFoundCode: 'ORDER_NOT_FOUND',
      parse: (b) => parseOrder(b),
    });
    return this.sourced(res, [updatedAt(res.body)]);
  }

  async cancelAllOrders(): Promise<Sourced<TradingObject[]>> {
    const res = await this.trading.send('/v2/orders', {
      method: 'DELETE',
      endpoint: '/v2/orders',
      parse: (b) => parseMultiStatus(b, 'id'),
    });
    return this.sourced(res, []);
  }

  async closePosition(symbol: string, q: ClosePositionQuery): Promise<Sourced<TradingObject>> {
    const res = await this.trading.send(`/v2/positions/${encodeURIComponent(symbol)}`, {
      method: 'DELETE',
      endpoint: '/v2/positions/{symbol}',
      query: { qty: q.qty, percentage: q.percentage },
      notFoundCode: 'POSITION_NOT_FOUND',
      parse: (b) => parseOrder(b),
    });
    return this.sourced(res, [updatedAt(res.body)]);
  }

  async closeAllPositions(cancelOrders: boolean | undefined): Promise<Sourced<TradingObject[]>> {
    const res = await this.trading.send('/v2/positions', {
      method: 'DELETE',
      endpoint: '/v2/positions',
      query: { cancel_orders: cancelOrders },
      parse: (b) => parseMultiStatus(b, 'symbol'),
    });
    return this.sourced(res, []);
  }

  async exercise(contract: string): Promise<Sourced<null>> {
    const res = await this.trading.send(`/v2/positions/${encodeURIComponent(contract)}/exercise`, {
      method: 'POST',
      endpoint: '/v2/positions/{symbol}/exercise',
      notFoundCode: 'POSITION_NOT_FOUND',
      // TR-SPEC documents the 200 without a body; whatever it carries is not ours to pass on.
      emptyBody: true,
      parse: () => null,
    });
    return this.sourced(res, []);
  }

  async activities(q: ActivitiesQuery): Promise<Sourced<TradingObject[]>> {
    const res = await this.trading.get('/v2/account/activities', {
      endpoint: '/v2/account/activities',
      query: { ...q },
      parse: parseActivities,
    });
    return this.sourced(res, []);
  }

  async portfolioHistory(q: PortfolioHistoryQuery): Promise<Sourced<TradingObject>> {
    const res = await this.trading.get('/v2/account/portfolio/history', {
      endpoint: '/v2/account/portfolio/history',
      query: { ...q },
      parse: parsePortfolioHistory,
    });
    return this.sourced(res, []);
  }

  private sourced<T>(res: UpstreamResponse<T>, timestamps: Array<string | null>): Sourced<T> {
    const provenance = stampProvenance(this.config, {
      dataSource: 'alpaca_trading',
      api: 'trading',
      responses: [res],
      timestamps: timestamps.filter((t): t is string => t !== null),
      feed: null,
      account: this.trading.account,
    });
    const { tradingMode, name } = this.trading.account;
    return { value: res.body, provenance: { ...provenance, tradingMode, account: name } };
  }
}

function updatedAt(o: TradingObject): string | null {
  const v = o['updated_at'] ?? o['created_at'];
  return typeof v === 'string' ? v : null;
}
