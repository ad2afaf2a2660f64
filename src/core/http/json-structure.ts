/**
 * Structure checks on a JSON text before it is parsed: nesting depth and duplicate member names.
 * `JSON.parse` accepts both silently (the last duplicate wins; depth is bounded only by the stack
 * of whatever walks the result later), so a body `{"qty":"1","qty":"1000"}` would place the
 * second value, and arrays nested thousands deep would overflow class-transformer's recursion.
 *
 * One pass over the text, O(n), no allocation but the member names of the objects being read.
 * Only the structure is read: anything that is not valid JSON is left for JSON.parse to refuse.
 * Ours because the kept parsers either reject duplicates or bound depth, not both in one pass
 * over the raw text before any object is built.
 */

export type JsonStructureProblem =
  { problem: 'too_deep'; max_depth: number } | { problem: 'duplicate_key'; key: string; max_depth?: undefined };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const MAX_REPORTED_KEY = 64;

/** Index just past the closing quote of the string starting at `start` (a quote), or -1. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === BACKSLASH) i += 1;
    else if (c === QUOTE) return i + 1;
  }
  return -1;
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The decoded member name (escapes resolved, so "q\u0074y" and "qty" are the same key). */
function decodeName(raw: string): string {
  if (!raw.includes('\\')) return raw.slice(1, -1);
  try {
    return JSON.parse(raw) as string;
  } catch {
    // Invalid escape: JSON.parse of the whole body refuses it with a proper error later.
    return raw;
  }
}

/** The first structural problem of `text`, or null. */
export function jsonStructureProblem(text: string, maxDepth: number): JsonStructureProblem | null {
  // One entry per open container: a Set of member names for objects, null for arrays.
  const stack: Array<Set<string> | null> = [];
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = endOfString(text, i);
      if (end < 0) return null;
      const names = stack[stack.length - 1];
      if (names !== undefined && names !== null && isMemberName(text, end)) {
        const name = decodeName(text.slice(i, end));
        if (names.has(name)) return { problem: 'duplicate_key', key: name.slice(0, MAX_REPORTED_KEY) };
        names.add(name);
      }
      i = end - 1;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (stack.length >= maxDepth) return { problem: 'too_deep', max_depth: maxDepth };
      stack.push(c === OPEN_OBJECT ? new Set() : null);
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      stack.pop();
    }
  }
  return null;
}

/** A string inside an object is a member name when a colon follows it. */
function isMemberName(text: string, afterString: number): boolean {
  let j = afterString;
  while (j < text.length && isWhitespace(text.charCodeAt(j))) j += 1;
  return text.charCodeAt(j) === COLON;
}
