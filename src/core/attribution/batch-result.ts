import { catalogEntry, type ErrorCode } from '../errors/error-catalog.js';

/** One symbol's answer in a multi-symbol request: its data, or the catalog error saying why not. */
export interface BatchItem<D, C extends ErrorCode> {
  symbol: string;
  status: 'success' | 'error';
  data: D | null;
  error: { code: C; message: string; type: string } | null;
}

export interface BatchSummary {
  total_requested: number;
  successful: number;
  failed: number;
}

/** With `duplicates_removed` when the request's list was de-duplicated before the upstream call. */
export interface DedupedBatchSummary extends BatchSummary {
  duplicates_removed: number;
}

/**
 * The items and summary of every batch answer (stock quotes, option quotes, the pass-through
 * multi-symbol routes), in request order: a symbol Alpaca left out is an item with the catalog
 * error `missing`, never a made-up value.
 */
export function batchItems<D, C extends ErrorCode>(
  symbols: readonly string[],
  missing: C,
  /** The symbol's data, or undefined when Alpaca had none; `index` is the symbol's place in `symbols`. */
  dataOf: (symbol: string, index: number) => D | undefined,
): { items: Array<BatchItem<D, C>>; summary: BatchSummary } {
  const entry = catalogEntry(missing);
  let successful = 0;
  const items = symbols.map((symbol, index): BatchItem<D, C> => {
    const data = dataOf(symbol, index);
    if (data === undefined)
      return {
        symbol,
        status: 'error',
        data: null,
        error: { code: missing, message: entry.message, type: entry.type },
      };
    successful += 1;
    return { symbol, status: 'success', data, error: null };
  });
  return { items, summary: { total_requested: symbols.length, successful, failed: symbols.length - successful } };
}

/** `batchItems` for a list de-duplicated from `sent` entries: the summary says how many were dropped. */
export function dedupedBatchItems<D, C extends ErrorCode>(
  symbols: readonly string[],
  sent: number,
  missing: C,
  dataOf: (symbol: string, index: number) => D | undefined,
): { items: Array<BatchItem<D, C>>; summary: DedupedBatchSummary } {
  const { items, summary } = batchItems(symbols, missing, dataOf);
  return { items, summary: { ...summary, duplicates_removed: sent - symbols.length } };
}
