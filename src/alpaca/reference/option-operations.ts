import type { Bar } from '../stocks/market-data.models.js';
import type { OptionQuote, OptionTrade } from '../options/options.models.js';
import { barItem, optionQuoteItem, optionTradeItem } from './market-reference.mapper.js';
import { barCheck, codes, history, latest, quoteCheck, tradeCheck } from './upstream-operation.js';

/** The option market-data operations of MARKET_OPERATIONS (market-operations.ts), in its order. */
export const OPTION_OPERATIONS = {
  optionBars: history<Bar>('optionBars', '/v1beta1/options/bars', 'bars', barItem, (b) => b.timestamp, null, barCheck),
  optionTrades: history<OptionTrade>(
    'OptionTrades',
    '/v1beta1/options/trades',
    'trades',
    optionTradeItem,
    (t) => t.timestamp,
    null,
    tradeCheck,
  ),
  optionLatestQuotes: latest<OptionQuote>(
    'OptionLatestQuotes',
    '/v1beta1/options/quotes/latest',
    'quotes',
    'alpaca_options_real_time',
    'options',
    optionQuoteItem,
    (q) => [q.timestamp],
    quoteCheck,
  ),
  optionLatestTrades: latest<OptionTrade>(
    'OptionLatestTrades',
    '/v1beta1/options/trades/latest',
    'trades',
    'alpaca_options_real_time',
    'options',
    optionTradeItem,
    (t) => [t.timestamp],
    tradeCheck,
  ),
  optionConditions: codes('OptionMetaConditions', '/v1beta1/options/meta/conditions/{ticktype}'),
  optionExchanges: codes('OptionMetaExchanges', '/v1beta1/options/meta/exchanges'),
} as const;
