import { Dec } from './exact-decimal.js';
import type { RiskRules } from './risk-policy.js';
import {
  dailyNotionalBreach,
  notionalBreach,
  notionalOf,
  openOrdersBreach,
  optionsBreach,
  orderTypeBreach,
  ordersPerMinuteBreach,
  positionBreach,
  priceBandBreach,
  qtyBreach,
  reduceOnlyBreach,
  shortBreach,
  signedQty,
  symbolsBreach,
  type TicketLeg,
} from './risk-rules.js';

const d = (s: string): Dec => Dec.of(s);
const stock = (symbol: string, side: 'buy' | 'sell' = 'buy', qty: string | null = '1'): TicketLeg => ({
  symbol,
  underlying: null,
  side,
  qty: qty === null ? null : d(qty),
});
const option = (symbol: string, root: string, side: 'buy' | 'sell' = 'buy', qty = '1'): TicketLeg => ({
  symbol,
  underlying: root,
  side,
  qty: d(qty),
});
const CALL = 'AAPL250620C00100000';

describe('risk rules (limits inclusive, decimal strings, no float drift)', () => {
  it('symbols_allowed: every leg listed, an option by its underlying too', () => {
    const rules: RiskRules = { symbols_allowed: ['AAPL', 'MSFT'] };
    expect(symbolsBreach(rules, [stock('AAPL')])).toBeNull();
    expect(symbolsBreach(rules, [option(CALL, 'AAPL')])).toBeNull();
    expect(symbolsBreach(rules, [stock('TSLA')])).toEqual({
      rule: 'symbols_allowed',
      limit: ['AAPL', 'MSFT'],
      requested: 'TSLA',
    });
    expect(symbolsBreach(rules, [option(CALL, 'AAPL'), option('TSLA250620C00100000', 'TSLA')])).toMatchObject({
      requested: 'TSLA250620C00100000',
    });
    expect(symbolsBreach({ symbols_allowed: [CALL] }, [option(CALL, 'AAPL')])).toBeNull();
  });

  it('symbols_denied: no leg listed, nor its underlying', () => {
    const rules: RiskRules = { symbols_denied: ['GME'] };
    expect(symbolsBreach(rules, [stock('AAPL')])).toBeNull();
    expect(symbolsBreach(rules, [stock('GME', 'sell')])).toEqual({
      rule: 'symbols_denied',
      limit: ['GME'],
      requested: 'GME',
    });
    expect(symbolsBreach(rules, [option('GME250620C00020000', 'GME')])).toMatchObject({
      rule: 'symbols_denied',
      requested: 'GME250620C00020000',
    });
  });

  it('allow_options: false refuses any option leg; true or absent allows', () => {
    expect(optionsBreach({ allow_options: false }, [stock('AAPL')])).toBeNull();
    expect(optionsBreach({ allow_options: false }, [stock('AAPL'), option(CALL, 'AAPL')])).toEqual({
      rule: 'allow_options',
      limit: false,
      requested: CALL,
    });
    expect(optionsBreach({ allow_options: true }, [option(CALL, 'AAPL')])).toBeNull();
    expect(optionsBreach({}, [option(CALL, 'AAPL')])).toBeNull();
  });

  it('order_types: the allowed list; an exercise (no type) is no order', () => {
    expect(orderTypeBreach({ order_types: ['limit'] }, 'limit')).toBeNull();
    expect(orderTypeBreach({ order_types: ['limit', 'stop_limit'] }, 'market')).toEqual({
      rule: 'order_types',
      limit: ['limit', 'stop_limit'],
      requested: 'market',
    });
    expect(orderTypeBreach({ order_types: ['limit'] }, null)).toBeNull();
  });

  it('max_order_qty: 100 passes at 100 and 99.999999999, refuses 100.000000001', () => {
    const rules: RiskRules = { max_order_qty: 100 };
    expect(qtyBreach(rules, [d('100')])).toBeNull();
    expect(qtyBreach(rules, [d('99.999999999')])).toBeNull();
    expect(qtyBreach(rules, [d('100.000000001')])).toEqual({
      rule: 'max_order_qty',
      limit: 100,
      requested: 100.000000001,
    });
    // Multi-leg: the largest leg decides.
    expect(qtyBreach({ max_order_qty: 2 }, [d('1'), d('3')])).toMatchObject({ requested: 3 });
  });

  it('notional: qty × price, × 100 per contract, every leg of a multi-leg order counted', () => {
    expect(notionalOf([stock('AAPL')], [d('3')], [d('172.7')])?.toString()).toBe('518.1');
    // 0.1 × 3 as floats is 0.30000000000000004.
    expect(notionalOf([stock('X')], [d('3')], [d('0.1')])?.toString()).toBe('0.3');
    expect(notionalOf([option(CALL, 'AAPL')], [d('2')], [d('1.25')])?.toString()).toBe('250');
    const spread = [option('AAPL240426C00162500', 'AAPL', 'sell'), option('AAPL250620C00100000', 'AAPL', 'buy')];
    expect(notionalOf(spread, [d('1'), d('2')], [d('0.55'), d('3.1')])?.toString()).toBe('675');
    expect(notionalOf(spread, [d('1'), d('2')], [d('0.55'), null])).toBeNull();
  });

  it('max_order_notional: 5000 inclusive, in exact USD', () => {
    const rules: RiskRules = { max_order_notional: 5000 };
    expect(notionalBreach(rules, d('5000'))).toBeNull();
    expect(notionalBreach(rules, d('4999.999999999'))).toBeNull();
    expect(notionalBreach(rules, d('5000.01'))).toEqual({
      rule: 'max_order_notional',
      limit: 5000,
      requested: 5000.01,
    });
    // 3 × 1.10 is 3.3 exactly; as floats it is 3.3000000000000003 and a float check would refuse it.
    expect(notionalBreach({ max_order_notional: 3.3 }, d('3').mul(d('1.10')))).toBeNull();
    expect(3 * 1.1 > 3.3).toBe(true);
  });

  it('price_band_pct: limit within ± pct of the latest trade, inclusive, without division', () => {
    const rules: RiskRules = { price_band_pct: 5 };
    // 172.6 ± 5 % = 163.97 .. 181.23
    expect(priceBandBreach(rules, d('181.23'), d('172.6'))).toBeNull();
    expect(priceBandBreach(rules, d('163.97'), d('172.6'))).toBeNull();
    expect(priceBandBreach(rules, d('181.24'), d('172.6'))).toEqual({
      rule: 'price_band_pct',
      limit: 5,
      requested: 5.0058,
    });
    expect(priceBandBreach(rules, d('163.96'), d('172.6'))).toMatchObject({
      rule: 'price_band_pct',
      requested: 5.0058,
    });
    expect(priceBandBreach({ price_band_pct: 0.1 }, d('100.1'), d('100'))).toBeNull();
    expect(priceBandBreach({ price_band_pct: 0.1 }, d('100.11'), d('100'))).toMatchObject({ requested: 0.11 });
  });

  it('max_position_qty: |position ± qty|, both directions', () => {
    const rules: RiskRules = { max_position_qty: 10 };
    expect(positionBreach(rules, d('2'), signedQty('buy', d('8')))).toBeNull();
    expect(positionBreach(rules, d('2'), signedQty('buy', d('8.000000001')))).toEqual({
      rule: 'max_position_qty',
      limit: 10,
      requested: 10.000000001,
    });
    expect(positionBreach(rules, d('-4'), signedQty('sell', d('6')))).toBeNull();
    expect(positionBreach(rules, d('-4'), signedQty('sell', d('7')))).toMatchObject({ requested: 11 });
    // Selling a long down shrinks it whatever the limit.
    expect(positionBreach({ max_position_qty: 1 }, d('3'), signedQty('sell', d('2')))).toBeNull();
  });

  it('allow_short: false refuses a sell past flat, to flat is fine', () => {
    const rules: RiskRules = { allow_short: false };
    expect(shortBreach(rules, d('2'), signedQty('sell', d('2')))).toBeNull();
    expect(shortBreach(rules, d('0.3'), signedQty('sell', d('0.1').add(d('0.2'))))).toBeNull();
    expect(shortBreach(rules, d('2'), signedQty('sell', d('2.5')))).toEqual({
      rule: 'allow_short',
      limit: false,
      requested: -0.5,
    });
    expect(shortBreach(rules, d('-3'), signedQty('buy', d('1')))).toBeNull();
    expect(shortBreach({ allow_short: true }, d('0'), signedQty('sell', d('5')))).toBeNull();
  });

  it('reduce_only: shrink |position| without crossing flat; nothing to reduce refuses', () => {
    const rules: RiskRules = { reduce_only: true };
    expect(reduceOnlyBreach(rules, d('3'), signedQty('sell', d('3')))).toBeNull();
    expect(reduceOnlyBreach(rules, d('3'), signedQty('sell', d('1.5')))).toBeNull();
    expect(reduceOnlyBreach(rules, d('-2'), signedQty('buy', d('2')))).toBeNull();
    expect(reduceOnlyBreach(rules, d('3'), signedQty('sell', d('3.000000001')))).toEqual({
      rule: 'reduce_only',
      limit: true,
      requested: -0.000000001,
    });
    expect(reduceOnlyBreach(rules, d('3'), signedQty('buy', d('1')))).toMatchObject({ requested: 4 });
    expect(reduceOnlyBreach(rules, d('0'), signedQty('sell', d('1')))).toMatchObject({ requested: -1 });
  });

  it('max_open_orders: open orders plus this one', () => {
    expect(openOrdersBreach({ max_open_orders: 3 }, 2)).toBeNull();
    expect(openOrdersBreach({ max_open_orders: 3 }, 3)).toEqual({ rule: 'max_open_orders', limit: 3, requested: 4 });
  });

  it('max_orders_per_minute: orders sent in the last minute plus this one', () => {
    expect(ordersPerMinuteBreach({ max_orders_per_minute: 2 }, 1)).toBeNull();
    expect(ordersPerMinuteBreach({ max_orders_per_minute: 2 }, 2)).toEqual({
      rule: 'max_orders_per_minute',
      limit: 2,
      requested: 3,
    });
  });

  it('max_daily_notional: today so far plus this order, in whole cents rounded up', () => {
    const rules: RiskRules = { max_daily_notional: 1000 };
    expect(dailyNotionalBreach(rules, d('700.1'), d('299.9'))).toBeNull();
    expect(dailyNotionalBreach(rules, d('700.1'), d('299.901'))).toEqual({
      rule: 'max_daily_notional',
      limit: 1000,
      requested: 1000.01,
    });
    expect(dailyNotionalBreach(rules, d('0'), d('1000'))).toBeNull();
  });
});
