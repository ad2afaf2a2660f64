import type { SymbolPage, SymbolRecord } from '../../alpaca/reference/market-reference.models.js';
import type { WireObject } from './stock-wire.js';

/*
 * Alpaca's envelopes of the multi-symbol endpoints, around items already rendered in Alpaca's
 * names. Maps are built with Object.fromEntries (own properties only, whatever a key spells).
 */

/** `{<key>: {SYM: [item…]}, next_page_token}`: a history page; a symbol with nothing on the page is left out, as Alpaca leaves it out. */
export function wireHistoryPage<T>(key: string, page: SymbolPage<T>, render: (item: T) => WireObject): WireObject {
  const entries = Object.entries(page.by_symbol).filter(([, items]) => items.length > 0);
  return {
    [key]: Object.fromEntries(entries.map(([symbol, items]) => [symbol, items.map(render)])),
    next_page_token: page.next_page_token,
  };
}

/** `{symbol, <key>: [item…], next_page_token}`: the single-symbol form of a history page. */
export function wireSingleHistoryPage<T>(
  key: string,
  symbol: string,
  page: SymbolPage<T>,
  render: (item: T) => WireObject,
): WireObject {
  const items = Object.prototype.hasOwnProperty.call(page.by_symbol, symbol) ? (page.by_symbol[symbol] ?? []) : [];
  return { symbol, [key]: items.map(render), next_page_token: page.next_page_token };
}

/** `{<key>: {SYM: item}}`: latest values; a symbol Alpaca had nothing for is absent, never a zero. */
export function wireLatest<T>(key: string, record: SymbolRecord<T>, render: (item: T) => WireObject): WireObject {
  return { [key]: Object.fromEntries(Object.entries(record).map(([symbol, item]) => [symbol, render(item)])) };
}

/** Alpaca echoes `currency` only when the request named one (the gateway serves USD only). */
export function withCurrency(body: WireObject, currency: string | undefined): WireObject {
  return currency === undefined ? body : { ...body, currency: currency.toUpperCase() };
}
