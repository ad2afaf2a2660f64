/**
 * Alpaca's options wire format (docs/alpaca-wire.md "Options data"). Like `stock-wire.types.ts`, these types
 * never leave the alpaca module: the option mapper turns them into our models. They are what the
 * zod schemas in options-wire-schemas.ts accept: one definition, no drift.
 */
import type { z } from 'zod';
import type {
  optionContractSchema,
  optionGreeksSchema,
  optionQuoteSchema,
  optionSnapshotSchema,
  optionTradeSchema,
} from './options-wire-schemas.js';

export type WireOptionQuote = z.infer<typeof optionQuoteSchema>;
export type WireOptionTrade = z.infer<typeof optionTradeSchema>;
export type WireOptionGreeks = z.infer<typeof optionGreeksSchema>;
/** Every member absent, null or whole; absent and null both mean "Alpaca has none". */
export type WireOptionSnapshot = z.infer<typeof optionSnapshotSchema>;

/** A page as we pass it on: null snapshots dropped, the token a non-empty string or null. */
export interface WireOptionSnapshotsPage {
  snapshots: Record<string, WireOptionSnapshot>;
  next_page_token: string | null;
}

/** TR-SPEC `OptionContract`; decimals are strings, open interest and close price may be null. */
export type WireOptionContract = z.infer<typeof optionContractSchema>;

export interface WireOptionContractsPage {
  option_contracts: WireOptionContract[];
  next_page_token: string | null;
}
