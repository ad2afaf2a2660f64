/**
 * Historical stock bars (§2.2, §2.4). Results are ordered by symbol, then time; `limit` counts
 * bars across all symbols; the page token encodes the last bar served the way Alpaca's does
 * (base64 of `SYM|D|2022-02-02T05:00:00.000000000Z`, §7.6), and the next page resumes after it.
 * Fixture bars are served as they are: the timeframe is validated but bars are not re-aggregated.
 * With liveData on they are restamped as the latest periods of the requested timeframe before
 * filtering and paging (live-market-data.ts).
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
  STOCK_SYMBOL,
  stockSymbolOrThrow,
  timeframeParam,
} from '../http/query-params.js';
import { compareNanos, formatNanosUtc, parseRfc3339Nanos } from '../market/wire-time.js';

type Query = Record<string, string>;

const BAR_LIMIT = { min: 1, max: 10_000, fallback: 1000 };

interface BarPosition {
  symbol: string;
  nanos: bigint;
}

interface BarEntry extends BarPosition {
  bar: WireBar;
}

interface BarPage {
  bars: Map<string, WireBar[]>;
  nextPageToken: string | null;
}

function decodePosition(decoded: string): BarPosition | undefined {
  const [symbol, unit, time, ...rest] = decoded.split('|');
  const nanos = time === undefined ? undefined : parseRfc3339Nanos(time);
  if (rest.length > 0 || unit === undefined || nanos === undefined || !STOCK_SYMBOL.test(symbol)) return undefined;
  return { symbol, nanos };
}

/** Whether `entry` comes strictly after `position` in (symbol asc, time asc|desc) order. */
function isAfter(entry: BarPosition, position: BarPosition, descending: boolean): boolean {
  if (entry.symbol !== position.symbol) return entry.symbol > position.symbol;
  return descending ? entry.nanos < position.nanos : entry.nanos > position.nanos;
}

/** Runs the shared bar query for one or more symbols; validation mirrors the upstream 400s. */
function queryBars(context: RouteContext, symbols: string[]): BarPage {
  const query: Query = context.request.query;
  const unit = timeframeParam(query);
  const reader = new QueryReader(query);
  const limit = reader.limit(BAR_LIMIT);
  const descending = reader.oneOf('sort', ['asc', 'desc'] as const) === 'desc';
  reader.oneOf('feed', STOCK_HISTORICAL_FEEDS);
  const start = reader.time('start', 'start');
  const end = reader.time('end', 'end');
  if (start !== undefined && end !== undefined && start > end) throw badRequest('end should not be before start');
  const token = pageTokenParam(query, (decoded) => decodePosition(decoded) !== undefined);
  const after = token === undefined ? undefined : decodePosition(token);
  const live = context.state.liveData?.at();
  const barsOf = (symbol: string): WireBar[] => {
    const fixture = context.state.fixtures.stockBars[symbol] ?? [];
    return live === undefined ? fixture : live.bars(fixture, query.timeframe);
  };

  const entries: BarEntry[] = [...symbols].sort().flatMap((symbol) =>
    barsOf(symbol)
      .map((bar) => ({ symbol, bar, nanos: parseRfc3339Nanos(bar.t) ?? 0n }))
      .filter(({ nanos }) => (start === undefined || nanos >= start) && (end === undefined || nanos <= end))
      .sort((a, b) => compareNanos(a.nanos, b.nanos) * (descending ? -1 : 1)),
  );
  const from = after === undefined ? 0 : entries.findIndex((entry) => isAfter(entry, after, descending));
  const page = from < 0 ? [] : entries.slice(from, from + limit);
  const last = page[page.length - 1];
  const more = from >= 0 && from + limit < entries.length;

  const bars = new Map<string, WireBar[]>();
  for (const entry of page) bars.set(entry.symbol, [...(bars.get(entry.symbol) ?? []), entry.bar]);
  return {
    bars,
    nextPageToken:
      more && last !== undefined ? encodePageToken(`${last.symbol}|${unit}|${formatNanosUtc(last.nanos)}`) : null,
  };
}

/** Alpaca echoes `currency` only when one was asked for. */
function currencyOf(query: Query): { currency?: string } {
  return query.currency === undefined ? {} : { currency: query.currency };
}

function multiBars(context: RouteContext): RouteResult {
  const symbols = requiredSymbols(context.request.query, 'stock');
  const page = queryBars(context, symbols);
  return {
    status: 200,
    body: {
      bars: Object.fromEntries(page.bars),
      next_page_token: page.nextPageToken,
      ...currencyOf(context.request.query),
    },
  };
}

function singleBars(context: RouteContext): RouteResult {
  const symbol = stockSymbolOrThrow(context.params.symbol);
  const page = queryBars(context, [symbol]);
  // An unknown symbol is simply "no bars in range" here, as in the multi form.
  return {
    status: 200,
    body: {
      symbol,
      bars: page.bars.get(symbol) ?? [],
      next_page_token: page.nextPageToken,
      ...currencyOf(context.request.query),
    },
  };
}

export const stockBarRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v2/stocks/bars',
    handle: multiBars,
    empty: () => ({ bars: {}, next_page_token: null }),
  },
  {
    method: 'GET',
    path: '/v2/stocks/{symbol}/bars',
    handle: singleBars,
    empty: (context) => ({ symbol: context.params.symbol, bars: [], next_page_token: null }),
  },
];
