import { z } from 'zod';
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
import { toOptionQuote, toOptionTrade } from '../options/option.mapper.js';
import { toBar, toStockQuote, toStockTrade } from '../stocks/stock.mapper.js';

import {
  assetSchema,
  calendarSchema,
  codeMapSchema,
  CORPORATE_ACTION_MEMBERS,
  corporateActionsPageSchema,
  dailyAuctionsSchema,
  mostActivesSchema,
  moversSchema,
  newsArticleSchema,
} from './market-reference-schemas.js';
import { optionQuoteSchema, optionTradeSchema } from '../options/options-wire-schemas.js';
import { barSchema, stockQuoteSchema, stockTradeSchema } from '../stocks/stock-wire-schemas.js';
import { pageToken, pageTokenSchema, parseWire } from '../http/wire-schema.js';

/*
 * Readers for the pass-through operations: each checks the shape Alpaca documents with a zod
 * schema (a mismatch is UPSTREAM_INVALID_RESPONSE naming the path) and maps it onto our model.
 * Renames only, no arithmetic; an optional member Alpaca left out is null, never a default.
 */

/** An item of a page: callable on its own, and carrying its schema so a whole page is checked in one pass. */
export interface Item<T> {
  (v: unknown, path: string): T;
  readonly schema: z.ZodType;
  /** Maps a value that `schema` accepted. */
  readonly map: (checked: unknown) => T;
}

function item<S extends z.ZodType, T>(schema: S, map: (w: z.output<S>) => T): Item<T> {
  // The cast is sound: `map` is only ever given a value `schema` accepted.
  return Object.assign((v: unknown, path: string) => map(parseWire(schema, v, path)), {
    schema,
    map: (checked: unknown) => map(checked as z.output<S>),
  });
}

/** `{<key>: {SYM: [item…]}, next_page_token}`: a page of a multi-symbol history endpoint. */
export function symbolPageReader<T>(key: string, read: Item<T>): (body: unknown) => SymbolPage<T> {
  // An empty page may leave the map out altogether.
  const schema = z.object({
    [key]: z.record(z.string(), z.array(read.schema)).nullish(),
    next_page_token: pageTokenSchema,
  });
  return (body) => {
    // The key is only known at run time, so the checked page is read through its two members' types.
    const page = parseWire(schema, body, '$') as Record<string, unknown>;
    const bySymbol: Record<string, T[]> = {};
    for (const [symbol, list] of Object.entries((page[key] ?? {}) as Record<string, unknown[]>))
      bySymbol[symbol] = list.map(read.map);
    return { by_symbol: bySymbol, next_page_token: pageToken(page['next_page_token'] as string | null | undefined) };
  };
}

/** `{<key>: {SYM: item}}`: a multi-symbol latest endpoint. */
export function symbolRecordReader<T>(key: string, read: Item<T>): (body: unknown) => SymbolRecord<T> {
  const schema = z.object({ [key]: z.record(z.string(), read.schema).nullish() });
  return (body) => {
    const record: Record<string, T> = {};
    for (const [symbol, v] of Object.entries(parseWire(schema, body, '$')[key] ?? {})) record[symbol] = read.map(v);
    return record;
  };
}

export const stockQuoteItem = item(stockQuoteSchema, toStockQuote);
export const stockTradeItem = item(stockTradeSchema, toStockTrade);
export const barItem = item(barSchema, toBar);
export const optionQuoteItem = item(optionQuoteSchema, toOptionQuote);
export const optionTradeItem = item(optionTradeSchema, toOptionTrade);

type WireAuction = z.output<typeof dailyAuctionsSchema>['o'][number];
const toAuction = (a: WireAuction): StockAuction => ({
  timestamp: a.t,
  exchange: a.x,
  price: a.p,
  size: a.s ?? null,
  condition: a.c,
});

/** MD-SPEC `stock_daily_auctions`: `d` the day, `o` the opening and `c` the closing auctions. */
export const dailyAuctionsItem: Item<DailyAuctions> = item(dailyAuctionsSchema, (d) => ({
  date: d.d,
  opens: d.o.map(toAuction),
  closes: d.c.map(toAuction),
}));

/** Condition or exchange codes: a flat map of strings. */
export function readCodeMap(body: unknown): CodeMap {
  return parseWire(codeMapSchema, body, '$');
}

const newsPageSchema = z.object({ news: z.array(newsArticleSchema).nullish(), next_page_token: pageTokenSchema });

