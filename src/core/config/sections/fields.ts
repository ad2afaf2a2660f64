import { isURL } from 'class-validator';
import { z } from 'zod';

/**
 * The building blocks of the section schemas: each turns one environment variable (a string, or
 * undefined when unset; validateConfig drops empty ones first) into its typed value, or into one
 * problem worded without the value (it may be a secret).
 *
 * A problem's kind orders the boot message: a variable's own check first, then the rules that
 * involve several variables, then what is missing; a variable gets only its first problem. The
 * messages keep the words the boot message had before these schemas (class-validator's).
 */
export type ProblemKind = 'invalid' | 'rule' | 'missing';
export const PROBLEM_KINDS: readonly ProblemKind[] = ['invalid', 'rule', 'missing'];

/** One problem, on `variable`'s line. */
export function addProblem(ctx: z.RefinementCtx, kind: ProblemKind, message: string, variable?: string): void {
  ctx.addIssue({ code: 'custom', message, params: { kind }, ...(variable === undefined ? {} : { path: [variable] }) });
}

/**
 * Rules over several variables run even when one of them was refused on its own: they see a
 * refused number as `Number(text)` and any other refused variable as set (never undefined).
 */
export const ALWAYS = { when: (): boolean => true };

/** The schema of one variable: its text (or unset) in, its value out. */
export type Variable<T> = z.ZodPipe<z.ZodOptional<z.ZodString>, z.ZodTransform<T, string | undefined>>;

/** Refuses a variable's text; `message` never quotes it. */
export class Refusal {
  constructor(readonly message: string) {}
}

/** A variable read by `read`; unset: `fallback`. A refused variable reads as `refusedAs(text)` for the rules. */
export function variable<T>(
  read: (text: string) => T | Refusal,
  fallback: T,
  refusedAs?: (text: string) => T,
): Variable<T> {
  return z
    .string()
    .optional()
    .transform((text, ctx): T => {
      if (text === undefined) return fallback;
      const value = read(text);
      if (!(value instanceof Refusal)) return value;
      addProblem(ctx, 'invalid', value.message);
      // z.NEVER is not undefined: a rule counts the refused variable as set.
      return refusedAs === undefined ? z.NEVER : refusedAs(text);
    });
}

/** A whole number (optional sign, surrounding blanks allowed) within [min, max]. */
export function int(fallback: number, min: number, max?: number): Variable<number> {
  const read = (text: string): number | Refusal => {
    const n = /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
    if (!Number.isInteger(n)) return new Refusal('must be an integer number');
    if (n < min) return new Refusal(`must not be less than ${min}`);
    if (max !== undefined && n > max) return new Refusal(`must not be greater than ${max}`);
    return n;
  };
  return variable(read, fallback, (text) => Number(text));
}

/** `true`/`1` or `false`/`0`. */
export function flag(fallback: boolean): Variable<boolean> {
  return variable(
    (text) =>
      text === 'true' || text === '1'
        ? true
        : text === 'false' || text === '0'
          ? false
          : new Refusal('must be a boolean value'),
    fallback,
  );
}

function oneOfReader<const V extends readonly string[]>(values: V): (text: string) => V[number] | Refusal {
  return (text) =>
    values.find((v) => v === text) ?? new Refusal(`must be one of the following values: ${values.join(', ')}`);
}

/** One of `values`. */
export function oneOf<const V extends readonly string[]>(values: V, fallback: V[number]): Variable<V[number]> {
  return variable(oneOfReader(values), fallback);
}

/** One of `values`, or unset. */
export function optionalOneOf<const V extends readonly string[]>(values: V): Variable<V[number] | undefined> {
  return variable<V[number] | undefined>(oneOfReader(values), undefined);
}

function urlReader(protocols: string[]): (text: string) => string | Refusal {
  return (text) =>
    isURL(text, { require_tld: false, require_protocol: true, protocols })
      ? text
      : new Refusal('must be a URL address');
}

/** An absolute URL with one of `protocols` (default http, https). */
export function url(fallback: string, protocols = ['http', 'https']): Variable<string> {
  return variable<string>(urlReader(protocols), fallback);
}

export function optionalUrl(protocols = ['http', 'https']): Variable<string | undefined> {
  return variable<string | undefined>(urlReader(protocols), undefined);
}

/** Any text. */
export function text(fallback: string): Variable<string> {
  return variable<string>((t) => t, fallback);
}

export function optionalText(): Variable<string | undefined> {
  return variable<string | undefined>((t) => t, undefined);
}

/** Required: unset is "is required". */
export function required(): Variable<string> {
  return z
    .string()
    .optional()
    .transform((t, ctx): string => {
      if (t !== undefined) return t;
      addProblem(ctx, 'missing', 'is required');
      return z.NEVER;
    });
}

/** Unset, or at least `min` characters. */
export function atLeast(min: number): Variable<string | undefined> {
  return variable<string | undefined>(
    (t) => (t.length >= min ? t : new Refusal(`must be longer than or equal to ${min} characters`)),
    undefined,
  );
}

function patternReader(pattern: RegExp, message: string): (text: string) => string | Refusal {
  return (t) => (pattern.test(t) ? t : new Refusal(message));
}

/** Unset, or text matching `pattern`; `message` says what is expected. */
export function matching(pattern: RegExp, message: string): Variable<string | undefined> {
  return variable<string | undefined>(patternReader(pattern, message), undefined);
}

/** Text matching `pattern`; unset: `fallback`. */
export function matchingOr(fallback: string, pattern: RegExp, message: string): Variable<string> {
  return variable<string>(patternReader(pattern, message), fallback);
}

/** Text read by `parse`, which throws a message without the value; unset: `unset`. */
export function parsedWith<T, U>(parse: (text: string) => T, unset: U): Variable<T | U> {
  const read = (text: string): T | Refusal => {
    try {
      return parse(text);
    } catch (e: unknown) {
      return new Refusal(e instanceof Error ? e.message : 'unreadable');
    }
  };
  return variable<T | U>(read, unset);
}
