/**
 * POST /v2/orders: the minimal validation Alpaca performs (§4.3) and the Order it creates. Only
 * the rules a gateway is likely to trip over are enforced; pricing/buying-power checks are not.
 */
import { createHash, randomUUID } from 'node:crypto';
import { EmulatorHttpError, orderRejected } from '../http/http-error.js';
import { blankOrder, KNOWN_ASSET_IDS } from './order-shape.js';
import { OPTION_SYMBOL } from '../http/query-params.js';
import { nowRfc3339Nanos } from '../market/wire-time.js';

const ORDER_TYPES = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'] as const;
const TIMES_IN_FORCE = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'] as const;
const SIDES = ['buy', 'sell'] as const;
const ORDER_CLASSES = ['simple', 'bracket', 'oco', 'oto', 'mleg', ''] as const;
const MAX_CLIENT_ORDER_ID = 128;
const POSITIVE_DECIMAL = /^(?:\d+\.?\d*|\.\d+)$/;

type Body = Record<string, unknown>;

function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalEnumField<T extends string>(body: Body, name: string, allowed: readonly T[]): T | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) throw orderRejected(`invalid ${name}: ${JSON.stringify(value)}`);
  return match;
}

function requiredEnumField<T extends string>(body: Body, name: string, allowed: readonly T[]): T {
  const value = optionalEnumField(body, name, allowed);
  if (value === undefined) throw orderRejected(`${name} is required`);
  return value;
}

/** Decimals may arrive as strings or numbers; Alpaca answers them as strings (§4). */
function decimalField(body: Body, name: string): string | null {
  const value = body[name];
  if (value === undefined || value === null) return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !POSITIVE_DECIMAL.test(text) || Number(text) <= 0) {
    throw orderRejected(`invalid ${name}: ${JSON.stringify(value)}`);
  }
  return text;
}

function signedDecimalField(body: Body, name: string): string | null {
  const value = body[name];
  if (typeof value === 'string' && value.startsWith('-'))
    return `-${decimalField({ [name]: value.slice(1) }, name) ?? ''}`;
  return decimalField(body, name);
}

function requirePrices(type: (typeof ORDER_TYPES)[number], prices: Record<string, string | null>): void {
  const needsLimit = type === 'limit' || type === 'stop_limit';
  const needsStop = type === 'stop' || type === 'stop_limit';
  if (needsLimit && prices.limit_price === null) throw orderRejected(`limit_price is required for ${type} orders`);
  if (needsStop && prices.stop_price === null) throw orderRejected(`stop_price is required for ${type} orders`);
  if (type === 'trailing_stop' && (prices.trail_price === null) === (prices.trail_percent === null)) {
    throw orderRejected('exactly one of trail_price or trail_percent is required for trailing_stop orders');
  }
}

function clientOrderId(body: Body, existing: Array<Record<string, unknown>>): string {
  const value = body.client_order_id;
  if (value === undefined || value === null || value === '') return randomUUID();
  if (typeof value !== 'string' || value.length > MAX_CLIENT_ORDER_ID) {
    throw orderRejected(`client_order_id must be a string of at most ${MAX_CLIENT_ORDER_ID} characters`);
  }
  if (existing.some((order) => order.client_order_id === value)) {
    // §4.3: the one duplicate-id answer seen in the wild (code 40010001 on a 422).
    throw new EmulatorHttpError(422, { code: 40010001, message: 'client_order_id must be unique' });
  }
  return value;
}