export function readNewsPage(body: unknown): ListPage<NewsArticle> {
  const page = parseWire(newsPageSchema, body, '$');
  return {
    items: (page.news ?? []).map((a) => ({
      id: a.id,
      headline: a.headline,
      author: a.author,
      created_at: a.created_at,
      updated_at: a.updated_at,
      summary: a.summary,
      content: a.content,
      url: a.url ?? null,
      images: a.images.map((img) => ({ size: img.size, url: img.url })),
      symbols: a.symbols,
      source: a.source,
    })),
    next_page_token: pageToken(page.next_page_token),
  };
}

/** The corporate-action types Alpaca lists, as its `types` parameter spells them (singular). */
export const CORPORATE_ACTION_TYPES = Object.keys(CORPORATE_ACTION_MEMBERS).map((list) => list.replace(/s$/, ''));

/** Every member of the type in the table's order, null where Alpaca left it out. */
function toCorporateAction(list: string, checked: Record<string, unknown>): CorporateAction {
  const out: CorporateAction = {};
  for (const key of Object.keys(CORPORATE_ACTION_MEMBERS[list] ?? {}))
    out[key] = (checked[key] ?? null) as string | number | boolean | null;
  if (list === 'reorganizations') {
    const movements = checked['stock_movements'] as
      | { symbol: string; cusip: string; isin?: string | null; new_rate: number; source_rate: number }[]
      | null
      | undefined;
    out['stock_movements'] =
      movements === undefined || movements === null
        ? null
        : movements.map((m) => ({
            symbol: m.symbol,
            cusip: m.cusip,
            isin: m.isin ?? null,
            new_rate: m.new_rate,
            source_rate: m.source_rate,
          }));
  }
  return out;
}

export function readCorporateActionsPage(body: unknown): CorporateActionsPage {
  const page = parseWire(corporateActionsPageSchema, body, '$');
  const lists = (page.corporate_actions ?? {}) as Record<string, Record<string, unknown>[] | null | undefined>;
  const corporateActions: CorporateActionsPage['corporate_actions'] = {};
  for (const list of Object.keys(CORPORATE_ACTION_MEMBERS)) {
    const raw = lists[list];
    corporateActions[list] = raw === undefined || raw === null ? null : raw.map((x) => toCorporateAction(list, x));
  }
  return { corporate_actions: corporateActions, next_page_token: pageToken(page.next_page_token) };
}

export function readMostActives(body: unknown): MostActives {
  const m = parseWire(mostActivesSchema, body, '$');
  return {
    most_actives: m.most_actives.map((a) => ({ symbol: a.symbol, volume: a.volume, trade_count: a.trade_count })),
    last_updated: m.last_updated,
  };
}

export function readMovers(body: unknown): Movers {
  const m = parseWire(moversSchema, body, '$');
  const mover = (x: Movers['gainers'][number]): Movers['gainers'][number] => ({
    symbol: x.symbol,
    percent_change: x.percent_change,
    change: x.change,
    price: x.price,
  });
  return {
    gainers: m.gainers.map(mover),
    losers: m.losers.map(mover),
    market_type: m.market_type,
    last_updated: m.last_updated,
  };
}

export const assetItem: Item<Asset> = item(assetSchema, (o) => ({
  id: o.id,
  asset_class: o.class,
  exchange: o.exchange,
  symbol: o.symbol,
  name: o.name,
  status: o.status,
  tradable: o.tradable,
  marginable: o.marginable,
  shortable: o.shortable,
  easy_to_borrow: o.easy_to_borrow,
  fractionable: o.fractionable,
  cusip: o.cusip ?? null,
  attributes: o.attributes ?? null,
  borrow_status: o.borrow_status ?? null,
  margin_requirement_long: o.margin_requirement_long ?? null,
  margin_requirement_short: o.margin_requirement_short ?? null,
  maintenance_margin_requirement: o.maintenance_margin_requirement ?? null,
  min_order_size: o.min_order_size ?? null,
  min_trade_increment: o.min_trade_increment ?? null,
  price_increment: o.price_increment ?? null,
}));

const assetsSchema = z.array(assetSchema);

export function readAssets(body: unknown): Asset[] {
  return parseWire(assetsSchema, body, '$').map(assetItem.map);
}

export function readAsset(body: unknown): Asset {
  return assetItem(body, '$');
}

export function readCalendar(body: unknown): CalendarDay[] {
  return parseWire(calendarSchema, body, '$').map((o) => ({
    date: o.date,
    open: o.open,
    close: o.close,
    session_open: o.session_open,
    session_close: o.session_close,
    settlement_date: o.settlement_date ?? null,
  }));
}
