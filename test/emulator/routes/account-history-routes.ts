/**
 * Account activities and portfolio history (TR-SPEC getAccountActivities,
 * getAccountPortfolioHistory): fixtures served as they are, filtered and paged like Alpaca.
 */
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { invalidTradingParam } from '../http/http-error.js';
import { QueryReader, splitList } from '../http/query-params.js';
import { parseDateNanos, parseRfc3339Nanos } from '../market/wire-time.js';

type Activity = Record<string, unknown>;

const TRADE_TYPES = new Set(['FILL']);
const PAGE_SIZE = { min: 1, max: 100, fallback: 100 };
const NANOS_PER_DAY = 86_400_000_000_000n;
const PERIOD = /^\d+[DWMA]$/;
const TIMEFRAMES = ['1Min', '5Min', '15Min', '1H', '1D'] as const;

/** When the activity happened: a fill's transaction_time, otherwise its created_at. */
function activityNanos(activity: Activity): bigint {
  const stamp = activity.transaction_time ?? activity.created_at;
  return typeof stamp === 'string' ? (parseRfc3339Nanos(stamp) ?? 0n) : 0n;
}

function listActivities(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query, invalidTradingParam);
  const types = splitList(query.activity_types);
  const category = reader.oneOf('category', ['trade_activity', 'non_trade_activity'] as const);
  if (types.length > 0 && category !== undefined)
    throw invalidTradingParam('category cannot be used with activity_types');
  const direction = reader.oneOf('direction', ['asc', 'desc'] as const) ?? 'desc';
  const after = reader.time('after', 'start');
  const until = reader.time('until', 'start');
  const day = query.date === undefined ? undefined : parseDateNanos(query.date.slice(0, 10));
  if (query.date !== undefined && day === undefined) throw invalidTradingParam(`invalid date: ${query.date}`);
  const pageSize = new QueryReader({ limit: query.page_size }, invalidTradingParam).limit(PAGE_SIZE);

  const selected = context.state.fixtures.activities
    .filter((a) => types.length === 0 || types.includes(String(a.activity_type)))
    .filter(
      (a) => category === undefined || TRADE_TYPES.has(String(a.activity_type)) === (category === 'trade_activity'),
    )
    .filter(
      (a) => (after === undefined || activityNanos(a) > after) && (until === undefined || activityNanos(a) < until),
    )
    .filter((a) => day === undefined || (activityNanos(a) >= day && activityNanos(a) < day + NANOS_PER_DAY))
    .sort((a, b) => String(a.id).localeCompare(String(b.id)) * (direction === 'asc' ? 1 : -1));
  // TR-SPEC: page_token is the id of the last activity of the previous page.
  let start = 0;
  if (query.page_token !== undefined) {
    const at = selected.findIndex((a) => a.id === query.page_token);
    if (at < 0) throw invalidTradingParam(`invalid page_token: ${query.page_token}`);
    start = at + 1;
  }
  return { status: 200, body: selected.slice(start, start + pageSize) };
}

function portfolioHistory(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query, invalidTradingParam);
  if (query.period !== undefined && !PERIOD.test(query.period))
    throw invalidTradingParam(`invalid period: ${query.period}`);
  const timeframe = reader.oneOf('timeframe', TIMEFRAMES);
  reader.oneOf('intraday_reporting', ['market_hours', 'extended_hours', 'continuous'] as const);
  reader.oneOf('pnl_reset', ['per_day', 'no_reset'] as const);
  reader.time('start', 'start');
  reader.time('end', 'end');
  if (query.period !== undefined && query.start !== undefined && query.end !== undefined) {
    throw invalidTradingParam('only two of start, end and period can be specified');
  }
  const { daily, intraday } = context.state.fixtures.portfolioHistory;
  return { status: 200, body: timeframe === undefined || timeframe === '1D' ? daily : intraday };
}

export const accountHistoryRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/v2/account/activities', handle: listActivities, empty: () => [] },
  { method: 'GET', path: '/v2/account/portfolio/history', handle: portfolioHistory, empty: () => ({}) },
];
