import type { Provenance } from '../../core/attribution/provenance.js';
import type { BarsPage, BarsQuery, MarketClock, StockQuote, StockSnapshot, StockTrade } from './market-data.models.js';

/** Data from Alpaca with the provenance the adapter stamped on it. */
export interface Sourced<T> {
  value: T;
  provenance: Provenance;
}

/** Per-symbol results of a multi-symbol call; a symbol Alpaca had no data for is absent. */
export type SymbolMap<T> = Map<string, T>;

/**
 * The port features use for stock market data. Bound by AlpacaModule to the Alpaca
 * implementation; always calls Alpaca's multi-symbol endpoints.
 */
export abstract class MarketDataPort {
  abstract latestQuotes(symbols: string[]): Promise<Sourced<SymbolMap<StockQuote>>>;
  abstract latestTrades(symbols: string[]): Promise<Sourced<SymbolMap<StockTrade>>>;
  abstract snapshots(symbols: string[]): Promise<Sourced<SymbolMap<StockSnapshot>>>;
  abstract bars(query: BarsQuery): Promise<Sourced<BarsPage>>;
  /** Alpaca's market clock (`/v2/clock`, trading host). */
  abstract clock(): Promise<Sourced<MarketClock>>;
}
