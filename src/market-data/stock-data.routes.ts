import { AppError } from '../core/errors/app-error.js';
import { normalizeStockSymbols } from '../core/validation/stock-symbol.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import { MARKET_OPERATIONS as OP } from '../alpaca/reference/market-operations.js';
import type { StockConditionsQueryDto, SymbolsQueryDto, TickTypeParamDto } from './dto/reference-query.dto.js';
import type { StockHistoryQueryDto } from './dto/history-query.dto.js';
import {
  ConditionCodesDto,
  ExchangeCodesDto,
  LatestBarDto,
  LatestBarsDto,
  LatestTradesDto,
  SnapshotsDto,
  StockAuctionsPageDto,
  StockQuotesPageDto,
  StockTradesPageDto,
} from './dto/pass-through-responses.dto.js';
import type { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { historyPage, oneSymbol, symbolBatch } from './pass-through/answers.js';
import { passThrough } from './pass-through/pass-through-route.js';

/** Most symbols one multi-symbol request may name (Alpaca states none for stocks; as the quote batch). */
export const MAX_SYMBOLS_PER_REQUEST = 100;

type SymbolHistory = { symbol: string } & StockHistoryQueryDto;

/** One symbol's history: Alpaca's multi-symbol endpoint with that one symbol, every option as given. */
function historyCall(q: SymbolHistory): { query: Record<string, string | number | undefined> } {
  assertOrderedRange(q.start, q.end);
  return {
    query: {
      symbols: q.symbol,
      start: q.start,
      end: q.end,
      limit: q.limit,
      sort: q.sort,
      asof: q.asof,
      page_token: q.page_token,
    },
  };
}

/** The symbols of a multi-symbol request, normalised and deduplicated; too many is refused before any call. */
export function requestedSymbols(raw: string): string[] {
  const symbols = normalizeStockSymbols(raw.split(','));
  if (symbols.length > MAX_SYMBOLS_PER_REQUEST) {
    throw new AppError('REQUEST_SIZE_EXCEEDED', {
      message: `At most ${MAX_SYMBOLS_PER_REQUEST} symbols per request; ${symbols.length} were sent.`,
      details: { max: MAX_SYMBOLS_PER_REQUEST, requested: symbols.length },
    });
  }
  return symbols;
}

const HISTORY_ERRORS = ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE', 'HISTORICAL_DATA_UNAVAILABLE'] as const;
const BATCH_ERRORS = ['INVALID_SYMBOL_FORMAT', 'REQUEST_SIZE_EXCEEDED'] as const;
const PAGING = 'One Alpaca page per call: follow page_info.next_page_token (send it as page_token) until it is null.';

/** The stock routes that pass one Alpaca operation through (StocksController keeps the latest quote/trade/snapshot and bars). */
export const STOCK_DATA_ROUTES = {
  quotes: passThrough({
    name: 'stock:quotes',
    operation: OP.stockQuotes,
    call: historyCall,
    cache: 'history',
    answer: (page, q: SymbolHistory, feed) => historyPage('symbol', 'quotes', q.symbol, page, q, feed),
    docs: {
      path: ':symbol/quotes',
      permission: 'history:read',
      summary: 'Historical quotes (NBBO on the configured feed) of one symbol.',
      description: PAGING,
      model: StockQuotesPageDto,
      errors: [...HISTORY_ERRORS],
    },
  }),
  trades: passThrough({
    name: 'stock:trades',
    operation: OP.stockTrades,
    call: historyCall,
    cache: 'history',
    answer: (page, q: SymbolHistory, feed) => historyPage('symbol', 'trades', q.symbol, page, q, feed),
    docs: {
      path: ':symbol/trades',
      permission: 'history:read',
      summary: 'Historical trades of one symbol.',
      description: PAGING,
      model: StockTradesPageDto,
      errors: [...HISTORY_ERRORS],
    },
  }),
  auctions: passThrough({
    name: 'stock:auctions',
    operation: OP.stockAuctions,
    call: historyCall,
    cache: 'history',
    answer: (page, q: SymbolHistory, feed) => historyPage('symbol', 'auctions', q.symbol, page, q, feed),
    docs: {
      path: ':symbol/auctions',
      permission: 'history:read',
      summary: 'Opening and closing auction prices of one symbol, per day.',
      description: `Auctions exist on the SIP feed only (metadata.feed sip): a plan without SIP answers 403 UPSTREAM_SUBSCRIPTION_REQUIRED. ${PAGING}`,
      model: StockAuctionsPageDto,
      errors: [...HISTORY_ERRORS],
    },
  }),
  latestBar: passThrough({
    name: 'stock:latest_bar',
    operation: OP.stockLatestBars,
    call: (q: { symbol: string } & FreshnessQueryDto) => ({ query: { symbols: q.symbol } }),
    cache: 'quote',
    answer: (bars, q, feed) => oneSymbol(bars, q.symbol, feed),
    docs: {
      path: ':symbol/bar',
      permission: 'market:read',
      summary: 'Latest minute bar of one symbol.',
      model: LatestBarDto,
      errors: ['INVALID_SYMBOL_FORMAT', 'SYMBOL_NOT_FOUND'],
    },
  }),
  latestBars: passThrough({
    name: 'stock:latest_bars',
    operation: OP.stockLatestBars,
    call: (q: SymbolsQueryDto) => ({ query: { symbols: requestedSymbols(q.symbols).join(',') } }),
    cache: 'quote',
    answer: (bars, q) => symbolBatch('bars', 'SYMBOL_NOT_FOUND', requestedSymbols(q.symbols), bars),
    docs: {
      path: 'bars/latest',
      permission: 'market:read',
      summary: 'Latest minute bars of many symbols in one upstream call; per-symbol success or SYMBOL_NOT_FOUND.',
      model: LatestBarsDto,
      errors: [...BATCH_ERRORS],
    },
  }),
  latestTrades: passThrough({
    name: 'stock:latest_trades',
    operation: OP.stockLatestTrades,
    call: (q: SymbolsQueryDto) => ({ query: { symbols: requestedSymbols(q.symbols).join(',') } }),
    cache: 'quote',
    answer: (trades, q) => symbolBatch('trades', 'SYMBOL_NOT_FOUND', requestedSymbols(q.symbols), trades),
    docs: {
      path: 'trades/latest',
      permission: 'market:read',
      summary: 'Latest trades of many symbols in one upstream call; per-symbol success or SYMBOL_NOT_FOUND.',
      model: LatestTradesDto,
      errors: [...BATCH_ERRORS],
    },
  }),
  snapshots: passThrough({
    name: 'stock:snapshots',
    operation: OP.stockSnapshots,
    call: (q: SymbolsQueryDto) => ({ query: { symbols: requestedSymbols(q.symbols).join(',') } }),
    cache: 'snapshot',
    answer: (snapshots, q) => symbolBatch('snapshots', 'SYMBOL_NOT_FOUND', requestedSymbols(q.symbols), snapshots),
    docs: {
      path: 'snapshots',
      permission: 'market:read',
      summary: 'Snapshots of many symbols in one upstream call; per-symbol success or SYMBOL_NOT_FOUND.',
      description: 'Missing members of a snapshot are null with availability false, as on /stocks/{symbol}/snapshot.',
      model: SnapshotsDto,
      errors: [...BATCH_ERRORS],
    },
  }),
  conditions: passThrough({
    name: 'stock:conditions',
    operation: OP.stockConditions,
    call: (q: TickTypeParamDto & StockConditionsQueryDto) => ({
      path: { ticktype: q.ticktype },
      query: { tape: q.tape },
    }),
    cache: 'reference',
    answer: (conditions, q) => ({ ticktype: q.ticktype, tape: q.tape, conditions }),
    docs: {
      path: 'meta/conditions/:ticktype',
      permission: 'market:read',
      summary: "Alpaca's trade or quote condition codes of one SIP tape.",
      model: ConditionCodesDto,
      errors: [],
    },
  }),
  exchanges: passThrough({
    name: 'stock:exchanges',
    operation: OP.stockExchanges,
    call: () => ({}),
    cache: 'reference',
    answer: (exchanges) => ({ exchanges }),
    docs: {
      path: 'meta/exchanges',
      permission: 'market:read',
      summary: "Alpaca's stock exchange codes.",
      model: ExchangeCodesDto,
      errors: [],
    },
  }),
};
