import { Injectable } from '@nestjs/common';
import { parseUpstreamTimestamp } from '../core/attribution/timestamps.js';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { Clock } from '../core/time/clock.js';
import { TradingAccountsPort, type TradingPort } from '../alpaca/trading/trading.port.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { StockQuotesService } from '../market-data/stock-quotes.service.js';
import { parseOccSymbol } from '../options/occ-symbol.js';
import { OptionQuotesService } from '../options/option-quotes.service.js';
import { Dec } from './exact-decimal.js';
import type { Side } from './risk-rules.js';

/** A fact a rule needs, or why it could not be had (the rule then refuses; nothing is guessed). */
export type Fact<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Alpaca lists at most 500 orders per call. */
const OPEN_ORDERS_PAGE = 500;

/** The OCC root of an option contract symbol, or null for anything else (a stock). */
export function optionRoot(symbol: string): string | null {
  const parsed = parseOccSymbol(symbol);
  return parsed.ok ? parsed.contract.root_symbol : null;
}

function why(e: unknown): string {
  return e instanceof AppError ? e.code : e instanceof Error ? e.message : String(e);
}

/** A signed position quantity as Alpaca reports it (a short is negative; `side: short` with a positive qty is read as negative too). */
export function signedPosition(position: TradingObject): Dec | null {
  const qty = typeof position['qty'] === 'string' ? Dec.parse(position['qty']) : null;
  if (qty === null) return null;
  return position['side'] === 'short' && qty.sign() > 0 ? qty.neg() : qty;
}

/**
 * What the rules look up, once per check (memoized): latest quotes and trades through the market
 * data services (their cache, the stream's latest values, else one upstream call within the
 * shared budget), and positions and open orders from Alpaca's trading API (never cached).
 */
export class RiskFacts {
  private readonly memo = new Map<string, Promise<Fact<unknown>>>();

  constructor(
    private readonly stocks: StockQuotesService,
    private readonly options: OptionQuotesService,
    private readonly trading: TradingPort,
    private readonly clock: Clock,
    private readonly maxAgeSeconds: number,
  ) {}

  private once<T>(key: string, load: () => Promise<Fact<T>>): Promise<Fact<T>> {
    let p = this.memo.get(key) as Promise<Fact<T>> | undefined;
    if (p === undefined) {
      p = load().catch((e: unknown): Fact<T> => ({ ok: false, reason: why(e) }));
      this.memo.set(key, p);
    }
    return p;
  }

  /** A price that is not older than RISK_PRICE_MAX_AGE_SECONDS by its own timestamp, and above zero. */
  private fresh(what: string, price: number | undefined, timestamp: string | undefined): Fact<Dec> {
    const at = timestamp === undefined ? null : parseUpstreamTimestamp(timestamp);
    if (price === undefined || at === null || !(price > 0)) return { ok: false, reason: `no ${what}` };
    const ageSeconds = (this.clock.now() - at) / 1000;
    if (ageSeconds > this.maxAgeSeconds)
      return {
        ok: false,
        reason: `the latest ${what} is ${Math.floor(ageSeconds)} s old (RISK_PRICE_MAX_AGE_SECONDS ${this.maxAgeSeconds})`,
      };
    return { ok: true, value: Dec.of(price) };
  }

  /** The latest quote's ask (a buy) or bid (a sell). */
  quoteSide(symbol: string, side: Side): Promise<Fact<Dec>> {
    const what = side === 'buy' ? 'ask' : 'bid';
    return this.once(`quote:${symbol}:${side}`, async () => {
      if (optionRoot(symbol) !== null) {
        const q = (await this.options.quote(symbol, this.maxAgeSeconds)).data.latest_quote;
        return this.fresh(`${what} of ${symbol}`, side === 'buy' ? q?.ask_price : q?.bid_price, q?.timestamp);
      }
      const q = (await this.stocks.quote(symbol, this.maxAgeSeconds)).data;
      return this.fresh(`${what} of ${symbol}`, side === 'buy' ? q.ask_price : q.bid_price, q.timestamp);
    });
  }

  /** The latest trade's price. */
  lastTrade(symbol: string): Promise<Fact<Dec>> {
    return this.once(`trade:${symbol}`, async () => {
      if (optionRoot(symbol) !== null) {
        const t = (await this.options.quote(symbol, this.maxAgeSeconds)).data.latest_trade;
        return this.fresh(`trade of ${symbol}`, t?.price, t?.timestamp);
      }
      const t = (await this.stocks.trade(symbol, this.maxAgeSeconds)).data;
      return this.fresh(`trade of ${symbol}`, t.price, t.timestamp);
    });
  }

  /** The account's position in the symbol, signed (0 when there is none). */
  position(symbol: string): Promise<Fact<Dec>> {
    return this.once(`position:${symbol}`, async () => {
      try {
        const qty = signedPosition((await this.trading.position(symbol)).value);
        return qty === null
          ? { ok: false, reason: `Alpaca's position in ${symbol} has no readable qty` }
          : { ok: true, value: qty };
      } catch (e: unknown) {
        if (e instanceof AppError && e.code === 'POSITION_NOT_FOUND') return { ok: true, value: Dec.ZERO };
        throw e;
      }
    });
  }

  /** A position already read (a close reads it to know its side and size). */
  knownPosition(symbol: string, qty: Dec): void {
    this.memo.set(`position:${symbol}`, Promise.resolve({ ok: true, value: qty }));
  }

  /** How many orders Alpaca lists as open for the account. */
  openOrders(): Promise<Fact<number>> {
    return this.once('open_orders', async () => {
      const open = await this.trading.orders({ status: 'open', limit: OPEN_ORDERS_PAGE });
      return { ok: true, value: open.value.length };
    });
  }
}

@Injectable()
export class RiskLookups {
  constructor(
    private readonly stocks: StockQuotesService,
    private readonly options: OptionQuotesService,
    private readonly accounts: TradingAccountsPort,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Fresh memo for one check of an order on `account` (its positions and open orders). */
  facts(account: string): RiskFacts {
    return new RiskFacts(
      this.stocks,
      this.options,
      this.accounts.of(account),
      this.clock,
      this.config.risk.priceMaxAgeSeconds,
    );
  }

  /**
   * The position a close or an exercise acts on, signed; null when there is none (Alpaca then
   * answers the write itself with 404). Other failures are the client's answer: nothing is sent.
   */
  async position(symbol: string, account: string): Promise<Dec | null> {
    try {
      const qty = signedPosition((await this.accounts.of(account).position(symbol)).value);
      if (qty === null)
        throw new AppError('UPSTREAM_INVALID_RESPONSE', {
          message: `Alpaca's position in ${symbol} has no readable qty.`,
        });
      return qty;
    } catch (e: unknown) {
      if (e instanceof AppError && e.code === 'POSITION_NOT_FOUND') return null;
      throw e;
    }
  }

  /** The order a replacement changes (read once; its errors, ORDER_NOT_FOUND included, are the client's answer). */
  async order(id: string, account: string): Promise<TradingObject> {
    return (await this.accounts.of(account).order(id)).value;
  }
}
