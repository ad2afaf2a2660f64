/**
 * Data messages for streamTick() (§4): prices start from the emulator's fixtures (a symbol without
 * fixtures gets a stable made-up price) and move a few cents per round along a fixed walk, so
 * every run sends the same prices. Timestamps are the stream clock's current time.
 */
import type { EmulatorFixtures, WireOptionQuote, WireOptionTrade } from '../emulator.types.js';
import { lastMinuteStart, nyMidnightUtc } from '../market/ny-time.js';
import { nowRfc3339Nanos } from '../market/wire-time.js';
import type { EndpointSpec } from './stream-protocol.js';
import type { StockRequestChannel, StreamClock, StreamDataMessage } from './stream.types.js';

/** Cents added to every price on round n: a small, repeating, deterministic walk. */
const WALK_CENTS = [0, 1, 2, 3, 2, 1, 0, -1, -2, -3, -2, -1];
const MAX_WALK_CENTS = 3;
const TEST_STREAM = '/v2/test';

interface StockBase {
  quote: { bx: string; bp: number; bs: number; ax: string; ap: number; as: number; c: string[]; z: string };
  trade: { i: number; x: string; p: number; s: number; c: string[]; z: string };
}

/** F13: the test stream's FAKEPACA quote (DOC-WS), the only symbol `/v2/test` knows. */
const FAKEPACA: StockBase = {
  quote: { bx: 'O', bp: 133.85, bs: 4, ax: 'R', ap: 135.77, as: 5, c: ['R'], z: 'A' },
  trade: { i: 1, x: 'O', p: 134.81, s: 100, c: ['@'], z: 'A' },
};

