/**
 * Assets and the trading calendar on the trading host (§4.5, §4.6). Parameter errors answer 422
 * like the other trading endpoints; an unknown asset is 404 `asset not found`.
 */
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { invalidTradingParam, tradingNotFound } from '../http/http-error.js';
import { QueryReader, splitList } from '../http/query-params.js';

type Asset = Record<string, unknown>;

const ATTRIBUTES = [
  'ptp_no_exception',
  'ptp_with_exception',
  'ipo',
  'has_options',
  'options_late_close',
  'fractional_eh_enabled',
  'overnight_tradable',
  'overnight_halted',
];

function listAssets(context: RouteContext): RouteResult {
  const { query } = context.request;
  const reader = new QueryReader(query, invalidTradingParam);
  const status = reader.oneOf('status', ['active', 'inactive'] as const);
  const assetClass = query.asset_class ?? 'us_equity';
  const exchange = query.exchange;
  const attributes = splitList(query.attributes);
  const unknown = attributes.filter((a) => !ATTRIBUTES.includes(a));
  if (unknown.length > 0) throw invalidTradingParam(`invalid attributes: ${unknown.join(',')}`);
  const assets = context.state.fixtures.assets.filter((a: Asset) => {
    const own = Array.isArray(a.attributes) ? (a.attributes as string[]) : [];
    return (
      (status === undefined || a.status === status) &&
      a.class === assetClass &&
      (exchange === undefined || a.exchange === exchange) &&
      (attributes.length === 0 || attributes.some((x) => own.includes(x)))
    );
  });
  return { status: 200, body: assets };
}

function calendar(context: RouteContext): RouteResult {
  const reader = new QueryReader(context.request.query, invalidTradingParam);
  const start = reader.date('start');
  const end = reader.date('end');
  reader.oneOf('date_type', ['TRADING', 'SETTLEMENT'] as const);
  const days = context.state.fixtures.calendar.filter((d) => {
    const date = typeof d.date === 'string' ? d.date : '';
    return (start === undefined || date >= start) && (end === undefined || date <= end);
  });
  return { status: 200, body: days };
}

export const assetRoutes: RouteDefinition[] = [
  { method: 'GET', path: '/v2/assets', handle: listAssets, empty: () => [] },
  {
    method: 'GET',
    path: '/v2/assets/{symbol_or_asset_id}',
    handle: (context) => {
      const key = context.params.symbol_or_asset_id;
      const asset = context.state.fixtures.assets.find((a) => a.symbol === key || a.id === key || a.cusip === key);
      if (asset === undefined) throw tradingNotFound('asset not found');
      return { status: 200, body: asset };
    },
    empty: () => ({}),
  },
  { method: 'GET', path: '/v2/calendar', handle: calendar, empty: () => [] },
];
