import {
  isEmptyOptionSnapshot,
  optionSnapshotTimestamps,
  toOptionContract,
  toOptionSnapshot,
} from './option.mapper.js';
import { parseOptionContractsPage, parseOptionSnapshotsPage } from './options-wire-parsers.js';
import { WireFormatError } from '../stocks/stock-wire-parsers.js';

/** Alpaca's examples §7.7 (with greeks) and §7.8 (without), verbatim (docs/alpaca-wire.md "Documented examples"). */
const WITH_GREEKS = `{"next_page_token":"QUFQTDI0MDYyMTAwMDIyMHwx",
 "snapshots":{"AAPL240426C00162500":{
   "greeks":{"delta":0.7521304109871954,"gamma":0.06241426404871288,"rho":0.009910739032549095,"theta":-0.2847623059595503,"vega":0.047540520834498785},
   "impliedVolatility":0.3372405712050441,
   "latestQuote":{"ap":4.3,"as":91,"ax":"B","bp":4.15,"bs":16,"bx":"C","c":"A","t":"2024-04-22T19:59:59.992734208Z"},
   "latestTrade":{"c":"I","p":4.1,"s":1,"t":"2024-04-22T19:57:32.589554432Z","x":"A"}}}}`;
const WITHOUT_GREEKS = `{"next_page_token":"QUFQTDI0MDQyNkMwMDE1MjUwMA==",
 "snapshots":{"AAPL240426C00152500":{
   "latestQuote":{"ap":17,"as":91,"ax":"B","bp":16.25,"bs":80,"bx":"B","c":" ","t":"2024-04-24T19:59:59.782060288Z"},
   "latestTrade":{"c":"a","p":15.87,"s":1,"t":"2024-04-24T16:46:16.763406848Z","x":"I"}}}}`;
/** Alpaca's example §7.10 and its null variant (docs/alpaca-wire.md "Documented examples"). */
const CONTRACTS = `{"option_contracts":[{"id":"98359ef7-5124-49f3-85ea-5cf02df6defa","symbol":"AAPL250620C00100000","name":"AAPL Jun 20 2025 100 Call",
  "status":"active","tradable":true,"expiration_date":"2025-06-20","root_symbol":"AAPL","underlying_symbol":"AAPL",
  "underlying_asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","type":"call","style":"american","strike_price":"100",
  "multiplier":"100","size":"100","open_interest":"237","open_interest_date":"2023-12-11","close_price":"148.38","close_price_date":"2023-12-11"},
  {"id":"x","symbol":"AAPL250620P00100000","name":"AAPL Jun 20 2025 100 Put","status":"active","tradable":true,"expiration_date":"2025-06-20",
  "underlying_symbol":"AAPL","underlying_asset_id":"b0b6dd9d-8b9b-48a9-ba46-b9d54906e415","type":"put","style":"american","strike_price":"100",
  "multiplier":"100","size":"100","open_interest":"0","open_interest_date":"2023-11-03","close_price":null,"close_price_date":null}],
 "next_page_token":null}`;

function only<T>(m: Record<string, T>, key: string): T {
  const v = m[key];
  if (v === undefined) throw new Error(`${key} missing`);
  return v;
}

