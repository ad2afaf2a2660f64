import { z } from 'zod';
import { pageTokenSchema } from '../http/wire-schema.js';

/*
 * Alpaca's stock wire format (docs/alpaca-wire.md "REST shapes", MD-SPEC `stock_quote`, `stock_trade`, `stock_bar`,
 * `stock_snapshot`), one-letter keys and all, as zod schemas; `stock-wire.types.ts` derives the wire
 * types from them. Members are listed in the order they are checked, so the first issue reported
 * is the one the hand-written parsers reported.
 */

/** A finite JSON number (zod's number refuses NaN and ±Infinity, which msgpack could carry). */
const num = z.number();

/** uint64 trade id: an integer number, or the decimal string the client quotes long ids into. */
const TRADE_ID = 'an integer trade id';
const tradeId = z.union(
  [
    z.number({ error: TRADE_ID }).refine(Number.isInteger, { error: TRADE_ID }),
    z.string({ error: TRADE_ID }).regex(/^\d+$/, { error: TRADE_ID }),
  ],
  { error: TRADE_ID },
);

export const stockQuoteSchema = z.object({
  t: z.string(),
  bx: z.string(),
  bp: num,
  bs: num,
  ax: z.string(),
  ap: num,
  as: num,
  c: z.array(z.string()),
  /** Required by the spec but missing from some real payloads (Alpaca's example §7.4, docs/alpaca-wire.md "Documented examples"); absent or null → null. */
  z: z.string().nullish(),
});

export const stockTradeSchema = z.object({
  /** `i` first: the hand-written parser checked the trade id before the other members. */
  i: tradeId,
  t: z.string(),
  x: z.string(),
  p: num,
  s: num,
  c: z.array(z.string()),
  z: z.string().nullish(),
  u: z.string().nullish(),
});

export const barSchema = z.object({
  t: z.string(),
  o: num,
  h: num,
  l: num,
  c: num,
  v: num,
  n: num.nullish(),
  vw: num.nullish(),
});

/*
 * Stream-only stock messages (docs/alpaca-wire.md "Market-data stream messages"): trading statuses `s`, LULD bands `l`,
 * trade corrections `c` and cancel/errors `x`. Updated (`u`) and daily (`d`) bars are barSchema.
 */

/** A trading status (halt, resumption, …): the codes as Alpaca sent them; only the status code is required. */
export const tradingStatusSchema = z.object({
  sc: z.string(),
  sm: z.string().nullish(),
  rc: z.string().nullish(),
  rm: z.string().nullish(),
  t: z.string(),
  z: z.string().nullish(),
});

/** A limit up-limit down price band. */
export const luldSchema = z.object({ u: num, d: num, i: z.string().nullish(), t: z.string(), z: z.string().nullish() });

/** A trade correction: the original trade and the corrected one (ids uint64, as trades'). */
export const tradeCorrectionSchema = z.object({
  x: z.string(),
  oi: tradeId,
  op: num,
  os: num,
  oc: z.array(z.string()),
  ci: tradeId,
  cp: num,
  cs: num,
  cc: z.array(z.string()),
  t: z.string(),
  z: z.string().nullish(),
});

/** A trade canceled or flagged as an error (`a`: `C` cancel, `E` error). */
export const tradeCancelErrorSchema = z.object({
  i: tradeId,
  x: z.string(),
  p: num,
  s: num,
  a: z.string(),
  t: z.string(),
  z: z.string().nullish(),
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

export const clockSchema = z.object({
  is_open: z.boolean(),
  timestamp: z.string(),
  next_open: z.string(),
  next_close: z.string(),
});
