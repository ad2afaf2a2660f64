import type { ArgumentMetadata } from '@nestjs/common';
import { AppError } from '../../core/errors/app-error.js';
import { createValidationPipe } from '../../core/errors/validation.js';
import { CreateOrderDto } from '../../trading/dto/create-order.dto.js';
import { ReplaceOrderDto } from '../../trading/dto/replace-order.dto.js';

/**
 * Alpaca's own order JSON (POST /v2/orders, PATCH /v2/orders/{id}) turned into the DTOs /api/v1
 * validates, with /api/v1's rules. Alpaca takes amounts as strings or JSON numbers; the gateway
 * forwards strings, so a number is written as the decimal it is, and refused when its digits
 * cannot be known exactly (a double past 15 significant digits, or one printed with an exponent).
 * Nothing else is changed: `null` and `order_class: ""` are Alpaca's ways of leaving a member
 * unset, so they are left out, as /api/v1 leaves out what is not sent.
 */

const AMOUNTS = ['qty', 'notional', 'limit_price', 'stop_price', 'trail_price', 'trail_percent', 'trail'] as const;
/** The significant digits every decimal of at most this many carries through a double unchanged. */
const EXACT_DIGITS = 15;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function refuse(field: string, problem: string): AppError {
  return new AppError('INVALID_PARAMETER', {
    message: `${field}: ${problem}`,
    details: { fields: [{ field, problems: [problem] }] },
  });
}

/** A JSON number as the decimal string it denotes; refused when that cannot be known exactly. */
export function amountText(value: number, field: string): string {
  const text = String(value);
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '');
  if (!Number.isFinite(value) || /e/i.test(text) || digits.length > EXACT_DIGITS) {
    throw refuse(
      field,
      `send this amount as a decimal string such as "150.25": the number ${text} cannot be forwarded without changing its digits`,
    );
  }
  return text;
}

/** An object's members with `null` left out and numeric amounts written as decimal strings. */
function members(o: Json, path: string, amounts: readonly string[]): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === null) continue;
    out[k] = typeof v === 'number' && amounts.includes(k) ? amountText(v, `${path}${k}`) : v;
  }
  return out;
}

function requireObject(body: unknown): Json {
  if (!isObject(body)) throw refuse('body', 'the request body must be a JSON object');
  return body;
}

/** POST /v2/orders: Alpaca's body, normalised as above (nested exits and legs too). */
export function orderMembers(body: unknown): Json {
  const o = members(requireObject(body), '', AMOUNTS);
  if (o['order_class'] === '') delete o['order_class'];
  for (const exit of ['take_profit', 'stop_loss']) {
    const v = o[exit];
    if (isObject(v)) o[exit] = members(v, `${exit}.`, AMOUNTS);
  }
  const legs = o['legs'];
  if (Array.isArray(legs))
    o['legs'] = legs.map((leg: unknown, i) => (isObject(leg) ? members(leg, `legs[${i}].`, ['ratio_qty']) : leg));
  return o;
}

/** PATCH /v2/orders/{id}: Alpaca's body, normalised as above. */
export function replaceMembers(body: unknown): Json {
  return members(requireObject(body), '', AMOUNTS);
}

/** /api/v1's pipe: whitelist, unknown members refused, same messages and catalog codes. */
const pipe = createValidationPipe();

async function validated<T>(value: Json, metatype: new () => T): Promise<T> {
  const metadata: ArgumentMetadata = { type: 'body', metatype, data: undefined };
  return (await pipe.transform(value, metadata)) as T;
}

export async function createOrderDto(body: unknown): Promise<CreateOrderDto> {
  return validated(orderMembers(body), CreateOrderDto);
}

export async function replaceOrderDto(body: unknown): Promise<ReplaceOrderDto> {
  return validated(replaceMembers(body), ReplaceOrderDto);
}
