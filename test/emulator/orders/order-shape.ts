/**
 * The complete TR-SPEC `Order` field set with every optional member null, so fixture orders
 * and orders created by POST /v2/orders always carry the same keys (Alpaca sends null for unset
 * fields rather than omitting them; §4.3).
 */
export function blankOrder(): Record<string, unknown> {
  return {
    id: null,
    client_order_id: null,
    created_at: null,
    updated_at: null,
    submitted_at: null,
    filled_at: null,
    expired_at: null,
    expires_at: null,
    canceled_at: null,
    failed_at: null,
    replaced_at: null,
    replaced_by: null,
    replaces: null,
    asset_id: null,
    symbol: null,
    asset_class: null,
    notional: null,
    qty: null,
    filled_qty: '0',
    filled_avg_price: null,
    order_class: '',
    order_type: null,
    type: null,
    side: null,
    position_intent: null,
    time_in_force: null,
    limit_price: null,
    stop_price: null,
    status: null,
    extended_hours: false,
    legs: null,
    trail_percent: null,
    trail_price: null,
    hwm: null,
    ratio_qty: null,
    source: null,
    subtag: null,
  };
}

/**
 * Asset ids of the fixture underlyings. AAPL's is TR-SPEC's example id (§7.12, §7.15); the MSFT
 * and TSLA ids are illustrative (not from §7).
 */
export const KNOWN_ASSET_IDS: Readonly<Record<string, string>> = {
  AAPL: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
  MSFT: 'b6d1aa75-5c9c-4353-a305-9e2caa1925ab',
  TSLA: '8ccae427-5dd0-45b3-b5fe-7ba5e422c766',
};
