import { z } from 'zod';
import { pageTokenSchema } from '../http/wire-schema.js';

/*
 * Alpaca's options wire format (docs/alpaca-wire.md "Options data"; MD-SPEC `option_*`, TR-SPEC
 * `OptionContract`) as zod schemas; `option-wire.types.ts` derives the wire types from them.
 * Checks only: no coercion, no defaults. Members are listed in the order they are checked.
 */

/** MD-SPEC `option_quote`: `c` is one string (not an array) and there is no `z`. */
export const optionQuoteSchema = z.object({
  t: z.string(),
  bx: z.string(),
  bp: z.number(),
  bs: z.number(),
  ax: z.string(),
  ap: z.number(),
  as: z.number(),
  c: z.string(),
});

/** MD-SPEC `option_trade`: `c` is one string; no `i`, no `z`. */
export const optionTradeSchema = z.object({
  t: z.string(),
  x: z.string(),
  p: z.number(),
  s: z.number(),
  c: z.string(),
});

/** MD-SPEC `option_greeks`: all five members are required when the object is there. */
export const optionGreeksSchema = z.object({
  delta: z.number(),
  gamma: z.number(),
  theta: z.number(),
  vega: z.number(),
  rho: z.number(),
});

/**
 * MD-SPEC `option_snapshot`: every member optional; absent and null both mean "Alpaca has none".
 * `impliedVolatility` is a sibling of `greeks`, not inside it. The bar members the 2026 spec added
 * are not part of our contract and are not read.
 */
export const optionSnapshotSchema = z.object({
  latestQuote: optionQuoteSchema.nullish(),
  latestTrade: optionTradeSchema.nullish(),
  greeks: optionGreeksSchema.nullish(),
  impliedVolatility: z.number().nullish(),
});

/** Snapshots by contract and the chain share one envelope; an empty page may leave `snapshots` out. */
export const optionSnapshotsPageSchema = z.object({
  snapshots: z.record(z.string(), optionSnapshotSchema.nullable()).nullish(),
  next_page_token: pageTokenSchema,
});

/** TR-SPEC `OptionContract`; decimals are strings, open interest and close price may be null. */
export const optionContractSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  name: z.string(),
  status: z.string(),
  tradable: z.boolean(),
  expiration_date: z.string(),
  root_symbol: z.string().nullish(),
  underlying_symbol: z.string(),
  underlying_asset_id: z.string(),
  type: z.string(),
  style: z.string(),
  strike_price: z.string(),
  multiplier: z.string(),
  size: z.string(),
  open_interest: z.string().nullish(),
  open_interest_date: z.string().nullish(),
  close_price: z.string().nullish(),
  close_price_date: z.string().nullish(),
});

export const optionContractsPageSchema = z.object({
  option_contracts: z.array(optionContractSchema).nullish(),
  next_page_token: pageTokenSchema,
});
