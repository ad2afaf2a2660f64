/** V8's JSON.rawJSON (Node 21+): a number written into JSON exactly as its digits are. */
interface RawJsonApi {
  rawJSON(text: string): unknown;
}

/**
 * Alpaca's uint64 trade id as the JSON number Alpaca wrote: a plain number when a double holds it
 * exactly, else the digits themselves (the gateway keeps long ids as decimal strings), so that no
 * digit is lost on the way back out.
 */
export function uint64(digits: string): unknown {
  const n = Number(digits);
  if (Number.isSafeInteger(n)) return n;
  return (JSON as unknown as RawJsonApi).rawJSON(digits);
}
