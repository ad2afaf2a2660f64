import { OPTION_OPERATIONS } from './option-operations.js';
import { REFERENCE_OPERATIONS } from './reference-operations.js';
import { STOCK_OPERATIONS } from './stock-operations.js';

export { feedFor, type FeedChoice, type UpstreamOperation } from './upstream-operation.js';

/**
 * The pass-through operations, by name. Multi-symbol endpoints are used even for one symbol (as
 * for quotes and bars): Alpaca's single-symbol forms answer the same data.
 */
export const MARKET_OPERATIONS = {
  ...STOCK_OPERATIONS,
  ...OPTION_OPERATIONS,
  ...REFERENCE_OPERATIONS,
} as const;
export { CORPORATE_ACTION_TYPES } from './market-reference.mapper.js';
