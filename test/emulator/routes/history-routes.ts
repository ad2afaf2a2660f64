/**
 * Stock quote/trade history and auctions (§2.2), latest bars, and option bars/trades (§3):
 * the multi-symbol history endpoints. Items are ordered by symbol, then time (per `sort`); `limit`
 * counts items across all symbols; the page token is base64 of the offset of the next item in that
 * order (Alpaca's tokens are opaque; this one is stable for a repeated query).
 */
import type { WireBar } from '../emulator.types.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { badRequest } from '../http/http-error.js';
import {
  encodePageToken,
  pageTokenParam,
  QueryReader,
  requiredSymbols,
  STOCK_HISTORICAL_FEEDS,
  STOCK_LATEST_FEEDS,
  timeframeParam,
} from '../http/query-params.js';
import { compareNanos, parseRfc3339Nanos, parseTimeBound } from '../market/wire-time.js';

type Query = Record<string, string>;

const HISTORY_LIMIT = { min: 1, max: 10_000, fallback: 1000 };
const MAX_OPTION_SYMBOLS = 100;

interface Series<T> {
  /** The map key of the answer (`quotes`, `trades`, `auctions`, `bars`). */
  key: string;
  kind: 'stock' | 'option';
  items: (context: RouteContext) => Record<string, T[]>;
  /** When an item happened, in nanoseconds (auctions: their day). */
  at: (item: T) => bigint;
  /** Feeds the endpoint accepts, or none (options history takes no feed). */
  feeds?: readonly string[];
  /** Options bars and stock history validate their extra parameters. */
  extra?: (query: Query) => void;
}

function historyPage<T>(series: Series<T>, context: RouteContext): RouteResult {
  const { query } = context.request;
  const symbols = requiredSymbols(query, series.kind, series.kind === 'option' ? MAX_OPTION_SYMBOLS : undefined);
  series.extra?.(query);
  const reader = new QueryReader(query);
  const limit = reader.limit(HISTORY_LIMIT);
  const descending = reader.oneOf('sort', ['asc', 'desc'] as const) === 'desc';
  if (series.feeds !== undefined) reader.oneOf('feed', series.feeds);
  const start = reader.time('start', 'start');
  const end = reader.time('end', 'end');
  if (start !== undefined && end !== undefined && start > end) throw badRequest('end should not be before start');
  const token = pageTokenParam(query, (decoded) => /^\d+$/.test(decoded));
  const offset = token === undefined ? 0 : Number(token);
  const all = series.items(context);
  const ordered = [...symbols].sort().flatMap((symbol) =>
    (all[symbol] ?? [])
      .map((item) => ({ symbol, item, at: series.at(item) }))
      .filter(({ at }) => (start === undefined || at >= start) && (end === undefined || at <= end))
      .sort((a, b) => compareNanos(a.at, b.at) * (descending ? -1 : 1)),
  );
  const page = ordered.slice(offset, offset + limit);
  const grouped: Record<string, T[]> = {};
  for (const { symbol, item } of page) (grouped[symbol] ??= []).push(item);
  const next = offset + limit < ordered.length ? encodePageToken(String(offset + limit)) : null;
  return { status: 200, body: { [series.key]: grouped, next_page_token: next } };
}

const nanosOf = (t: string): bigint => parseRfc3339Nanos(t) ?? 0n;
const stamped = (item: { t: string }): bigint => nanosOf(item.t);

function route<T>(path: string, series: Series<T>): RouteDefinition {
  return {
    method: 'GET',
    path,
    handle: (context) => historyPage(series, context),
    empty: () => ({ [series.key]: {}, next_page_token: null }),
  };
}

/** §1.3: auctions exist on SIP only. */
const AUCTION_FEEDS = ['sip'] as const;

export const historyRoutes: RouteDefinition[] = [
  route('/v2/stocks/quotes', {
    key: 'quotes',
    kind: 'stock',
    items: (c) => c.state.fixtures.stockQuoteHistory,
    at: stamped,
    feeds: STOCK_HISTORICAL_FEEDS,
  }),
  route('/v2/stocks/trades', {
    key: 'trades',
    kind: 'stock',
    items: (c) => c.state.fixtures.stockTradeHistory,
    at: stamped,
    feeds: STOCK_HISTORICAL_FEEDS,
  }),
  route('/v2/stocks/auctions', {
    key: 'auctions',
    kind: 'stock',
    items: (c) => c.state.fixtures.stockAuctions,
    feeds: AUCTION_FEEDS,
    at: (day) => parseTimeBound(day.d, 'start') ?? 0n,
  }),
  route('/v1beta1/options/bars', {
    key: 'bars',
    kind: 'option',
    items: (c) => c.state.fixtures.optionBars,
    at: stamped,
    extra: (q) => void timeframeParam(q),
  }),
  route('/v1beta1/options/trades', {
    key: 'trades',
    kind: 'option',
    items: (c) => c.state.fixtures.optionTrades,
    at: stamped,
  }),
  {
    method: 'GET',
    path: '/v2/stocks/bars/latest',
    handle: (context) => {
      const { query } = context.request;
      const symbols = requiredSymbols(query, 'stock');
      new QueryReader(query).oneOf('feed', STOCK_LATEST_FEEDS);
      const all = context.state.fixtures.stockLatestBars;
      const bars: Record<string, WireBar> = {};
      for (const symbol of symbols) if (Object.prototype.hasOwnProperty.call(all, symbol)) bars[symbol] = all[symbol];
      return { status: 200, body: { bars } };
    },
    empty: () => ({ bars: {} }),
  },
];
