import { z } from 'zod';
import { pageTokenSchema } from './wire-schema.js';

/*
 * Alpaca's stock wire format (alpaca-api.md §2–4, MD-SPEC `stock_quote`, `stock_trade`, `stock_bar`,
 * `stock_snapshot`), one-letter keys and all, as zod schemas; `alpaca.types.ts` derives the wire
 * types from them. Members are listed in the order they are checked, so the first issue reported
 * is the one the hand-written parsers reported.
 */

/** A finite JSON number (zod's number refuses NaN and ±Infinity, which msgpack could carry). */
const num = z.number();

/** uint64 trade id: an integer number, or the decimal string the client quotes long ids into. */
const TRADE_ID = 'an integer trade id';
const tradeId = z.union(
  [z.number({ error: TRADE_ID }).refine(Number.isInteger, { error: TRADE_ID }), z.string({ error: TRADE_ID }).regex(/^\d+$/, { error: TRADE_ID })],
  { error: TRADE_ID },
);

export const stockQuoteSchema = z.object({
  t: z.string(), bx: z.string(), bp: num, bs: num, ax: z.string(), ap: num, as: num, c: z.array(z.string()),
  /** Required by the spec but missing from some real payloads (alpaca-api.md §7.4); absent or null → null. */
  z: z.string().nullish(),
});

export const stockTradeSchema = z.object({
  /** `i` first: the hand-written parser checked the trade id before the other members. */
  i: tradeId,
  t: z.string(), x: z.string(), p: num, s: num, c: z.array(z.string()),
  z: z.string().nullish(), u: z.string().nullish(),
});

export const barSchema = z.object({
  t: z.string(), o: num, h: num, l: num, c: num, v: num, n: num.nullish(), vw: num.nullish(),
});

/** Each member absent, null or whole. */
export const stockSnapshotSchema = z.object({
  latestTrade: stockTradeSchema.nullish(),
  latestQuote: stockQuoteSchema.nullish(),
  minuteBar: barSchema.nullish(),
  dailyBar: barSchema.nullish(),
  prevDailyBar: barSchema.nullish(),
});

export const latestQuotesSchema = z.object({ quotes: z.record(z.string(), stockQuoteSchema) });
export const latestTradesSchema = z.object({ trades: z.record(z.string(), stockTradeSchema) });

/** Stock multi-snapshots are a bare map; unknown symbols may be absent or null. */
export const stockSnapshotsSchema = z.record(z.string(), stockSnapshotSchema.nullable());

/** An empty page may leave `bars` out (or null). */
export const barsPageSchema = z.object({
  bars: z.record(z.string(), z.array(barSchema)).nullish(),
  next_page_token: pageTokenSchema,
});

export const clockSchema = z.object({ is_open: z.boolean(), timestamp: z.string(), next_open: z.string(), next_close: z.string() });
