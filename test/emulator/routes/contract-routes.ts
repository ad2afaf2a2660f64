/**
 * Option contracts on the trading host (§4.7). Contracts keep fixture order; the page token is
 * base64 of the next offset (Alpaca's look like "MTAw" = "100").
 *
 * Deliberate difference: upstream defaults `expiration_date_lte` to the coming weekend, which
 * would hide every fixed-date fixture. Here no expiration bound applies unless one is sent.
 */
import type { RouteContext, RouteDefinition, RouteResult } from '../http/router.js';
import { invalidTradingParam, tradingNotFound } from '../http/http-error.js';
import { encodePageToken, pageTokenParam, QueryReader, splitList } from '../http/query-params.js';

type Contract = Record<string, unknown>;
type Query = Record<string, string>;

const CONTRACT_LIMIT = { min: 1, max: 10_000, fallback: 100 };

function text(contract: Contract, name: string): string {
  const value = contract[name];
  return typeof value === 'string' ? value : '';
}

function contractFilter(query: Query): (contract: Contract) => boolean {
  const reader = new QueryReader(query, invalidTradingParam);
  const underlyings = new Set(splitList(query.underlying_symbols));
  const status = reader.oneOf('status', ['active', 'inactive'] as const) ?? 'active';
  const type = reader.oneOf('type', ['call', 'put'] as const);
  const style = reader.oneOf('style', ['american', 'european'] as const);
  const expiration = reader.date('expiration_date');
  const expirationGte = reader.date('expiration_date_gte');
  const expirationLte = reader.date('expiration_date_lte');
  const strikeGte = reader.number('strike_price_gte');
  const strikeLte = reader.number('strike_price_lte');
  const root = query.root_symbol;
  return (contract) => {
    const expires = text(contract, 'expiration_date');
    const strike = Number(text(contract, 'strike_price'));
    return (
      (underlyings.size === 0 || underlyings.has(text(contract, 'underlying_symbol'))) &&
      text(contract, 'status') === status &&
      (type === undefined || contract.type === type) &&
      (style === undefined || contract.style === style) &&
      (expiration === undefined || expires === expiration) &&
      (expirationGte === undefined || expires >= expirationGte) &&
      (expirationLte === undefined || expires <= expirationLte) &&
      (strikeGte === undefined || strike >= strikeGte) &&
      (strikeLte === undefined || strike <= strikeLte) &&
      (root === undefined || contract.root_symbol === root)
    );
  };
}

function listContracts(context: RouteContext): RouteResult {
  const { query } = context.request;
  const limit = new QueryReader(query, invalidTradingParam).limit(CONTRACT_LIMIT);
  const keep = contractFilter(query);
  const token = pageTokenParam(query, (decoded) => /^\d+$/.test(decoded));
  const offset = token === undefined ? 0 : Number(token);
  const matching = context.state.fixtures.optionContracts.filter(keep);
  const page = matching.slice(offset, offset + limit);
  const next = offset + limit < matching.length ? encodePageToken(String(offset + limit)) : null;
  return { status: 200, body: { option_contracts: page, next_page_token: next } };
}

export const contractRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v2/options/contracts',
    handle: listContracts,
    empty: () => ({ option_contracts: [], next_page_token: null }),
  },
  {
    method: 'GET',
    path: '/v2/options/contracts/{symbol_or_id}',
    handle: (context) => {
      const key = context.params.symbol_or_id;
      const contract = context.state.fixtures.optionContracts.find((c) => c.symbol === key || c.id === key);
      if (contract === undefined) throw tradingNotFound(`option contract ${key} not found`);
      return { status: 200, body: contract };
    },
    empty: () => ({}),
  },
];
