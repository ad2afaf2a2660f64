import { z } from 'zod';
import { int } from './fields.js';

/** The market-data cache: its in-process size and the TTLs (seconds) by kind and market state. */
export const cacheSection = z
  .object({
    /** In-process cache size (entries). */
    CACHE_L1_MAX_ENTRIES: int(50000, 100, 10000000),
    CACHE_TTL_QUOTE_OPEN_S: int(5, 0),
    CACHE_TTL_SNAPSHOT_OPEN_S: int(5, 0),
    CACHE_TTL_OPTION_QUOTE_OPEN_S: int(15, 0),
    CACHE_TTL_CHAIN_OPEN_S: int(30, 0),
    /** Quotes, trades, snapshots and option quotes while the market is closed. */
    CACHE_TTL_QUOTE_CLOSED_S: int(300, 0),
    /** Chains (and contracts) while the market is closed. */
    CACHE_TTL_CHAIN_CLOSED_S: int(600, 0),
    CACHE_TTL_BARS_RECENT_S: int(60, 0),
    CACHE_TTL_BARS_PAST_S: int(86400, 0),
    /** News pages (articles arrive and are updated at any hour). */
    CACHE_TTL_NEWS_S: int(60, 0),
    /** Screeners (most actives, movers) while the market is open; closed: CACHE_TTL_QUOTE_CLOSED_S. */
    CACHE_TTL_SCREENER_OPEN_S: int(60, 0),
    /** Reference data that changes a few times a day at most: condition and exchange codes, assets, the calendar. */
    CACHE_TTL_REFERENCE_S: int(21600, 0),
  })
  .transform((v) => ({
    cache: {
      l1MaxEntries: v.CACHE_L1_MAX_ENTRIES,
      ttlSeconds: {
        quoteOpen: v.CACHE_TTL_QUOTE_OPEN_S,
        snapshotOpen: v.CACHE_TTL_SNAPSHOT_OPEN_S,
        optionQuoteOpen: v.CACHE_TTL_OPTION_QUOTE_OPEN_S,
        chainOpen: v.CACHE_TTL_CHAIN_OPEN_S,
        quoteClosed: v.CACHE_TTL_QUOTE_CLOSED_S,
        chainClosed: v.CACHE_TTL_CHAIN_CLOSED_S,
        barsRecent: v.CACHE_TTL_BARS_RECENT_S,
        barsPast: v.CACHE_TTL_BARS_PAST_S,
        news: v.CACHE_TTL_NEWS_S,
        screenerOpen: v.CACHE_TTL_SCREENER_OPEN_S,
        reference: v.CACHE_TTL_REFERENCE_S,
      },
    },
  }));
