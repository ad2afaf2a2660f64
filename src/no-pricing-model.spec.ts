import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The gateway serves only what Alpaca returns: no option pricing model, no greeks or implied
 * volatility of its own (the old service faked them). This scans every file under src/ for the
 * building blocks such a model needs.
 */
const PRICING_MODEL =
  /black.?scholes|norm(al)?_?cdf|erf\(|implied_?vol(atility)?_?solver|newton.?raphson|Math\.exp|Math\.log/i;
const SRC = fileURLToPath(new URL('.', import.meta.url));
const SELF = basename(fileURLToPath(import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : entry.isFile() ? [join(dir, entry.name)] : [],
  );
}

describe('no pricing model in src/', () => {
  const files = filesUnder(SRC).filter((f) => !(relative(SRC, f) === SELF));

  it('scans the whole tree, options code included (so an empty scan cannot pass)', () => {
    const names = files.map((f) => relative(SRC, f));
    expect(names).toEqual(
      expect.arrayContaining([
        'options/occ-symbol.ts',
        'alpaca/options/option.mapper.ts',
        'alpaca/options/alpaca-options-data.adapter.ts',
      ]),
    );
    expect(files.length).toBeGreaterThan(50);
  });

  it('no pricing model anywhere: no Black-Scholes, normal CDF, erf, IV solver, Newton-Raphson, Math.exp or Math.log', () => {
    const hits = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) => (PRICING_MODEL.test(line) ? [`${relative(SRC, file)}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  // Samples of what the no pricing guard must catch (this file is the only place they may appear).
  const samples = [
    'blackScholes(s, k)',
    'Black-Scholes',
    'normCdf(d1)',
    'normal_cdf',
    'erf(x / Math.SQRT2)',
    'impliedVolatilitySolver',
    'implied_vol_solver',
    'newtonRaphson',
    'Math.exp(-r * t)',
    'Math.log(s / k)',
  ]; // never computed: no pricing
  it.each(samples)('would catch %p', (sample) => {
    expect(PRICING_MODEL.test(sample)).toBe(true);
  });
});
