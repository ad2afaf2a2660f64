import { z } from 'zod';

/*
 * Schemas of the pass-through payloads (MD-SPEC news, corporate actions, screener, auctions; TR-SPEC
 * assets and calendar). Checks only, no coercion or defaults; market-reference.mapper.ts renames the
 * checked values onto our models and turns absent optional members into null.
 */

const str = z.string();
const num = z.number();
const optStr = z.string().nullish();
const optNum = z.number().nullish();

/** MD-SPEC `stock_daily_auctions`: `d` the day, `o` the opening and `c` the closing auctions. */
const auctionSchema = z.object({ t: str, x: str, p: num, s: optNum, c: str });
export const dailyAuctionsSchema = z.object({ d: str, o: z.array(auctionSchema), c: z.array(auctionSchema) });

/** Condition or exchange codes: a flat map of strings. */
export const codeMapSchema = z.record(z.string(), z.string());

export const newsArticleSchema = z.object({
  id: z.number({ error: 'an integer' }).refine(Number.isInteger, { error: 'an integer' }),
  headline: str,
  author: str,
  created_at: str,
  updated_at: str,
  summary: str,
  content: str,
  url: optStr,
  images: z.array(z.object({ size: str, url: str })),
  symbols: z.array(z.string()),
  source: str,
});

type Kind = 's' | 'n' | 'b';
/** Members of each corporate-action type (MD-SPEC): `!` marks the required ones. */
export const CORPORATE_ACTION_MEMBERS: Record<string, Record<string, `${Kind}` | `${Kind}!`>> = (() => {
  const common = { id: 's!', process_date: 's!', currency: 's', payable_date: 's' } as const;
  return {
    cash_dividends: {
      ...common,
      symbol: 's!',
      cusip: 's!',
      isin: 's',
      rate: 'n!',
      special: 'b!',
      foreign: 'b!',
      ex_date: 's!',
      record_date: 's',
      due_bill_on_date: 's',
      due_bill_off_date: 's',
      sub_type: 's',
    },
    cash_mergers: {
      ...common,
      acquirer_symbol: 's',
      acquirer_cusip: 's',
      acquirer_isin: 's',
      acquiree_symbol: 's!',
      acquiree_cusip: 's!',
      acquiree_isin: 's',
      rate: 'n!',
      effective_date: 's!',
    },
    forward_splits: {
      ...common,
      symbol: 's!',
      cusip: 's!',
      isin: 's',
      new_rate: 'n!',
      old_rate: 'n!',
      ex_date: 's!',
      record_date: 's',
      due_bill_redemption_date: 's',
    },
    name_changes: {
      id: 's!',
      process_date: 's!',
      currency: 's',
      old_symbol: 's!',
      old_cusip: 's!',
      old_isin: 's',
      new_symbol: 's!',
      new_cusip: 's!',
      new_isin: 's',
    },
    partial_calls: {
      ...common,
      symbol: 's!',
      cusip: 's',
      isin: 's',
      record_date: 's',
      dividend_rate: 'n',
      price: 'n',
      lottery_date: 's',
      lottery_type: 's',
      results_publication_date: 's',
    },
    redemptions: { ...common, symbol: 's!', cusip: 's!', isin: 's', rate: 'n!' },
    reorganizations: { ...common, symbol: 's!', cusip: 's!', isin: 's', effective_date: 's!', cash_rate: 'n' },
    reverse_splits: {
      ...common,
      symbol: 's!',
      old_cusip: 's!',
      old_isin: 's',
      new_cusip: 's!',
      new_isin: 's',
      new_symbol: 's',
      new_rate: 'n!',
      old_rate: 'n!',
      ex_date: 's!',
      record_date: 's',
    },
    rights_distributions: {
      ...common,
      source_symbol: 's!',
      source_cusip: 's!',
      source_isin: 's',
      new_symbol: 's!',
      new_cusip: 's!',
      new_isin: 's',
      rate: 'n!',
      ex_date: 's!',
      payable_date: 's!',
      record_date: 's',
      expiration_date: 's',
    },
    spin_offs: {
      ...common,
      source_symbol: 's!',
      source_cusip: 's!',
      source_isin: 's',
      source_rate: 'n!',
      new_symbol: 's!',
      new_cusip: 's!',
      new_isin: 's',
      new_rate: 'n!',
      ex_date: 's!',
      record_date: 's',
      due_bill_redemption_date: 's',
    },
    stock_and_cash_mergers: {
      ...common,
      acquirer_symbol: 's!',
      acquirer_cusip: 's!',
      acquirer_isin: 's',
      acquirer_rate: 'n!',
      acquiree_symbol: 's!',
      acquiree_cusip: 's!',
      acquiree_isin: 's',
      acquiree_rate: 'n!',
      cash_rate: 'n!',
      effective_date: 's!',
    },
    stock_dividends: { ...common, symbol: 's!', cusip: 's!', isin: 's', rate: 'n!', ex_date: 's!', record_date: 's' },
    stock_mergers: {
      ...common,
      acquirer_symbol: 's!',
      acquirer_cusip: 's!',
      acquirer_isin: 's',
      acquirer_rate: 'n!',
      acquiree_symbol: 's!',
      acquiree_cusip: 's!',
      acquiree_isin: 's',
      acquiree_rate: 'n!',
      effective_date: 's!',
    },
    unit_splits: {
      ...common,
      old_symbol: 's!',
      old_cusip: 's!',
      old_isin: 's',
      old_rate: 'n!',
      new_symbol: 's!',
      new_cusip: 's!',
      new_isin: 's',
      new_rate: 'n!',
      alternate_symbol: 's!',
      alternate_cusip: 's!',
      alternate_isin: 's',
      alternate_rate: 'n!',
      effective_date: 's!',
    },
    worthless_removals: { id: 's!', process_date: 's!', currency: 's', symbol: 's!', cusip: 's!', isin: 's' },
  };
})();

