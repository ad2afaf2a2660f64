import { z } from 'zod';

/*
 * Checking an upstream body against a zod schema. The schemas only check: no coercion, no
 * defaults, no value-changing transforms; members the schema does not name are dropped (zod's
 * default for objects), as the hand-written parsers did. The first issue becomes a WireFormatError
 * naming the offending path (`$.quotes.AAPL.bp: expected a number`), which the HTTP client turns
 * into 502 UPSTREAM_INVALID_RESPONSE and the stream readers into a `malformed` message.
 */

/** The upstream body does not have the shape Alpaca documents; becomes UPSTREAM_INVALID_RESPONSE. */
export class WireFormatError extends Error {
  constructor(
    readonly path: string,
    expected: string,
  ) {
    super(`${path}: expected ${expected}`);
    this.name = 'WireFormatError';
  }
}

/** zod's type names in our wording; a schema's own `error` text wins over these. */
const EXPECTED: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'a boolean',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** Per-parse error map: only consulted for issues whose schema carries no message of its own. */
const wording = (issue: { code?: string; expected?: unknown }): string =>
  issue.code === 'invalid_type' && typeof issue.expected === 'string'
    ? (EXPECTED[issue.expected] ?? `a ${issue.expected}`)
    : 'a valid value';

const PARSE_PARAMS = { error: wording } as const;

/** `$.bars.AAPL[3].o` from the root path and zod's issue path. */
export function wirePath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

/** The value as zod checked it, or a WireFormatError for the first issue. */
export function parseWire<S extends z.ZodType>(schema: S, value: unknown, root: string): z.output<S> {
  const result = schema.safeParse(value, PARSE_PARAMS);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new WireFormatError(issue === undefined ? root : wirePath(root, issue.path), issue?.message ?? 'a valid value');
}

/** `next_page_token`: a string, or null/absent for the last page. */
export const pageTokenSchema = z.string({ error: 'a string or null' }).nullish();

/** A page's token as we pass it on: the empty string, like null and absent, means the last page (never the text "null"). */
export function pageToken(token: string | null | undefined): string | null {
  return typeof token === 'string' && token !== '' ? token : null;
}