function round4(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** A stable number in [0, modulo) from a symbol, for symbols without fixtures. */
function symbolHash(symbol: string, modulo: number): number {
  let hash = 0;
  for (const char of symbol) hash = (hash * 31 + char.charCodeAt(0)) % 1_000_003;
  return hash % modulo;
}

export class StreamMarket {
  private round = 0;

  constructor(
    private readonly fixtures: () => EmulatorFixtures,
    private readonly clock: StreamClock,
  ) {}

  /** Starts the next round of prices. */
  advance(): void {
    this.round += 1;
  }

  reset(): void {
    this.round = 0;
  }

  /** What `*` expands to on this endpoint when ticking. */
  universe(spec: EndpointSpec): string[] {
    if (spec.path === TEST_STREAM) return ['FAKEPACA'];
    const fixtures = this.fixtures();
    if (spec.kind === 'options') return Object.keys(fixtures.optionSnapshots);
    const snapshots = Object.keys(fixtures.stockSnapshots).filter((symbol) => fixtures.stockSnapshots[symbol] !== null);
    return [...new Set([...Object.keys(fixtures.stockQuotes), ...Object.keys(fixtures.stockTrades), ...snapshots])];
  }

  /** The message one round sends for `symbol` on `channel`, or undefined for event-only channels. */
  message(spec: EndpointSpec, channel: StockRequestChannel, symbol: string): StreamDataMessage | undefined {
    return spec.kind === 'options' ? this.optionMessage(channel, symbol) : this.stockMessage(spec, channel, symbol);
  }

  private cents(round: number): number {
    return WALK_CENTS[round % WALK_CENTS.length] / 100;
  }

  private now(): string {
    return nowRfc3339Nanos(this.clock.now());
  }

  private stockMessage(
    spec: EndpointSpec,
    channel: StockRequestChannel,
    symbol: string,
  ): StreamDataMessage | undefined {
    const base = spec.path === TEST_STREAM && symbol === 'FAKEPACA' ? FAKEPACA : this.stockBase(symbol);
    const move = this.cents(this.round);
    const { quote, trade } = base;
    switch (channel) {
      case 'trades':
        return {
          T: 't',
          S: symbol,
          i: trade.i + this.round,
          x: trade.x,
          p: round4(trade.p + move),
          s: trade.s,
          c: [...trade.c],
          z: trade.z,
          t: this.now(),
        };
      case 'quotes':
        return {
          T: 'q',
          S: symbol,
          bx: quote.bx,
          bp: round4(quote.bp + move),
          bs: quote.bs,
          ax: quote.ax,
          ap: round4(quote.ap + move),
          as: quote.as,
          c: [...quote.c],
          z: quote.z,
          t: this.now(),
        };
      case 'bars': {
        const open = round4(trade.p + this.cents(Math.max(0, this.round - 1)));
        const close = round4(trade.p + move);
        const volume = trade.s * (1 + (this.round % 5));
        return {
          T: 'b',
          S: symbol,
          o: open,
          h: round4(Math.max(open, close) + 0.01),
          l: round4(Math.min(open, close) - 0.01),
          c: close,
          v: volume,
          n: 1 + (this.round % 5),
          vw: round4((open + close) / 2),
          t: lastMinuteStart(this.clock.now()),
        };
      }
      case 'dailyBars':
        return {
          T: 'd',
          S: symbol,
          o: trade.p,
          h: round4(trade.p + MAX_WALK_CENTS / 100),
          l: round4(trade.p - MAX_WALK_CENTS / 100),
          c: round4(trade.p + move),
          v: trade.s * (this.round + 1),
          n: this.round + 1,
          vw: trade.p,
          t: nyMidnightUtc(this.clock.now()),
        };
      default:
        return undefined; // updatedBars, statuses, lulds, imbalances: only via streamPublish()
    }
  }

  private stockBase(symbol: string): StockBase {
    const fixtures = this.fixtures();
    const snapshot = fixtures.stockSnapshots[symbol] ?? undefined;
    const quote = fixtures.stockQuotes[symbol] ?? snapshot?.latestQuote ?? undefined;
    const trade = fixtures.stockTrades[symbol] ?? snapshot?.latestTrade ?? undefined;
    const price =
      trade?.p ?? (quote === undefined ? 20 + symbolHash(symbol, 48_000) / 100 : round4((quote.bp + quote.ap) / 2));
    return {
      quote:
        quote === undefined
          ? { bx: 'V', bp: round4(price - 0.02), bs: 1, ax: 'V', ap: round4(price + 0.02), as: 1, c: ['R'], z: 'C' }
          : {
              bx: quote.bx,
              bp: quote.bp,
              bs: quote.bs,
              ax: quote.ax,
              ap: quote.ap,
              as: quote.as,
              c: quote.c,
              z: quote.z ?? trade?.z ?? 'C',
            },
      trade:
        trade === undefined
          ? { i: 1, x: quote?.bx ?? 'V', p: price, s: 100, c: ['@'], z: quote?.z ?? 'C' }
          : { i: trade.i, x: trade.x, p: trade.p, s: trade.s, c: trade.c, z: trade.z },
    };
  }

  private optionMessage(channel: StockRequestChannel, symbol: string): StreamDataMessage | undefined {
    const { quote, trade } = this.optionBase(symbol);
    // Options trade in cents and never below one (§4): the walk is floored there.
    const moved = (price: number): number => Math.max(0.01, round4(price + this.cents(this.round)));
    switch (channel) {
      case 'trades':
        return { T: 't', S: symbol, t: this.now(), p: moved(trade.p), s: trade.s, x: trade.x, c: trade.c };
      case 'quotes':
        return {
          T: 'q',
          S: symbol,
          t: this.now(),
          bx: quote.bx,
          bp: moved(quote.bp),
          bs: quote.bs,
          ax: quote.ax,
          ap: moved(quote.ap),
          as: quote.as,
          c: quote.c,
        };
      default:
        return undefined;
    }
  }

  private optionBase(symbol: string): { quote: Omit<WireOptionQuote, 't'>; trade: Omit<WireOptionTrade, 't'> } {
    const snapshot = this.fixtures().optionSnapshots[symbol];
    const quote = snapshot?.latestQuote;
    const trade = snapshot?.latestTrade;
    const price =
      trade?.p ??
      (quote === undefined ? round4(0.5 + symbolHash(symbol, 1_000) / 100) : round4((quote.bp + quote.ap) / 2));
    return {
      quote:
        quote === undefined
          ? {
              bx: 'C',
              bp: Math.max(0.01, round4(price - 0.05)),
              bs: 10,
              ax: 'C',
              ap: round4(price + 0.05),
              as: 10,
              c: 'A',
            }
          : { bx: quote.bx, bp: quote.bp, bs: quote.bs, ax: quote.ax, ap: quote.ap, as: quote.as, c: quote.c },
      trade:
        trade === undefined
          ? { x: quote?.bx ?? 'C', p: price, s: 1, c: 'I' }
          : { x: trade.x, p: trade.p, s: trade.s, c: trade.c },
    };
  }
}