const KIND_SCHEMAS: Record<Kind, z.ZodType<string | number | boolean>> = {
  s: z.string(),
  n: z.number(),
  b: z.boolean(),
};

const stockMovementSchema = z.object({ symbol: str, cusip: str, isin: optStr, new_rate: num, source_rate: num });

/** One schema per corporate-action list, built from the member table (reorganizations also carry stock movements). */
function corporateActionSchema(list: string): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [key, kind] of Object.entries(CORPORATE_ACTION_MEMBERS[list] ?? {})) {
    const base = KIND_SCHEMAS[kind[0] as Kind];
    shape[key] = kind.endsWith('!') ? base : base.nullish();
  }
  if (list === 'reorganizations') shape['stock_movements'] = z.array(stockMovementSchema).nullish();
  return z.object(shape);
}

export const corporateActionsPageSchema = z.object({
  corporate_actions: z
    .object(
      Object.fromEntries(
        Object.keys(CORPORATE_ACTION_MEMBERS).map((list) => [list, z.array(corporateActionSchema(list)).nullish()]),
      ),
    )
    .nullish(),
  next_page_token: z.string({ error: 'a string or null' }).nullish(),
});

export const mostActivesSchema = z.object({
  most_actives: z.array(z.object({ symbol: str, volume: num, trade_count: num })),
  last_updated: str,
});

const moverSchema = z.object({ symbol: str, percent_change: num, change: num, price: num });
export const moversSchema = z.object({
  gainers: z.array(moverSchema),
  losers: z.array(moverSchema),
  market_type: str,
  last_updated: str,
});

/** TR-SPEC `Assets`: decimals (margin requirements, increments) are strings. */
export const assetSchema = z.object({
  id: str,
  class: str,
  exchange: str,
  symbol: str,
  name: str,
  status: str,
  tradable: z.boolean(),
  marginable: z.boolean(),
  shortable: z.boolean(),
  easy_to_borrow: z.boolean(),
  fractionable: z.boolean(),
  cusip: optStr,
  attributes: z.array(z.string()).nullish(),
  borrow_status: optStr,
  margin_requirement_long: optStr,
  margin_requirement_short: optStr,
  maintenance_margin_requirement: optNum,
  min_order_size: optStr,
  min_trade_increment: optStr,
  price_increment: optStr,
});

export const calendarSchema = z.array(
  z.object({ date: str, open: str, close: str, session_open: str, session_close: str, settlement_date: optStr }),
);
