import type { Bar, StockQuote, StockTrade } from './market-data.models.js';
import type { OptionQuote, OptionTrade } from './options.models.js';
import type {
  Asset,
  CalendarDay,
  CodeMap,
  CorporateAction,
  CorporateActionsPage,
  DailyAuctions,
  ListPage,
  MostActives,
  Movers,
  NewsArticle,
  StockAuction,
  SymbolPage,
  SymbolRecord,
} from './market-reference.models.js';
import { parseOptionQuote, parseOptionTrade } from './options-wire-parsers.js';
import { toOptionQuote, toOptionTrade } from './option.mapper.js';
import { toBar, toStockQuote, toStockTrade } from './stock.mapper.js';
import { mapOf, nextPageToken, num, object, optNum, optStr, parseBar, parseStockQuote, parseStockTrade, str, WireFormatError, type Obj } from './wire-parsers.js';

/*
 * Readers for the pass-through operations: each checks the shape Alpaca documents (a mismatch is
 * UPSTREAM_INVALID_RESPONSE) and maps it onto our model. Renames only, no arithmetic; an optional
 * member Alpaca left out is null, never a default.
 */

type Item<T> = (v: unknown, path: string) => T;

function array<T>(v: unknown, path: string, item: Item<T>): T[] {
  if (!Array.isArray(v)) throw new WireFormatError(path, 'an array');
  return v.map((x, i) => item(x, `${path}[${i}]`));
}

function bool(o: Obj, key: string, path: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') throw new WireFormatError(`${path}.${key}`, 'a boolean');
  return v;
}

function strings(o: Obj, key: string, path: string): string[] {
  const v = o[key];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new WireFormatError(`${path}.${key}`, 'an array of strings');
  return [...v];
}

/** `{<key>: {SYM: [item…]}, next_page_token}`: a page of a multi-symbol history endpoint. */
export function symbolPageReader<T>(key: string, item: Item<T>): (body: unknown) => SymbolPage<T> {
  return (body) => {
    const o = object(body, '$');
    // An empty page may leave the map out altogether.
    const bySymbol = mapOf(o[key] ?? {}, `$.${key}`, (list, p) => array(list, p, item));
    return { by_symbol: bySymbol, next_page_token: nextPageToken(o) };
  };
}

/** `{<key>: {SYM: item}}`: a multi-symbol latest endpoint. */
export function symbolRecordReader<T>(key: string, item: Item<T>): (body: unknown) => SymbolRecord<T> {
  return (body) => mapOf(object(body, '$')[key] ?? {}, `$.${key}`, item);
}

export const stockQuoteItem: Item<StockQuote> = (v, p) => toStockQuote(parseStockQuote(v, p));
export const stockTradeItem: Item<StockTrade> = (v, p) => toStockTrade(parseStockTrade(v, p));
export const barItem: Item<Bar> = (v, p) => toBar(parseBar(v, p));
export const optionQuoteItem: Item<OptionQuote> = (v, p) => toOptionQuote(parseOptionQuote(v, p));
export const optionTradeItem: Item<OptionTrade> = (v, p) => toOptionTrade(parseOptionTrade(v, p));

function toAuction(v: unknown, path: string): StockAuction {
  const o = object(v, path);
  return { timestamp: str(o, 't', path), exchange: str(o, 'x', path), price: num(o, 'p', path), size: optNum(o, 's', path) ?? null, condition: str(o, 'c', path) };
}

/** MD-SPEC `stock_daily_auctions`: `d` the day, `o` the opening and `c` the closing auctions. */
export const dailyAuctionsItem: Item<DailyAuctions> = (v, path) => {
  const o = object(v, path);
  return { date: str(o, 'd', path), opens: array(o['o'], `${path}.o`, toAuction), closes: array(o['c'], `${path}.c`, toAuction) };
};

/** Condition or exchange codes: a flat map of strings. */
export function readCodeMap(body: unknown): CodeMap {
  return mapOf(body, '$', (v, p) => {
    if (typeof v !== 'string') throw new WireFormatError(p, 'a string');
    return v;
  });
}

function toNewsArticle(v: unknown, path: string): NewsArticle {
  const o = object(v, path);
  const id = o['id'];
  if (typeof id !== 'number' || !Number.isInteger(id)) throw new WireFormatError(`${path}.id`, 'an integer');
  return {
    id,
    headline: str(o, 'headline', path),
    author: str(o, 'author', path),
    created_at: str(o, 'created_at', path),
    updated_at: str(o, 'updated_at', path),
    summary: str(o, 'summary', path),
    content: str(o, 'content', path),
    url: optStr(o, 'url', path) ?? null,
    images: array(o['images'], `${path}.images`, (x, p) => {
      const img = object(x, p);
      return { size: str(img, 'size', p), url: str(img, 'url', p) };
    }),
    symbols: strings(o, 'symbols', path),
    source: str(o, 'source', path),
  };
}

