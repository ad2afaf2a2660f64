/**
 * Alpaca's wire format (docs/alpaca-wire.md "REST shapes"), one-letter keys and all. These types never leave the
 * alpaca module: mappers turn them into our snake_case models.
 */
import type { z } from 'zod';
import type {
  barSchema,
  clockSchema,
  latestQuotesSchema,
  latestTradesSchema,
  stockQuoteSchema,
  stockSnapshotSchema,
  stockSnapshotsSchema,
  stockTradeSchema,
  luldSchema,
  tradeCancelErrorSchema,
  tradeCorrectionSchema,
  tradingStatusSchema,
} from './stock-wire-schemas.js';

/* The wire types are what the zod schemas accept (stock-wire-schemas.ts): one definition, no drift. */
export type WireStockQuote = z.infer<typeof stockQuoteSchema>;
/** `i` is a uint64; kept as a string when it would not fit a double exactly. */
export type WireStockTrade = z.infer<typeof stockTradeSchema>;
export type WireBar = z.infer<typeof barSchema>;
export type WireStockSnapshot = z.infer<typeof stockSnapshotSchema>;
export type WireLatestQuotes = z.infer<typeof latestQuotesSchema>;
export type WireLatestTrades = z.infer<typeof latestTradesSchema>;
/** Stock multi-snapshots are a bare map; unknown symbols may be absent or null. */
export type WireStockSnapshots = z.infer<typeof stockSnapshotsSchema>;
/** `next_page_token` as we pass it on: a non-empty string or null. */
export type WireBarsPage = { bars: Record<string, WireBar[]>; next_page_token: string | null };
export type WireClock = z.infer<typeof clockSchema>;
/* Stream-only stock messages (statuses, LULD bands, trade corrections and cancel/errors). */
export type WireTradingStatus = z.infer<typeof tradingStatusSchema>;
export type WireLuld = z.infer<typeof luldSchema>;
export type WireTradeCorrection = z.infer<typeof tradeCorrectionSchema>;
export type WireTradeCancelError = z.infer<typeof tradeCancelErrorSchema>;

/** Alpaca's error body; `code` is optional on market data and may be a string (docs/alpaca-wire.md "REST refusals"). */
export interface WireError {
  code?: number | string;
  message?: string;
}
