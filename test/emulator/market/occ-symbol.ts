/**
 * OCC option symbols (§6.1): ROOT + YYMMDD + C|P + strike×1000 in 8 digits. The root may carry an
 * adjustment digit (`XOM2`), which is not part of the underlying's ticker.
 */
export interface OccTerms {
  root: string;
  underlying: string;
  /** YYYY-MM-DD */
  expiration: string;
  type: 'call' | 'put';
  strike: number;
}

// The lazy root lets the regex backtrack so the last 15 characters are always the terms.
const OCC = /^([A-Z][A-Z0-9]{0,5}?)(\d{2})(\d{2})(\d{2})([CP])(\d{8})$/;

export function decodeOcc(symbol: string): OccTerms | undefined {
  const match = OCC.exec(symbol);
  if (match === null) return undefined;
  const [, root, yy, mm, dd, callPut, strike] = match;
  return {
    root,
    underlying: root.replace(/\d+$/, ''),
    expiration: `20${yy}-${mm}-${dd}`,
    type: callPut === 'C' ? 'call' : 'put',
    strike: Number(strike) / 1000,
  };
}
