/**
 * Stock latest quotes/trades and snapshots (§2.1, §2.4, §2.5): multi-symbol forms omit unknown
 * symbols; stock snapshots are a bare map where a null fixture is sent as `"SYM": null`. With
 * liveData on, what is served is restamped as of the request (live-market-data.ts).
 */
import type { WireStockQuote, WireStockSnapshot, WireStockTrade } from '../emulator.types.js';
import type { LiveInstant } from '../market/live-market-data.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { EmulatorHttpError } from '../http/http-error.js';
import { QueryReader, requiredSymbols, STOCK_LATEST_FEEDS, stockSymbolOrThrow } from '../http/query-params.js';

type Query = Record<string, string>;

/** Validates the params every latest/snapshot endpoint shares; returns the echoed currency. */
function latestParams(query: Query): { currency?: string } {
  new QueryReader(query).oneOf('feed', STOCK_LATEST_FEEDS);
  // Alpaca echoes `currency` only when one was asked for (§2.4 `"currency"?`).
  return query.currency === undefined ? {} : { currency: query.currency };
}

/** Picks the requested symbols that have a fixture, in request order. */
function pick<T>(source: Record<string, T>, symbols: string[]): Record<string, T> {
  const picked: Record<string, T> = {};
  for (const symbol of symbols) {
    if (Object.prototype.hasOwnProperty.call(source, symbol)) picked[symbol] = source[symbol];
  }
  return picked;
}

/** The single-symbol forms: behaviour upstream is undocumented (§2.5), so a plain 404. */
function notFound(): EmulatorHttpError {
  return new EmulatorHttpError(404, { message: 'not found' });
}

function singleSymbol(context: RouteContext): string {
  return stockSymbolOrThrow(context.params.symbol);
}

function liveNow(context: RouteContext): LiveInstant | undefined {
  return context.state.liveData?.at();
}

function latestSource(
  key: 'quotes' | 'trades',
  context: RouteContext,
): Record<string, WireStockQuote | WireStockTrade> {
  return key === 'quotes' ? context.state.fixtures.stockQuotes : context.state.fixtures.stockTrades;
}

function liveSnapshot(live: LiveInstant | undefined, snapshot: WireStockSnapshot | null): WireStockSnapshot | null {
  return live === undefined || snapshot === null ? snapshot : live.snapshot(snapshot);
}

function multiLatest(key: 'quotes' | 'trades', context: RouteContext): RouteResult {
  const { query } = context.request;
  const symbols = requiredSymbols(query, 'stock');
  const extra = latestParams(query);
  const live = liveNow(context);
  const picked = pick(latestSource(key, context), symbols);
  const served =
    live === undefined
      ? picked
      : Object.fromEntries(Object.entries(picked).map(([symbol, value]) => [symbol, live.stamped(value)]));
  return { status: 200, body: { [key]: served, ...extra } };
}

function singleLatest(key: 'quote' | 'trade', context: RouteContext): RouteResult {
  const symbol = singleSymbol(context);
  const extra = latestParams(context.request.query);
  const value = latestSource(key === 'quote' ? 'quotes' : 'trades', context)[symbol];
  if (value === undefined) throw notFound();
  const live = liveNow(context);
  return { status: 200, body: { symbol, [key]: live === undefined ? value : live.stamped(value), ...extra } };
}

export const stockLatestRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v2/stocks/quotes/latest',
    handle: (context) => multiLatest('quotes', context),
    empty: () => ({ quotes: {} }),
  },
  {
    method: 'GET',
    path: '/v2/stocks/trades/latest',
    handle: (context) => multiLatest('trades', context),
    empty: () => ({ trades: {} }),
  },
  {
    method: 'GET',
    path: '/v2/stocks/snapshots',
    handle: (context) => {
      const { query } = context.request;
      const symbols = requiredSymbols(query, 'stock');
      latestParams(query);
      const live = liveNow(context);
      const picked = pick(context.state.fixtures.stockSnapshots, symbols);
      const served = Object.fromEntries(
        Object.entries(picked).map(([symbol, snapshot]) => [symbol, liveSnapshot(live, snapshot)]),
      );
      return { status: 200, body: served };
    },
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/stocks/{symbol}/quotes/latest',
    handle: (context) => singleLatest('quote', context),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/stocks/{symbol}/trades/latest',
    handle: (context) => singleLatest('trade', context),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/stocks/{symbol}/snapshot',
    handle: (context) => {
      const symbol = singleSymbol(context);
      const extra = latestParams(context.request.query);
      const snapshot = context.state.fixtures.stockSnapshots[symbol];
      // A null fixture means "Alpaca has nothing for it": the single form has no null to send.
      if (snapshot === undefined || snapshot === null) throw notFound();
      return { status: 200, body: { symbol, ...liveSnapshot(liveNow(context), snapshot), ...extra } };
    },
    empty: () => ({}),
  },
];
