/**
 * Options market data v1beta1 (§3): snapshots by contract, the chain by underlying, and latest
 * quotes/trades derived from the snapshots. Snapshot pages are ordered by symbol and the page
 * token is base64 of the last symbol served, as Alpaca's is (§7.8: "QUFQTDI0MDQyNkMwMDE1MjUwMA=="
 * = "AAPL240426C00152500").
 */
import type { WireOptionSnapshot } from '../emulator.types.js';
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { decodeOcc, type OccTerms } from '../market/occ-symbol.js';
import {
  encodePageToken,
  OPTION_FEEDS,
  OPTION_SYMBOL,
  pageTokenParam,
  QueryReader,
  requiredSymbols,
  stockSymbolOrThrow,
} from '../http/query-params.js';
import { parseRfc3339Nanos } from '../market/wire-time.js';

type Query = Record<string, string>;

const MAX_SYMBOLS = 100;
const SNAPSHOT_LIMIT = { min: 1, max: 1000, fallback: 100 };

/** §3.1: `updated_since` keeps snapshots whose trade or quote timestamp is at or after it. */
function updatedSince(query: Query): (snapshot: WireOptionSnapshot) => boolean {
  const since = new QueryReader(query).time('updated_since', 'start');
  if (since === undefined) return () => true;
  return (snapshot) =>
    [snapshot.latestTrade?.t, snapshot.latestQuote?.t].some(
      (t) => t !== undefined && (parseRfc3339Nanos(t) ?? 0n) >= since,
    );
}

/** Paginates candidate symbols (already filtered) and answers the snapshots envelope. */
function snapshotPage(context: RouteContext, candidates: string[]): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query);
  reader.oneOf('feed', OPTION_FEEDS);
  const limit = reader.limit(SNAPSHOT_LIMIT);
  const after = pageTokenParam(query, (decoded) => OPTION_SYMBOL.test(decoded));
  const keep = updatedSince(query);
  const all = context.state.fixtures.optionSnapshots;
  const ordered = candidates.filter((symbol) => keep(all[symbol]) && (after === undefined || symbol > after)).sort();
  const page = ordered.slice(0, limit);
  const next = ordered.length > limit ? encodePageToken(page[page.length - 1]) : null;
  return {
    status: 200,
    body: { snapshots: Object.fromEntries(page.map((symbol) => [symbol, all[symbol]])), next_page_token: next },
  };
}

function knownSymbols(context: RouteContext, symbols: string[]): string[] {
  const all = context.state.fixtures.optionSnapshots;
  return symbols.filter((symbol) => Object.prototype.hasOwnProperty.call(all, symbol));
}

function bySymbols(context: RouteContext): RouteResult {
  const symbols = requiredSymbols(context.request.query, 'option', MAX_SYMBOLS);
  return snapshotPage(context, knownSymbols(context, symbols));
}

/** The chain filters of §3.1, applied to terms decoded from each OCC symbol. */
function chainFilter(query: Query, underlying: string): (terms: OccTerms) => boolean {
  const reader = new QueryReader(query);
  const type = reader.oneOf('type', ['call', 'put'] as const);
  const strikeGte = reader.number('strike_price_gte');
  const strikeLte = reader.number('strike_price_lte');
  const expiration = reader.date('expiration_date');
  const expirationGte = reader.date('expiration_date_gte');
  const expirationLte = reader.date('expiration_date_lte');
  const root = query.root_symbol;
  return (terms) =>
    terms.underlying === underlying &&
    (type === undefined || terms.type === type) &&
    (strikeGte === undefined || terms.strike >= strikeGte) &&
    (strikeLte === undefined || terms.strike <= strikeLte) &&
    (expiration === undefined || terms.expiration === expiration) &&
    (expirationGte === undefined || terms.expiration >= expirationGte) &&
    (expirationLte === undefined || terms.expiration <= expirationLte) &&
    (root === undefined || terms.root === root);
}

function chain(context: RouteContext): RouteResult {
  const underlying = stockSymbolOrThrow(context.params.underlying_symbol);
  const matches = chainFilter(context.request.query, underlying);
  const candidates = Object.keys(context.state.fixtures.optionSnapshots).filter((symbol) => {
    const terms = decodeOcc(symbol);
    return terms !== undefined && matches(terms);
  });
  return snapshotPage(context, candidates);
}

/** Latest quotes/trades come from the snapshots; a contract without one is omitted (§2.5). */
function latest(key: 'quotes' | 'trades', context: RouteContext): RouteResult {
  const { query } = context.request;
  const symbols = requiredSymbols(query, 'option', MAX_SYMBOLS);
  new QueryReader(query).oneOf('feed', OPTION_FEEDS);
  const all = context.state.fixtures.optionSnapshots;
  const entries = knownSymbols(context, symbols).flatMap((symbol) => {
    const value = key === 'quotes' ? all[symbol].latestQuote : all[symbol].latestTrade;
    return value === undefined ? [] : [[symbol, value] as const];
  });
  return { status: 200, body: { [key]: Object.fromEntries(entries) } };
}

const emptySnapshots = (): unknown => ({ snapshots: {}, next_page_token: null });

export const optionRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/v1beta1/options/snapshots', handle: bySymbols, empty: emptySnapshots },
  { method: 'GET', path: '/v1beta1/options/snapshots/{underlying_symbol}', handle: chain, empty: emptySnapshots },
  {
    method: 'GET',
    path: '/v1beta1/options/quotes/latest',
    handle: (context) => latest('quotes', context),
    empty: () => ({ quotes: {} }),
  },
  {
    method: 'GET',
    path: '/v1beta1/options/trades/latest',
    handle: (context) => latest('trades', context),
    empty: () => ({ trades: {} }),
  },
];
