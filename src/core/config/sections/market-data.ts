import { z } from 'zod';
import { int } from './fields.js';

/** Market-data requests: batch sizes and the data-quality checks. */
export const marketDataSection = z
  .object({
    /** Largest `symbols[]` accepted by POST /stocks/quotes/batch. */
    STOCK_BATCH_MAX_SYMBOLS: int(100, 1, 1000),
    /** Largest `option_symbols[]` accepted by POST /options/quotes/batch (sent 100 per upstream call). */
    OPTIONS_BATCH_MAX_CONTRACTS: int(100, 1, 1000),
    /** Data quality: a timestamp this far ahead of now is flagged `future_timestamp`. */
    QUALITY_FUTURE_SKEW_SECONDS: int(5, 0, 3600),
    /** Data quality: a quote or trade older than this while the market is open is flagged `stale_timestamp`. */
    QUALITY_MAX_AGE_SECONDS: int(900, 1, 86_400),
  })
  .transform((v) => ({
    stockBatchMaxSymbols: v.STOCK_BATCH_MAX_SYMBOLS,
    optionsBatchMaxContracts: v.OPTIONS_BATCH_MAX_CONTRACTS,
    /** Data-quality checks: how far ahead a timestamp may be, how old while the market is open. */
    quality: { futureSkewSeconds: v.QUALITY_FUTURE_SKEW_SECONDS, maxAgeSeconds: v.QUALITY_MAX_AGE_SECONDS },
  }));
