import { requireAccount } from '../../core/identity/account.js';
import type { Sourced } from '../stocks/market-data.port.js';
import type {
  ActivitiesQuery,
  ClosePositionQuery,
  OrderRequest,
  OrdersQuery,
  PortfolioHistoryQuery,
  ReplaceOrderRequest,
  TradingObject,
} from './trading.models.js';

/**
 * The port features use for the trading API. Writes (submit, cancel) are sent once and never
 * retried; a caller that does not learn the outcome reconciles with `orderByClientId`.
 */
export abstract class TradingPort {
  /** The account this port trades on (the gateway's name for it). */
  constructor(readonly accountName: string) {}

  abstract account(): Promise<Sourced<TradingObject>>;
  abstract positions(): Promise<Sourced<TradingObject[]>>;
  /** Throws POSITION_NOT_FOUND when there is no open position. */
  abstract position(symbol: string): Promise<Sourced<TradingObject>>;
  abstract orders(q: OrdersQuery): Promise<Sourced<TradingObject[]>>;
  /** Throws ORDER_NOT_FOUND. */
  abstract order(id: string): Promise<Sourced<TradingObject>>;
  /** Throws ORDER_NOT_FOUND when Alpaca has no order with this client_order_id. */
  abstract orderByClientId(clientOrderId: string): Promise<Sourced<TradingObject>>;
  abstract submitOrder(order: OrderRequest): Promise<Sourced<TradingObject>>;
  /**
   * Resolves when Alpaca accepted the cancel request (204, no body): the value is null, the
   * provenance names the trading host and Alpaca's request id of the DELETE.
   */
  abstract cancelOrder(id: string): Promise<Sourced<null>>;
  /**
   * PATCH /v2/orders/{id}: resolves with the new order (Alpaca's answer). Throws ORDER_NOT_FOUND.
   * Sent once; a lost answer is reconciled by the caller (the new order's client_order_id, the
   * old order's replaced_by).
   */
  abstract replaceOrder(id: string, patch: ReplaceOrderRequest): Promise<Sourced<TradingObject>>;
  /** DELETE /v2/orders: one `{id, status, body}` per open order, as Alpaca's 207 reported it. */
  abstract cancelAllOrders(): Promise<Sourced<TradingObject[]>>;
  /** DELETE /v2/positions/{symbol}: the order Alpaca created to close it. Throws POSITION_NOT_FOUND. */
  abstract closePosition(symbol: string, q: ClosePositionQuery): Promise<Sourced<TradingObject>>;
  /** DELETE /v2/positions: one `{symbol, status, body}` per position, as Alpaca's 207 reported it. */
  abstract closeAllPositions(cancelOrders: boolean | undefined): Promise<Sourced<TradingObject[]>>;
  /** POST /v2/positions/{contract}/exercise: resolves (value null) when Alpaca accepted the instruction. */
  abstract exercise(contract: string): Promise<Sourced<null>>;
  abstract activities(q: ActivitiesQuery): Promise<Sourced<TradingObject[]>>;
  abstract portfolioHistory(q: PortfolioHistoryQuery): Promise<Sourced<TradingObject>>;
}

/**
 * The trading port of each configured account (docs/contract.md "Accounts"): each has its own
 * keys, trading host, circuit breaker and budget. `of` throws for a name the configuration does
 * not hold; requests reach it only with an account the authentication guard chose.
 */
export abstract class TradingAccountsPort {
  abstract of(account: string): TradingPort;

  /** The port of the account the authentication guard chose for a request (`Caller.account`). */
  forCaller(caller: { account: string | undefined }): TradingPort {
    return this.of(requireAccount(caller));
  }
}