/** Known ids for fixture symbols and contracts; otherwise a stable uuid-shaped hash of the symbol. */
function assetIdFor(symbol: string, contracts: Array<Record<string, unknown>>): string {
  const contractId = contracts.find((contract) => contract.symbol === symbol)?.id;
  if (typeof contractId === 'string') return contractId;
  const known = KNOWN_ASSET_IDS[symbol];
  if (known !== undefined) return known;
  const hex = createHash('sha1').update(symbol).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface CreateOrderInput {
  body: unknown;
  orders: Array<Record<string, unknown>>;
  optionContracts: Array<Record<string, unknown>>;
  /** The account, for the buying-power check (absent: no check). */
  account?: Record<string, unknown>;
}

/** Contracts per option (TR-SPEC OptionContract `multiplier` "100" on every fixture). */
const OPTION_MULTIPLIER = 100;

/**
 * §7.16 (third-party wording): 403 `insufficient buying power` when a priced buy costs more than the
 * account's buying power (options: options_buying_power). Test arithmetic only; the gateway never
 * does this.
 */
function requireBuyingPower(input: CreateOrderInput, order: Record<string, unknown>): void {
  const { account } = input;
  if (account === undefined) return;
  const isOption = order.asset_class === 'us_option';
  const price = Number(order.limit_price ?? order.stop_price ?? NaN);
  const qty = Number(order.qty ?? NaN);
  const buying = order.order_class === 'mleg' ? price > 0 : order.side === 'buy';
  if (!buying || !Number.isFinite(price) || !Number.isFinite(qty)) return;
  const cost = price * qty * (isOption ? OPTION_MULTIPLIER : 1);
  const power = Number(isOption ? account.options_buying_power : account.buying_power);
  if (Number.isFinite(power) && cost > power) {
    throw new EmulatorHttpError(403, { code: 40310000, message: 'insufficient buying power' });
  }
}

/** Validates a POST /v2/orders body and returns the new order (status `accepted`). */
export function createOrder(input: CreateOrderInput): Record<string, unknown> {
  const { body } = input;
  if (!isRecord(body)) throw new EmulatorHttpError(400, { code: 40010000, message: 'request body format is invalid' });
  const type = requiredEnumField(body, 'type', ORDER_TYPES);
  const timeInForce = requiredEnumField(body, 'time_in_force', TIMES_IN_FORCE);
  const orderClass = optionalEnumField(body, 'order_class', ORDER_CLASSES) ?? '';
  const isMultiLeg = orderClass === 'mleg';
  // Multi-leg orders carry side and symbol per leg (§4.3).
  const side = isMultiLeg ? (optionalEnumField(body, 'side', SIDES) ?? null) : requiredEnumField(body, 'side', SIDES);
  const symbol = typeof body.symbol === 'string' && body.symbol !== '' ? body.symbol : null;
  if (symbol === null && !isMultiLeg) throw orderRejected('symbol is required');

  const qty = decimalField(body, 'qty');
  const notional = decimalField(body, 'notional');
  if (qty !== null && notional !== null) throw orderRejected('qty and notional are mutually exclusive');
  if (qty === null && notional === null) throw orderRejected('qty or notional is required');
  const prices = {
    // TR-SPEC: an mleg limit_price is a net price, negative for a credit.
    limit_price: isMultiLeg ? signedDecimalField(body, 'limit_price') : decimalField(body, 'limit_price'),
    stop_price: decimalField(body, 'stop_price'),
    trail_price: decimalField(body, 'trail_price'),
    trail_percent: decimalField(body, 'trail_percent'),
  };
  requirePrices(type, prices);

  const now = nowRfc3339Nanos();
  const order: Record<string, unknown> = {
    ...blankOrder(),
    id: randomUUID(),
    client_order_id: clientOrderId(body, input.orders),
    created_at: now,
    updated_at: now,
    submitted_at: now,
    asset_id: symbol === null ? null : assetIdFor(symbol, input.optionContracts),
    symbol: symbol ?? '',
    asset_class: isMultiLeg || (symbol !== null && OPTION_SYMBOL.test(symbol)) ? 'us_option' : 'us_equity',
    notional,
    qty,
    order_class: orderClass,
    order_type: type,
    type,
    side,
    position_intent: typeof body.position_intent === 'string' ? body.position_intent : null,
    time_in_force: timeInForce,
    ...prices,
    status: 'accepted',
    extended_hours: body.extended_hours === true,
    legs: null,
  };
  if (isMultiLeg) order.legs = legsOf(body, order, input.optionContracts);
  requireBuyingPower(input, order);
  return order;
}

const LEG_RATIO = /^[1-9]\d*$/;

/**
 * Multi-leg legs (TR-SPEC MLegOrderLeg, at most 4), each answered as an order of its own (TR-SPEC
 * MultilegOptionsOrderResponse): 422 for a leg Alpaca could not trade (not an OCC symbol, a
 * contract it does not list, a ratio that is not a whole number, a contract repeated).
 */
function legsOf(
  body: Body,
  parent: Record<string, unknown>,
  contracts: Array<Record<string, unknown>>,
): Array<Record<string, unknown>> {
  const legs = body.legs;
  if (!Array.isArray(legs) || legs.length === 0 || legs.length > 4)
    throw orderRejected('mleg orders require 1 to 4 legs');
  const seen = new Set<string>();
  return legs.map((leg: unknown, index) => {
    const fields = isRecord(leg) ? leg : {};
    const symbol = typeof fields.symbol === 'string' ? fields.symbol : '';
    const ratio = typeof fields.ratio_qty === 'number' ? String(fields.ratio_qty) : fields.ratio_qty;
    if (!OPTION_SYMBOL.test(symbol))
      throw orderRejected(`invalid legs[${index}].symbol: ${JSON.stringify(fields.symbol ?? null)}`);
    // INVENTED wording: Alpaca's text for an unlisted contract is not in §7.16.
    if (!contracts.some((contract) => contract.symbol === symbol)) throw orderRejected(`asset ${symbol} not found`);
    if (typeof ratio !== 'string' || !LEG_RATIO.test(ratio))
      throw orderRejected(`invalid legs[${index}].ratio_qty: ${JSON.stringify(fields.ratio_qty ?? null)}`);
    if (seen.has(symbol)) throw orderRejected(`duplicate leg symbol ${symbol}`);
    seen.add(symbol);
    const intent = fields.position_intent ?? null;
    const side = fields.side ?? (typeof intent === 'string' ? intent.split('_')[0] : null);
    return {
      ...blankOrder(),
      id: randomUUID(),
      client_order_id: randomUUID(),
      created_at: parent.created_at,
      updated_at: parent.updated_at,
      submitted_at: parent.submitted_at,
      asset_id: assetIdFor(symbol, contracts),
      symbol,
      asset_class: 'us_option',
      // Whole contracts: the strategy's qty times the leg's ratio.
      qty: typeof parent.qty === 'string' ? String(BigInt(parent.qty.split('.')[0] ?? '0') * BigInt(ratio)) : null,
      order_class: 'mleg',
      order_type: '',
      type: '',
      side,
      position_intent: intent,
      time_in_force: parent.time_in_force,
      status: parent.status,
      ratio_qty: ratio,
    };
  });
}