export function readNewsPage(body: unknown): ListPage<NewsArticle> {
  const o = object(body, '$');
  return { items: array(o['news'] ?? [], '$.news', toNewsArticle), next_page_token: nextPageToken(o) };
}

type Kind = 's' | 'n' | 'b';
/** Members of each corporate-action type (MD-SPEC): `!` marks the required ones. */
const CORPORATE_ACTION_MEMBERS: Record<string, Record<string, `${Kind}` | `${Kind}!`>> = (() => {
  const common = { id: 's!', process_date: 's!', currency: 's', payable_date: 's' } as const;
  return {
    cash_dividends: { ...common, symbol: 's!', cusip: 's!', isin: 's', rate: 'n!', special: 'b!', foreign: 'b!', ex_date: 's!', record_date: 's', due_bill_on_date: 's', due_bill_off_date: 's', sub_type: 's' },
    cash_mergers: { ...common, acquirer_symbol: 's', acquirer_cusip: 's', acquirer_isin: 's', acquiree_symbol: 's!', acquiree_cusip: 's!', acquiree_isin: 's', rate: 'n!', effective_date: 's!' },
    forward_splits: { ...common, symbol: 's!', cusip: 's!', isin: 's', new_rate: 'n!', old_rate: 'n!', ex_date: 's!', record_date: 's', due_bill_redemption_date: 's' },
    name_changes: { id: 's!', process_date: 's!', currency: 's', old_symbol: 's!', old_cusip: 's!', old_isin: 's', new_symbol: 's!', new_cusip: 's!', new_isin: 's' },
    partial_calls: { ...common, symbol: 's!', cusip: 's', isin: 's', record_date: 's', dividend_rate: 'n', price: 'n', lottery_date: 's', lottery_type: 's', results_publication_date: 's' },
    redemptions: { ...common, symbol: 's!', cusip: 's!', isin: 's', rate: 'n!' },
    reorganizations: { ...common, symbol: 's!', cusip: 's!', isin: 's', effective_date: 's!', cash_rate: 'n' },
    reverse_splits: { ...common, symbol: 's!', old_cusip: 's!', old_isin: 's', new_cusip: 's!', new_isin: 's', new_symbol: 's', new_rate: 'n!', old_rate: 'n!', ex_date: 's!', record_date: 's' },
    rights_distributions: { ...common, source_symbol: 's!', source_cusip: 's!', source_isin: 's', new_symbol: 's!', new_cusip: 's!', new_isin: 's', rate: 'n!', ex_date: 's!', payable_date: 's!', record_date: 's', expiration_date: 's' },
    spin_offs: { ...common, source_symbol: 's!', source_cusip: 's!', source_isin: 's', source_rate: 'n!', new_symbol: 's!', new_cusip: 's!', new_isin: 's', new_rate: 'n!', ex_date: 's!', record_date: 's', due_bill_redemption_date: 's' },
    stock_and_cash_mergers: { ...common, acquirer_symbol: 's!', acquirer_cusip: 's!', acquirer_isin: 's', acquirer_rate: 'n!', acquiree_symbol: 's!', acquiree_cusip: 's!', acquiree_isin: 's', acquiree_rate: 'n!', cash_rate: 'n!', effective_date: 's!' },
    stock_dividends: { ...common, symbol: 's!', cusip: 's!', isin: 's', rate: 'n!', ex_date: 's!', record_date: 's' },
    stock_mergers: { ...common, acquirer_symbol: 's!', acquirer_cusip: 's!', acquirer_isin: 's', acquirer_rate: 'n!', acquiree_symbol: 's!', acquiree_cusip: 's!', acquiree_isin: 's', acquiree_rate: 'n!', effective_date: 's!' },
    unit_splits: { ...common, old_symbol: 's!', old_cusip: 's!', old_isin: 's', old_rate: 'n!', new_symbol: 's!', new_cusip: 's!', new_isin: 's', new_rate: 'n!', alternate_symbol: 's!', alternate_cusip: 's!', alternate_isin: 's', alternate_rate: 'n!', effective_date: 's!' },
    worthless_removals: { id: 's!', process_date: 's!', currency: 's', symbol: 's!', cusip: 's!', isin: 's' },
  };
})();

/** The corporate-action types Alpaca lists, as its `types` parameter spells them (singular). */
export const CORPORATE_ACTION_TYPES = Object.keys(CORPORATE_ACTION_MEMBERS).map((list) => list.replace(/s$/, ''));

