import { AppError } from '../../core/errors/app-error.js';
import {
  batchItems,
  type BatchItem as GenericBatchItem,
  type BatchSummary,
} from '../../core/attribution/batch-result.js';
import type { SymbolPage, SymbolRecord } from '../../alpaca/reference/market-reference.models.js';

/* The shared shapes of pass-through answers: one page of history, and per-symbol batches. */

export interface PageInfo {
  has_more: boolean;
  /** Alpaca's token, passed through: send it back as page_token for the next page. */
  next_page_token: string | null;
  /** Items on this page. */
  count: number;
}

export function pageInfo(nextPageToken: string | null, count: number): PageInfo {
  return { has_more: nextPageToken !== null, next_page_token: nextPageToken, count };
}

/** What a history request says about itself, for its answer and its "no data" error. */
export interface HistoryRequest {
  start?: string;
  end?: string;
  page_token?: string;
}

/**
 * One symbol's page of history, `{ <symbolKey>, <itemsKey>: [...], page_info }`. A first page with
 * nothing and nowhere to go is HISTORICAL_DATA_UNAVAILABLE (as for bars); a later page may be empty.
 */
export function historyPage<T, SK extends string, IK extends string>(
  symbolKey: SK,
  itemsKey: IK,
  symbol: string,
  page: SymbolPage<T>,
  q: HistoryRequest,
  feed: string | null,
): Record<SK, string> & Record<IK, T[]> & { page_info: PageInfo } {
  const items = page.by_symbol[symbol] ?? [];
  if (items.length === 0 && page.next_page_token === null && q.page_token === undefined) {
    throw new AppError('HISTORICAL_DATA_UNAVAILABLE', {
      message: `Alpaca returned no ${itemsKey} for ${symbol} in the requested range.`,
      details: { [symbolKey]: symbol, start: q.start ?? null, end: q.end ?? null, feed },
    });
  }
  return { [symbolKey]: symbol, [itemsKey]: items, page_info: pageInfo(page.next_page_token, items.length) } as Record<
    SK,
    string
  > &
    Record<IK, T[]> & { page_info: PageInfo };
}

type MissingCode = 'SYMBOL_NOT_FOUND' | 'OPTION_DATA_UNAVAILABLE';

export type BatchItem<T> = GenericBatchItem<{ symbol: string } & T, MissingCode>;
export type { BatchSummary };

/**
 * Per-symbol answers of a multi-symbol call, in request order, like the quote batch: a symbol
 * Alpaca left out is an item with the catalog error, never a made-up value.
 */
export function symbolBatch<T extends object, K extends string>(
  key: K,
  missing: MissingCode,
  requested: string[],
  record: SymbolRecord<T>,
): Record<K, Array<BatchItem<T>>> & { summary: BatchSummary } {
  const { items, summary } = batchItems<{ symbol: string } & T, MissingCode>(requested, missing, (symbol) => {
    const item = Object.prototype.hasOwnProperty.call(record, symbol) ? record[symbol] : undefined;
    return item === undefined ? undefined : { symbol, ...item };
  });
  return { [key]: items, summary } as Record<K, Array<BatchItem<T>>> & { summary: BatchSummary };
}

/** One symbol out of a multi-symbol answer, or SYMBOL_NOT_FOUND when Alpaca left it out. */
export function oneSymbol<T extends object>(
  record: SymbolRecord<T>,
  symbol: string,
  feed: string | null,
): { symbol: string } & T {
  const item = Object.prototype.hasOwnProperty.call(record, symbol) ? record[symbol] : undefined;
  if (item === undefined) {
    throw new AppError('SYMBOL_NOT_FOUND', {
      message: `Alpaca returned no data for ${symbol} on the ${feed ?? 'default'} feed.`,
      details: { symbol, feed },
    });
  }
  return { symbol, ...item };
}
