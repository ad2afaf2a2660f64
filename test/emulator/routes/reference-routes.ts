/**
 * Reference operations of the data host: condition and exchange codes, news, corporate actions
 * and screeners (MD-SPEC). News and corporate actions page by offset (base64 of it, opaque to the
 * client like Alpaca's tokens).
 */
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { badRequest } from '../http/http-error.js';
import { encodePageToken, pageTokenParam, QueryReader, splitList, stockSymbolOrThrow } from '../http/query-params.js';
import { parseTimeBound } from '../market/wire-time.js';

type Query = Record<string, string>;

const NEWS_LIMIT = { min: 1, max: 50, fallback: 10 };
const ACTIONS_LIMIT = { min: 1, max: 1000, fallback: 100 };

function tickType(context: RouteContext): 'trade' | 'quote' {
  const value = context.params.ticktype;
  if (value !== 'trade' && value !== 'quote') throw badRequest(`invalid ticktype: ${value}`);
  return value;
}

function bool(query: Query, name: string): boolean | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') throw badRequest(`invalid ${name}: ${value}`);
  return value === 'true';
}

function offsetPage<T>(query: Query, items: T[], limit: number): { page: T[]; next: string | null } {
  const token = pageTokenParam(query, (decoded) => /^\d+$/.test(decoded));
  const offset = token === undefined ? 0 : Number(token);
  return {
    page: items.slice(offset, offset + limit),
    next: offset + limit < items.length ? encodePageToken(String(offset + limit)) : null,
  };
}

function text(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  return typeof value === 'string' ? value : '';
}

function news(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query);
  const limit = reader.limit(NEWS_LIMIT);
  const ascending = reader.oneOf('sort', ['asc', 'desc'] as const) === 'asc';
  const start = reader.time('start', 'start');
  const end = reader.time('end', 'end');
  const includeContent = bool(query, 'include_content') === true;
  const excludeContentless = bool(query, 'exclude_contentless') === true;
  const symbols = new Set(splitList(query.symbols).map(stockSymbolOrThrow));
  const matching = context.state.fixtures.news
    .filter((article) => {
      const at = parseTimeBound(text(article, 'updated_at'), 'start') ?? 0n;
      const about = Array.isArray(article.symbols) ? (article.symbols as string[]) : [];
      return (
        (start === undefined || at >= start) &&
        (end === undefined || at <= end) &&
        (symbols.size === 0 || about.some((s) => symbols.has(s)))
      );
    })
    .filter((article) => !excludeContentless || text(article, 'content') !== '')
    // Without include_content Alpaca sends the member empty.
    .map((article) => (includeContent ? article : { ...article, content: '' }));
  const ordered = ascending ? [...matching].reverse() : matching;
  const { page, next } = offsetPage(query, ordered, limit);
  return { status: 200, body: { news: page, next_page_token: next } };
}

function corporateActions(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query);
  const limit = reader.limit(ACTIONS_LIMIT);
  const descending = reader.oneOf('sort', ['asc', 'desc'] as const) === 'desc';
  reader.oneOf('region', ['us', 'non_us', 'all'] as const);
  const start = reader.date('start');
  const end = reader.date('end');
  const types = new Set(splitList(query.types).map((t) => `${t}s`));
  const symbols = new Set(splitList(query.symbols));
  const all = context.state.fixtures.corporateActions;
  const flat = Object.entries(all)
    .filter(([list]) => types.size === 0 || types.has(list))
    .flatMap(([list, records]) => records.map((record) => ({ list, record, day: text(record, 'process_date') })))
    .filter(({ record, day }) => {
      const named = ['symbol', 'old_symbol', 'new_symbol', 'source_symbol', 'acquirer_symbol', 'acquiree_symbol'].map(
        (k) => text(record, k),
      );
      return (
        (start === undefined || day >= start) &&
        (end === undefined || day <= end) &&
        (symbols.size === 0 || named.some((s) => symbols.has(s)))
      );
    })
    .sort((a, b) => (a.day === b.day ? 0 : a.day < b.day ? -1 : 1) * (descending ? -1 : 1));
  const { page, next } = offsetPage(query, flat, limit);
  const lists: Record<string, Array<Record<string, unknown>>> = {};
  for (const { list, record } of page) (lists[list] ??= []).push(record);
  return { status: 200, body: { corporate_actions: lists, next_page_token: next } };
}

export const referenceRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v2/stocks/meta/conditions/{ticktype}',
    handle: (context) => {
      new QueryReader(context.request.query).oneOf('tape', ['A', 'B', 'C'] as const);
      if (context.request.query.tape === undefined) throw badRequest('missing tape');
      return { status: 200, body: context.state.fixtures.codes.stockConditions[tickType(context)] };
    },
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/stocks/meta/exchanges',
    handle: (context) => ({ status: 200, body: context.state.fixtures.codes.stockExchanges }),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v1beta1/options/meta/conditions/{ticktype}',
    handle: (context) => ({ status: 200, body: context.state.fixtures.codes.optionConditions[tickType(context)] }),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v1beta1/options/meta/exchanges',
    handle: (context) => ({ status: 200, body: context.state.fixtures.codes.optionExchanges }),
    empty: () => ({}),
  },
  { method: 'GET', path: '/v1beta1/news', handle: news, empty: () => ({ news: [], next_page_token: null }) },
  {
    method: 'GET',
    path: '/v1/corporate-actions',
    handle: corporateActions,
    empty: () => ({ corporate_actions: {}, next_page_token: null }),
  },
  {
    method: 'GET',
    path: '/v1beta1/screener/stocks/most-actives',
    handle: (context) => {
      const reader = new QueryReader(context.request.query);
      reader.oneOf('by', ['volume', 'trades'] as const);
      const top = topParam(context.request.query, 100);
      const fixture = context.state.fixtures.mostActives;
      const list = Array.isArray(fixture.most_actives) ? (fixture.most_actives as unknown[]) : [];
      return { status: 200, body: { ...fixture, most_actives: list.slice(0, top) } };
    },
    empty: () => ({ most_actives: [], last_updated: '2022-03-10T17:53:30.088309839Z' }),
  },
  {
    method: 'GET',
    path: '/v1beta1/screener/{market_type}/movers',
    handle: (context) => {
      if (context.params.market_type !== 'stocks' && context.params.market_type !== 'crypto')
        throw badRequest(`invalid market_type: ${context.params.market_type}`);
      const top = topParam(context.request.query, 50);
      const fixture = context.state.fixtures.movers;
      const cut = (key: string): unknown[] =>
        Array.isArray(fixture[key]) ? (fixture[key] as unknown[]).slice(0, top) : [];
      return { status: 200, body: { ...fixture, gainers: cut('gainers'), losers: cut('losers') } };
    },
    empty: (context) => ({
      gainers: [],
      losers: [],
      market_type: context.params.market_type,
      last_updated: '2022-03-10T17:53:30.088309839Z',
    }),
  },
];

/** `top`: 1..max, Alpaca default 10. */
function topParam(query: Query, max: number): number {
  const raw = query.top;
  if (raw === undefined) return 10;
  const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 1 && value <= max)) throw badRequest(`invalid top: ${raw}`);
  return value;
}
