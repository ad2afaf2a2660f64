import { parseUpstreamTimestamp } from '../attribution/timestamps.js';

/**
 * What the gateway noticed about upstream values, without changing any of them. A flag is
 * information for the client, never an error; values stay exactly as Alpaca sent them.
 */
export const QUALITY_FLAGS = [
  /** bid above ask. */
  'crossed_quote',
  /** bid equal to ask. */
  'locked_quote',
  /** a price (bid, ask, trade, bar open/high/low/close) of zero or below. */
  'non_positive_price',
  /** a size (bid, ask, trade) of zero or below. */
  'non_positive_size',
  /** a timestamp later than now plus QUALITY_FUTURE_SKEW_SECONDS. */
  'future_timestamp',
  /** a timestamp older than QUALITY_MAX_AGE_SECONDS while the market is open. */
  'stale_timestamp',
  /** an option delta outside [-1, 1]. */
  'delta_out_of_range',
  'negative_gamma',
  'negative_vega',
  'negative_implied_volatility',
] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/** `metadata.data_quality`: flags of the whole answer; per item (by symbol) for batches. */
export interface DataQuality {
  checked: true;
  flags: QualityFlag[];
  items?: Record<string, QualityFlag[]>;
}

export interface QualityPolicy {
  futureSkewMs: number;
  maxAgeMs: number;
}

/** When the values are checked: the time, and whether the market is open (staleness only counts then). */
export interface QualityMoment {
  nowMs: number;
  marketOpen: boolean;
}

interface QuoteLike {
  timestamp: string;
  bid_price: number;
  bid_size: number;
  ask_price: number;
  ask_size: number;
}

interface TradeLike {
  timestamp: string;
  price: number;
  size: number;
}

interface BarLike {
  timestamp: string;
  open: number;
  high: number;
  low: number;
  close: number;
}

interface GreeksLike {
  delta: number;
  gamma: number;
  vega: number;
}

/** Pure checks of the meaning of upstream values; each returns the flags it found (possibly none). */
export class QualityChecks {
  constructor(private readonly policy: QualityPolicy) {}

  timestamp(ts: string, at: QualityMoment): QualityFlag[] {
    const ms = parseUpstreamTimestamp(ts);
    if (ms === null) return [];
    if (ms > at.nowMs + this.policy.futureSkewMs) return ['future_timestamp'];
    if (at.marketOpen && at.nowMs - ms > this.policy.maxAgeMs) return ['stale_timestamp'];
    return [];
  }

  quote(q: QuoteLike, at: QualityMoment): QualityFlag[] {
    const flags = this.timestamp(q.timestamp, at);
    if (q.bid_price <= 0 || q.ask_price <= 0) flags.push('non_positive_price');
    if (q.bid_size <= 0 || q.ask_size <= 0) flags.push('non_positive_size');
    // A one-sided quote (a zero side) is flagged as such, not as crossed or locked.
    if (q.bid_price > 0 && q.ask_price > 0) {
      if (q.bid_price > q.ask_price) flags.push('crossed_quote');
      else if (q.bid_price === q.ask_price) flags.push('locked_quote');
    }
    return flags;
  }

  trade(t: TradeLike, at: QualityMoment): QualityFlag[] {
    const flags = this.timestamp(t.timestamp, at);
    if (t.price <= 0) flags.push('non_positive_price');
    if (t.size <= 0) flags.push('non_positive_size');
    return flags;
  }

  /** Bars are history: only future timestamps count, never staleness. */
  bar(b: BarLike, at: QualityMoment): QualityFlag[] {
    const flags = this.timestamp(b.timestamp, { ...at, marketOpen: false });
    if (b.open <= 0 || b.high <= 0 || b.low <= 0 || b.close <= 0) flags.push('non_positive_price');
    return flags;
  }

  greeks(g: GreeksLike | null, impliedVolatility: number | null): QualityFlag[] {
    const flags: QualityFlag[] = [];
    if (g !== null) {
      if (Math.abs(g.delta) > 1) flags.push('delta_out_of_range');
      if (g.gamma < 0) flags.push('negative_gamma');
      if (g.vega < 0) flags.push('negative_vega');
    }
    if (impliedVolatility !== null && impliedVolatility < 0) flags.push('negative_implied_volatility');
    return flags;
  }
}

/** Flags in catalog order, each once. */
export function flagSet(...lists: QualityFlag[][]): QualityFlag[] {
  const seen = new Set(lists.flat());
  return QUALITY_FLAGS.filter((f) => seen.has(f));
}

export function quality(flags: QualityFlag[]): DataQuality {
  return { checked: true, flags };
}

/** A batch: each item's flags by symbol, and their union for the answer. */
export function batchQuality(items: Record<string, QualityFlag[]>): DataQuality {
  return { checked: true, flags: flagSet(...Object.values(items)), items };
}

/** An option snapshot: its latest quote and trade, and its greeks and implied volatility. */
export function optionSnapshotFlags(
  checks: QualityChecks,
  s: {
    latest_quote: QuoteLike | null;
    latest_trade: TradeLike | null;
    greeks: GreeksLike | null;
    implied_volatility: number | null;
  },
  at: QualityMoment,
): QualityFlag[] {
  return [
    ...(s.latest_quote === null ? [] : checks.quote(s.latest_quote, at)),
    ...(s.latest_trade === null ? [] : checks.trade(s.latest_trade, at)),
    ...checks.greeks(s.greeks, s.implied_volatility),
  ];
}

/** A stock snapshot: its latest quote and trade and its bars. */
export function stockSnapshotFlags(
  checks: QualityChecks,
  s: {
    latest_quote: QuoteLike | null;
    latest_trade: TradeLike | null;
    minute_bar: BarLike | null;
    daily_bar: BarLike | null;
    prev_daily_bar: BarLike | null;
  },
  at: QualityMoment,
): QualityFlag[] {
  const bars = [s.minute_bar, s.daily_bar, s.prev_daily_bar].flatMap((b) => (b === null ? [] : checks.bar(b, at)));
  return [
    ...(s.latest_quote === null ? [] : checks.quote(s.latest_quote, at)),
    ...(s.latest_trade === null ? [] : checks.trade(s.latest_trade, at)),
    ...bars,
  ];
}
