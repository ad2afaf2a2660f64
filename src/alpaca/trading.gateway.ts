import type { Sourced } from './market-data.gateway.js';
import type { OrderRequest, OrdersQuery, TradingObject } from './trading.models.js';

/**
 * The port features use for the trading API. Writes (submit, cancel) are sent once and never
 * retried; a caller that does not learn the outcome reconciles with `orderByClientId`.
 */
export abstract class TradingGateway {
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
}
