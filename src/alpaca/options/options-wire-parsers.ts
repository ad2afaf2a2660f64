import type {
  WireOptionContractsPage,
  WireOptionQuote,
  WireOptionSnapshot,
  WireOptionSnapshotsPage,
  WireOptionTrade,
} from './option-wire.types.js';
import {
  optionContractsPageSchema,
  optionQuoteSchema,
  optionSnapshotsPageSchema,
  optionTradeSchema,
} from './options-wire-schemas.js';
import { pageToken, parseWire } from '../http/wire-schema.js';

/* Options payloads checked by the zod schemas in options-wire-schemas.ts; a mismatch is UPSTREAM_INVALID_RESPONSE. */

export function parseOptionQuote(v: unknown, path: string): WireOptionQuote {
  return parseWire(optionQuoteSchema, v, path);
}

export function parseOptionTrade(v: unknown, path: string): WireOptionTrade {
  return parseWire(optionTradeSchema, v, path);
}

/** Snapshots by contract and chain pages. A null snapshot is dropped like an absent one. */
export function parseOptionSnapshotsPage(v: unknown): WireOptionSnapshotsPage {
  const page = parseWire(optionSnapshotsPageSchema, v, '$');
  const snapshots: Record<string, WireOptionSnapshot> = {};
  for (const [symbol, snapshot] of Object.entries(page.snapshots ?? {}))
    if (snapshot !== null && snapshot !== undefined) snapshots[symbol] = snapshot;
  return { snapshots, next_page_token: pageToken(page.next_page_token) };
}

export function parseOptionContractsPage(v: unknown): WireOptionContractsPage {
  const page = parseWire(optionContractsPageSchema, v, '$');
  return { option_contracts: page.option_contracts ?? [], next_page_token: pageToken(page.next_page_token) };
}
