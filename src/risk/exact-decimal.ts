/**
 * Exact decimal arithmetic for the risk rules: `units / 10^scale` with a BigInt, so that
 * 0.1 + 0.2 is 0.3 and 3 × 33.333333333 % of a position is what the digits say. Amounts come in as
 * Alpaca's decimal strings or as JSON numbers (a policy's limits, a quote's prices), whose
 * shortest printed form is the number as written.
 */
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;
const MAX_SCALE = 40;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

export class Dec {
  private constructor(
    readonly units: bigint,
    readonly scale: number,
  ) {}

  static readonly ZERO = new Dec(0n, 0);

  /** A decimal string ("150.25", "-3", "1e-7"); null when it is not one. */
  static parse(text: string): Dec | null {
    const m = DECIMAL.exec(text.trim());
    if (m === null) return null;
    const [, sign = '', whole = '0', fraction = '', exponent = '0'] = m;
    let units = BigInt(`${whole}${fraction}`);
    let scale = fraction.length - Number(exponent);
    if (scale < 0) {
      units *= pow10(-scale);
      scale = 0;
    }
    if (scale > MAX_SCALE) return null;
    return new Dec(sign === '-' ? -units : units, scale).trimmed();
  }

  /** A JSON number as printed (its shortest round-trip form), or a decimal string; throws on anything else. */
  static of(value: string | number): Dec {
    const d = typeof value === 'number' ? (Number.isFinite(value) ? Dec.parse(String(value)) : null) : Dec.parse(value);
    if (d === null) throw new Error(`not a decimal: ${String(value)}`);
    return d;
  }

  static fromBigInt(units: bigint): Dec {
    return new Dec(units, 0);
  }

  private trimmed(): Dec {
    let { units, scale } = this;
    while (scale > 0 && units % 10n === 0n) {
      units /= 10n;
      scale -= 1;
    }
    return units === this.units ? this : new Dec(units, scale);
  }

  private at(scale: number): bigint {
    return this.units * pow10(scale - this.scale);
  }

  add(o: Dec): Dec {
    const scale = Math.max(this.scale, o.scale);
    return new Dec(this.at(scale) + o.at(scale), scale).trimmed();
  }

  sub(o: Dec): Dec {
    return this.add(o.neg());
  }

  mul(o: Dec): Dec {
    return new Dec(this.units * o.units, this.scale + o.scale).trimmed();
  }

  neg(): Dec {
    return new Dec(-this.units, this.scale);
  }

  abs(): Dec {
    return this.units < 0n ? this.neg() : this;
  }

  /** This × 10^-n: a percentage as a fraction is `pct.shift(2)`. */
  shift(n: number): Dec {
    return new Dec(this.units, this.scale + n).trimmed();
  }

  sign(): -1 | 0 | 1 {
    return this.units < 0n ? -1 : this.units > 0n ? 1 : 0;
  }

  cmp(o: Dec): -1 | 0 | 1 {
    const scale = Math.max(this.scale, o.scale);
    const a = this.at(scale);
    const b = o.at(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  gt(o: Dec): boolean {
    return this.cmp(o) > 0;
  }

  lt(o: Dec): boolean {
    return this.cmp(o) < 0;
  }

  /** Rounded up (toward +infinity) to `places` decimal places. */
  ceil(places: number): Dec {
    if (this.scale <= places) return this;
    const div = pow10(this.scale - places);
    const q = this.units / div;
    const up = this.units > 0n && this.units % div !== 0n ? 1n : 0n;
    return new Dec(q + up, places).trimmed();
  }

  /** This ÷ o rounded up to `places` decimal places (o > 0). */
  divCeil(o: Dec, places: number): Dec {
    if (o.sign() <= 0) throw new Error('divisor must be above zero');
    // this / o = (this.units × 10^o.scale) / (o.units × 10^this.scale); scaled up by 10^places first.
    const num = this.units * pow10(o.scale + places);
    const den = o.units * pow10(this.scale);
    const q = num / den;
    const up = num > 0n && num % den !== 0n ? 1n : 0n;
    return new Dec(q + up, places).trimmed();
  }

  /** Whole cents, rounded up: what the daily notional counter adds. */
  centsUp(): bigint {
    const c = this.ceil(2);
    return c.at(2);
  }

  static fromCents(cents: bigint): Dec {
    return new Dec(cents, 2).trimmed();
  }

  toString(): string {
    const negative = this.units < 0n;
    const digits = (negative ? -this.units : this.units).toString().padStart(this.scale + 1, '0');
    const whole = digits.slice(0, digits.length - this.scale);
    const fraction = digits.slice(digits.length - this.scale);
    return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
  }

  /** For error details and logs (JSON numbers); never for arithmetic. */
  toNumber(): number {
    return Number(this.toString());
  }
}
