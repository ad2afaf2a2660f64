import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { LRUCache } from 'lru-cache';

const PURE_VALIDATION = Symbol('opitios:pureValidation');
/** Longest memo key (names and values of the input) remembered; longer inputs are validated every time. */
const MAX_KEY_LENGTH = 256;
/** Remembered inputs per DTO class, oldest out first. */
const MAX_ENTRIES_PER_TYPE = 1000;

type DtoClass = abstract new (...args: never[]) => object;
type Flat = Record<string, string | number | boolean | null | undefined>;

/**
 * Marks a path or query DTO whose transformation and validation depend on the input alone (no
 * clock, no configuration, no I/O), so the pipe may reuse the outcome for a repeated input.
 */
export function PureValidation(): ClassDecorator {
  return (target) => {
    Reflect.defineMetadata(PURE_VALIDATION, true, target);
  };
}

function isPure(metatype: unknown): metatype is DtoClass {
  return typeof metatype === 'function' && Reflect.getOwnMetadata(PURE_VALIDATION, metatype) === true;
}

/** The input as a memo key, or null when it is not a small object of plain strings. */
function keyOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  // Names and values joined by separators that cannot occur in a URL's decoded text; cheaper than
  // JSON.stringify for the one or two fields a path or query has.
  let key = '';
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') return null;
    key += `${name}\u0000${v}\u0001`;
    if (key.length > MAX_KEY_LENGTH) return null;
  }
  return key;
}

/** The validated DTO's own fields, when all are primitives (a copy then cannot be shared by mistake). */
function flatFields(dto: unknown): Flat | null {
  if (dto === null || typeof dto !== 'object') return null;
  const fields: Flat = {};
  for (const [k, v] of Object.entries(dto as Record<string, unknown>)) {
    if (v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean')
      fields[k] = v;
    else return null;
  }
  return fields;
}

/**
 * Nest's ValidationPipe, remembering successful outcomes for @PureValidation() DTOs on path and
 * query parameters. A client polling `/stocks/AAPL/quote` sends the same `{symbol: 'AAPL'}` and `{}`
 * every time; class-transformer plus class-validator cost more than the cached quote itself, and
 * their answer for the same input cannot change. Failures are not remembered (they are thrown
 * afresh, with the same catalog body), bodies are never memoized, and each caller gets its own
 * instance of the DTO class.
 */
// bench: on Node 26 a cached quote costs 357 instead of 539 us of CPU with it (figure 1c, 2000 principals, 5 of 5 rounds, 2026-12-07).
export class MemoizingValidationPipe extends ValidationPipe {
  private readonly memo = new WeakMap<DtoClass, LRUCache<string, Flat>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if ((type !== 'param' && type !== 'query') || !isPure(metatype)) return super.transform(value, metadata);
    const key = keyOf(value);
    if (key === null) return super.transform(value, metadata);
    let known = this.memo.get(metatype);
    const remembered = known?.get(key);
    if (remembered !== undefined)
      return Object.assign(Object.create(metatype.prototype as object) as object, remembered);

    const dto: unknown = await super.transform(value, metadata);
    const fields = flatFields(dto);
    if (fields !== null) {
      if (known === undefined) {
        known = new LRUCache<string, Flat>({ max: MAX_ENTRIES_PER_TYPE });
        this.memo.set(metatype, known);
      }
      known.set(key, fields);
    }
    return dto;
  }
}
