import { AppError } from '../core/errors/app-error.js';
import type { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import { MARKET_OPERATIONS as OP } from '../alpaca/reference/market-operations.js';
import type { RangeQueryDto } from '../market-data/dto/history-query.dto.js';
import type { TickTypeParamDto } from '../market-data/dto/reference-query.dto.js';
import { ConditionCodesDto, ExchangeCodesDto } from '../market-data/dto/pass-through-responses.dto.js';
import { historyPage, symbolBatch } from '../market-data/pass-through/answers.js';
import { passThrough } from '../market-data/pass-through/pass-through-route.js';
import {
  OptionBarsPageDto,
  OptionLatestQuotesDto,
  OptionLatestTradesDto,
  OptionTradesPageDto,
  type OptionBarsQueryDto,
  type OptionSymbolsQueryDto,
} from './dto/option-data.dto.js';
import { requireOccSymbol, requireOccSymbols } from './occ-symbol.js';

/** Alpaca's maximum of contracts per `symbols` list (docs/alpaca-wire.md "Options data"). */
const MAX_CONTRACTS_PER_REQUEST = 100;

type ContractHistory = { option_symbol: string } & RangeQueryDto & { timeframe?: string };

/** One contract's history: Alpaca's multi-symbol endpoint with that one contract. */
function historyCall(q: ContractHistory): { query: Record<string, string | number | undefined> } {
  const contract = requireOccSymbol(q.option_symbol);
  assertOrderedRange(q.start, q.end);
  return {
    query: {
      symbols: contract.symbol,
      timeframe: q.timeframe,
      start: q.start,
      end: q.end,
      limit: q.limit,
      sort: q.sort,
      page_token: q.page_token,
    },
  };
}

/** The contracts of a multi-contract request, checked and deduplicated; more than 100 is refused before any call. */
export function requestedContracts(raw: string): string[] {
  const contracts = requireOccSymbols(raw.split(',')).map((c) => c.symbol);
  if (contracts.length > MAX_CONTRACTS_PER_REQUEST) {
    throw new AppError('REQUEST_SIZE_EXCEEDED', {
      message: `At most ${MAX_CONTRACTS_PER_REQUEST} option symbols per request; ${contracts.length} were sent.`,
      details: { max: MAX_CONTRACTS_PER_REQUEST, requested: contracts.length },
    });
  }
  return contracts;
}

const HISTORY_ERRORS = ['INVALID_OPTION_SYMBOL', 'INVALID_DATE_RANGE', 'HISTORICAL_DATA_UNAVAILABLE'] as const;
const PAGING =
  'One Alpaca page per call: follow page_info.next_page_token (send it as page_token) until it is null. Alpaca takes no feed here (metadata.feed null).';
const upper = (symbol: string): string => requireOccSymbol(symbol).symbol;

/** The option routes that pass one Alpaca operation through. */
export const OPTION_DATA_ROUTES = {
  bars: passThrough({
    name: 'option:bars',
    operation: OP.optionBars,
    call: (q: ContractHistory & OptionBarsQueryDto) => historyCall(q),
    cache: 'history',
    answer: (page, q, feed) => historyPage('option_symbol', 'bars', upper(q.option_symbol), page, q, feed),
    docs: {
      path: ':option_symbol/bars',
      permission: 'history:read',
      summary: 'Historical bars of one option contract.',
      description: PAGING,
      model: OptionBarsPageDto,
      errors: [...HISTORY_ERRORS],
    },
  }),
  trades: passThrough({
    name: 'option:trades',
    operation: OP.optionTrades,
    call: historyCall,
    cache: 'history',
    answer: (page, q, feed) => historyPage('option_symbol', 'trades', upper(q.option_symbol), page, q, feed),
    docs: {
      path: ':option_symbol/trades',
      permission: 'history:read',
      summary: 'Historical trades of one option contract.',
      description: PAGING,
      model: OptionTradesPageDto,
      errors: [...HISTORY_ERRORS],
    },
  }),
  latestQuotes: passThrough({
    name: 'option:latest_quotes',
    operation: OP.optionLatestQuotes,
    call: (q: OptionSymbolsQueryDto) => ({ query: { symbols: requestedContracts(q.symbols).join(',') } }),
    cache: 'option_quote',
    answer: (quotes, q) => symbolBatch('quotes', 'OPTION_DATA_UNAVAILABLE', requestedContracts(q.symbols), quotes),
    docs: {
      path: 'quotes/latest',
      permission: 'options:read',
      summary:
        'Latest quotes of up to 100 contracts in one upstream call; per-contract success or OPTION_DATA_UNAVAILABLE.',
      model: OptionLatestQuotesDto,
      errors: ['INVALID_OPTION_SYMBOL', 'REQUEST_SIZE_EXCEEDED'],
    },
  }),
  latestTrades: passThrough({
    name: 'option:latest_trades',
    operation: OP.optionLatestTrades,
    call: (q: OptionSymbolsQueryDto) => ({ query: { symbols: requestedContracts(q.symbols).join(',') } }),
    cache: 'option_quote',
    answer: (trades, q) => symbolBatch('trades', 'OPTION_DATA_UNAVAILABLE', requestedContracts(q.symbols), trades),
    docs: {
      path: 'trades/latest',
      permission: 'options:read',
      summary:
        'Latest trades of up to 100 contracts in one upstream call; per-contract success or OPTION_DATA_UNAVAILABLE.',
      model: OptionLatestTradesDto,
      errors: ['INVALID_OPTION_SYMBOL', 'REQUEST_SIZE_EXCEEDED'],
    },
  }),
  conditions: passThrough({
    name: 'option:conditions',
    operation: OP.optionConditions,
    call: (q: TickTypeParamDto & FreshnessQueryDto) => ({ path: { ticktype: q.ticktype } }),
    cache: 'reference',
    answer: (conditions, q) => ({ ticktype: q.ticktype, tape: null, conditions }),
    docs: {
      path: 'meta/conditions/:ticktype',
      permission: 'market:read',
      summary: "Alpaca's option trade or quote condition codes (OPRA).",
      model: ConditionCodesDto,
      errors: [],
    },
  }),
  exchanges: passThrough({
    name: 'option:exchanges',
    operation: OP.optionExchanges,
    call: () => ({}),
    cache: 'reference',
    answer: (exchanges) => ({ exchanges }),
    docs: {
      path: 'meta/exchanges',
      permission: 'market:read',
      summary: "Alpaca's option exchange codes.",
      model: ExchangeCodesDto,
      errors: [],
    },
  }),
};