function member(o: Obj, key: string, kind: string, path: string): string | number | boolean | null {
  const required = kind.endsWith('!');
  if (!required && (o[key] === undefined || o[key] === null)) return null;
  if (kind.startsWith('s')) return str(o, key, path);
  if (kind.startsWith('n')) return num(o, key, path);
  return bool(o, key, path);
}

function toCorporateAction(list: string, v: unknown, path: string): CorporateAction {
  const o = object(v, path);
  const out: CorporateAction = {};
  for (const [key, kind] of Object.entries(CORPORATE_ACTION_MEMBERS[list] ?? {})) out[key] = member(o, key, kind, path);
  if (list === 'reorganizations') {
    out['stock_movements'] =
      o['stock_movements'] === undefined || o['stock_movements'] === null
        ? null
        : array(o['stock_movements'], `${path}.stock_movements`, (x, p) => {
            const m = object(x, p);
            return { symbol: str(m, 'symbol', p), cusip: str(m, 'cusip', p), isin: optStr(m, 'isin', p) ?? null, new_rate: num(m, 'new_rate', p), source_rate: num(m, 'source_rate', p) };
          });
  }
  return out;
}

export function readCorporateActionsPage(body: unknown): CorporateActionsPage {
  const o = object(body, '$');
  const lists = object(o['corporate_actions'] ?? {}, '$.corporate_actions');
  const corporateActions: CorporateActionsPage['corporate_actions'] = {};
  for (const list of Object.keys(CORPORATE_ACTION_MEMBERS)) {
    const raw = lists[list];
    corporateActions[list] = raw === undefined || raw === null ? null : array(raw, `$.corporate_actions.${list}`, (x, p) => toCorporateAction(list, x, p));
  }
  return { corporate_actions: corporateActions, next_page_token: nextPageToken(o) };
}

export function readMostActives(body: unknown): MostActives {
  const o = object(body, '$');
  return {
    most_actives: array(o['most_actives'], '$.most_actives', (x, p) => {
      const m = object(x, p);
      return { symbol: str(m, 'symbol', p), volume: num(m, 'volume', p), trade_count: num(m, 'trade_count', p) };
    }),
    last_updated: str(o, 'last_updated', '$'),
  };
}

export function readMovers(body: unknown): Movers {
  const o = object(body, '$');
  const mover: Item<Movers['gainers'][number]> = (x, p) => {
    const m = object(x, p);
    return { symbol: str(m, 'symbol', p), percent_change: num(m, 'percent_change', p), change: num(m, 'change', p), price: num(m, 'price', p) };
  };
  return {
    gainers: array(o['gainers'], '$.gainers', mover),
    losers: array(o['losers'], '$.losers', mover),
    market_type: str(o, 'market_type', '$'),
    last_updated: str(o, 'last_updated', '$'),
  };
}

export const assetItem: Item<Asset> = (v, path) => {
  const o = object(v, path);
  return {
    id: str(o, 'id', path),
    asset_class: str(o, 'class', path),
    exchange: str(o, 'exchange', path),
    symbol: str(o, 'symbol', path),
    name: str(o, 'name', path),
    status: str(o, 'status', path),
    tradable: bool(o, 'tradable', path),
    marginable: bool(o, 'marginable', path),
    shortable: bool(o, 'shortable', path),
    easy_to_borrow: bool(o, 'easy_to_borrow', path),
    fractionable: bool(o, 'fractionable', path),
    cusip: optStr(o, 'cusip', path) ?? null,
    attributes: o['attributes'] === undefined || o['attributes'] === null ? null : strings(o, 'attributes', path),
    borrow_status: optStr(o, 'borrow_status', path) ?? null,
    margin_requirement_long: optStr(o, 'margin_requirement_long', path) ?? null,
    margin_requirement_short: optStr(o, 'margin_requirement_short', path) ?? null,
    maintenance_margin_requirement: optNum(o, 'maintenance_margin_requirement', path) ?? null,
    min_order_size: optStr(o, 'min_order_size', path) ?? null,
    min_trade_increment: optStr(o, 'min_trade_increment', path) ?? null,
    price_increment: optStr(o, 'price_increment', path) ?? null,
  };
};

export function readAssets(body: unknown): Asset[] {
  return array(body, '$', assetItem);
}

export function readAsset(body: unknown): Asset {
  return assetItem(body, '$');
}

export function readCalendar(body: unknown): CalendarDay[] {
  return array(body, '$', (x, p) => {
    const o = object(x, p);
    return {
      date: str(o, 'date', p), open: str(o, 'open', p), close: str(o, 'close', p),
      session_open: str(o, 'session_open', p), session_close: str(o, 'session_close', p),
      settlement_date: optStr(o, 'settlement_date', p) ?? null,
    };
  });
}