describe('option snapshot parsing and mapping', () => {
  it('maps §7.7 without touching a value: greeks and IV exactly as sent, the quote condition a single string', () => {
    const page = parseOptionSnapshotsPage(JSON.parse(WITH_GREEKS));
    expect(page.next_page_token).toBe('QUFQTDI0MDYyMTAwMDIyMHwx');
    const s = toOptionSnapshot(only(page.snapshots, 'AAPL240426C00162500'));
    expect(s).toEqual({
      latest_quote: {
        timestamp: '2024-04-22T19:59:59.992734208Z',
        bid_price: 4.15,
        bid_size: 16,
        bid_exchange: 'C',
        ask_price: 4.3,
        ask_size: 91,
        ask_exchange: 'B',
        condition: 'A',
      },
      latest_trade: { timestamp: '2024-04-22T19:57:32.589554432Z', price: 4.1, size: 1, exchange: 'A', condition: 'I' },
      greeks: {
        delta: 0.7521304109871954,
        gamma: 0.06241426404871288,
        theta: -0.2847623059595503,
        vega: 0.047540520834498785,
        rho: 0.009910739032549095,
      },
      implied_volatility: 0.3372405712050441,
      latest_quote_available: true,
      latest_trade_available: true,
      greeks_available: true,
      iv_available: true,
    });
    expect(optionSnapshotTimestamps(s)).toEqual(['2024-04-22T19:59:59.992734208Z', '2024-04-22T19:57:32.589554432Z']);
  });

  it('leaves missing greeks and IV null with their flags false (§7.8), never zero', () => {
    const s = toOptionSnapshot(
      only(parseOptionSnapshotsPage(JSON.parse(WITHOUT_GREEKS)).snapshots, 'AAPL240426C00152500'),
    );
    expect(s.greeks).toBeNull();
    expect(s.implied_volatility).toBeNull();
    expect(s.greeks_available).toBe(false);
    expect(s.iv_available).toBe(false);
    expect(s.latest_quote?.bid_price).toBe(16.25);
    expect(isEmptyOptionSnapshot(s)).toBe(false);
  });

  it('treats a quote-only snapshot, null members and an empty snapshot honestly', () => {
    const page = parseOptionSnapshotsPage({
      snapshots: {
        Q: {
          latestQuote: {
            ap: 0.59,
            as: 458,
            ax: 'X',
            bp: 0.48,
            bs: 396,
            bx: 'X',
            c: ' ',
            t: '2024-02-02T20:59:59.731674112Z',
          },
          greeks: null,
        },
        E: {},
        N: null,
      },
      next_page_token: '',
    });
    expect(Object.keys(page.snapshots)).toEqual(['Q', 'E']);
    expect(page.next_page_token).toBeNull();
    const q = toOptionSnapshot(only(page.snapshots, 'Q'));
    expect(q.latest_trade).toBeNull();
    expect(q.latest_trade_available).toBe(false);
    expect(q.greeks_available).toBe(false);
    const e = toOptionSnapshot(only(page.snapshots, 'E'));
    expect(isEmptyOptionSnapshot(e)).toBe(true);
    expect(optionSnapshotTimestamps(e)).toEqual([]);
  });

  it.each([
    [
      'a stock-style array condition',
      {
        snapshots: { S: { latestQuote: { ap: 1, as: 1, ax: 'A', bp: 1, bs: 1, bx: 'A', c: ['A'], t: 't' } } },
        next_page_token: null,
      },
    ],
    [
      'greeks missing a member',
      { snapshots: { S: { greeks: { delta: 0.5, gamma: 0.1, theta: -0.1, vega: 0.1 } } }, next_page_token: null },
    ],
    ['a string IV', { snapshots: { S: { impliedVolatility: '0.3' } }, next_page_token: null }],
    ['a numeric page token', { snapshots: {}, next_page_token: 7 }],
    ['snapshots as an array', { snapshots: [], next_page_token: null }],
  ])('refuses %s', (_label, body) => {
    expect(() => parseOptionSnapshotsPage(body)).toThrow(WireFormatError);
  });
});

describe('option contract parsing and mapping', () => {
  it('keeps decimals as strings and null open interest / close price as null', () => {
    const page = parseOptionContractsPage(JSON.parse(CONTRACTS));
    const [call, put] = page.option_contracts.map(toOptionContract);
    expect(call).toEqual({
      id: '98359ef7-5124-49f3-85ea-5cf02df6defa',
      symbol: 'AAPL250620C00100000',
      name: 'AAPL Jun 20 2025 100 Call',
      status: 'active',
      tradable: true,
      expiration_date: '2025-06-20',
      root_symbol: 'AAPL',
      underlying_symbol: 'AAPL',
      underlying_asset_id: 'b0b6dd9d-8b9b-48a9-ba46-b9d54906e415',
      option_type: 'call',
      style: 'american',
      strike_price: '100',
      multiplier: '100',
      size: '100',
      open_interest: '237',
      open_interest_date: '2023-12-11',
      close_price: '148.38',
      close_price_date: '2023-12-11',
    });
    expect(put?.root_symbol).toBeNull();
    expect(put?.open_interest).toBe('0');
    expect(put?.close_price).toBeNull();
    expect(put?.close_price_date).toBeNull();
    expect(page.next_page_token).toBeNull();
  });

  it('refuses a numeric strike (Alpaca sends decimals as strings) and a missing list', () => {
    const bad = JSON.parse(CONTRACTS) as { option_contracts: Array<Record<string, unknown>> };
    const first = bad.option_contracts[0];
    if (first === undefined) throw new Error('fixture');
    first['strike_price'] = 100;
    expect(() => parseOptionContractsPage(bad)).toThrow('$.option_contracts[0].strike_price: expected a string');
    expect(() => parseOptionContractsPage({ option_contracts: {}, next_page_token: null })).toThrow(WireFormatError);
    expect(parseOptionContractsPage({ option_contracts: null, next_page_token: null })).toEqual({
      option_contracts: [],
      next_page_token: null,
    });
  });
});
