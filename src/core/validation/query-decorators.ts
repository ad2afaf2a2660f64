import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, NotEquals } from 'class-validator';
import { withErrorCode } from '../errors/validation.js';
import { toBool, toInt } from './query-transforms.js';
import { normalizeStockSymbol, STOCK_SYMBOL_PATTERN, STOCK_SYMBOL_RULE } from './stock-symbol.js';
import { IsUpstreamTime } from './time-range.validator.js';

/*
 * The validation stacks the query DTOs repeat, one decorator each. Each applies its pieces in the
 * order they were written on the properties (bottom first, as TypeScript applies a stack), so
 * class-validator checks and reports them in the same order as before: the same messages, the same
 * catalog codes, and the same Swagger schema (the docs passed in, plus the bounds enforced).
 */

type Docs = ApiPropertyOptions;

/** Like a written decorator stack: `stack(A, B, C)` is `@A @B @C` (C applied first; Nest's applyDecorators applies A first). */
function stack(...decorators: PropertyDecorator[]): PropertyDecorator {
  return applyDecorators(...decorators.reverse());
}

/** Alpaca's page tokens are base64; anything else cannot be one of theirs. */
export const PAGE_TOKEN_PATTERN = /^[A-Za-z0-9+/=_-]{1,1024}$/;

const TICKER = STOCK_SYMBOL_PATTERN.source.replace(/^\^|\$$/g, '');
/** Comma-separated tickers, each normalised like the path symbols (brk-b → BRK.B). */
export const TICKER_LIST = new RegExp(`^${TICKER}(?:,${TICKER})*$`);
/** Each ticker of a comma-separated list normalised like a path symbol. */
export const toTickerList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => normalizeStockSymbol(s))
        .join(',')
    : value;

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An optional integer query parameter in [min, max], documented with those bounds. */
export function OptionalInt(min: number, max: number, docs: Docs = {}): PropertyDecorator {
  const property = { ...docs, minimum: min, maximum: max } as Docs;
  return stack(ApiPropertyOptional(property), IsOptional(), Transform(toInt), IsInt(), Min(min), Max(max));
}

/**
 * An optional `true`/`false` query parameter. Without `message` the refusal is class-validator's
 * ("… must be a boolean value"); with one, that message.
 */
export function OptionalBool(docs: Docs = {}, message?: string): PropertyDecorator {
  const check = message === undefined ? IsBoolean() : IsIn([true, false], { message });
  return stack(ApiPropertyOptional(docs), IsOptional(), Transform(toBool), check);
}

/** One of `values`, or absent; the values are the schema's enum. */
export function OptionalIn(values: readonly unknown[], docs: Docs = {}): PropertyDecorator {
  return stack(ApiPropertyOptional({ enum: values, ...docs }), IsOptional(), IsIn(values));
}

/** An RFC-3339 timestamp or a YYYY-MM-DD date that exists, or absent; else INVALID_DATE_RANGE. */
export function OptionalUpstreamTime(docs: Docs = {}): PropertyDecorator {
  return stack(ApiPropertyOptional(docs), IsOptional(), IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE')));
}

/** A YYYY-MM-DD date that exists (no timestamp), or absent; else INVALID_DATE_RANGE. */
export function OptionalDateOnly(docs: Docs = {}): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void =>
    stack(
      ApiPropertyOptional(docs),
      IsOptional(),
      Matches(DATE_ONLY, {
        message: `${String(propertyKey)} must be YYYY-MM-DD`,
        ...withErrorCode('INVALID_DATE_RANGE'),
      }),
      IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE')),
    )(target, propertyKey);
}

/** Comma-separated tickers, each normalised (brk-b → BRK.B), or absent; else INVALID_SYMBOL_FORMAT. */
export function OptionalTickerList(docs: Docs = {}): PropertyDecorator {
  return (target: object, propertyKey: string | symbol): void =>
    stack(
      ApiPropertyOptional(docs),
      IsOptional(),
      Transform(toTickerList),
      Matches(TICKER_LIST, {
        message: `${String(propertyKey)} must be comma-separated tickers, each ${STOCK_SYMBOL_RULE}`,
        ...withErrorCode('INVALID_SYMBOL_FORMAT'),
      }),
    )(target, propertyKey);
}

/** `page_token`: page_info.next_page_token of the previous page (a history or options listing). */
export function OptionalPageToken(
  docs: Docs = { description: 'page_info.next_page_token of the previous page.' },
): PropertyDecorator {
  return stack(
    ApiPropertyOptional(docs),
    IsOptional(),
    IsString(),
    NotEquals('null', { message: 'page_token must be a token from page_info.next_page_token, not "null"' }),
    Matches(PAGE_TOKEN_PATTERN, { message: 'page_token must be a token from page_info.next_page_token' }),
  );
}
