import { parseActivities, parseMultiStatus, parseOrder, parsePortfolioHistory } from './trading.mapper.js';
import { WireFormatError } from '../stocks/stock-wire-parsers.js';

describe('trading mapper', () => {
  it('maps an mleg order (symbol "") and each leg with its ratio; unknown members are dropped', () => {
    const order = parseOrder({
      id: 'p',
      client_order_id: 'k',
      status: 'new',
      symbol: '',
      order_class: 'mleg',
      limit_price: '-1.25',
      vendor_secret: 'x',
      legs: [{ id: 'l1', symbol: 'AAPL250620C00100000', ratio_qty: '2', qty: '2', extra: 1 }],
    });
    expect(order).toMatchObject({
      id: 'p',
      symbol: '',
      limit_price: '-1.25',
      legs: [{ id: 'l1', symbol: 'AAPL250620C00100000', ratio_qty: '2', qty: '2', status: null }],
    });
    expect(order).not.toHaveProperty('vendor_secret');
    expect((order['legs'] as Array<Record<string, unknown>>)[0]).not.toHaveProperty('extra');
    expect(() => parseOrder({ id: 'p', client_order_id: 'k', status: 'new', symbol: '' })).toThrow(WireFormatError);
  });

  it('keeps each 207 entry as Alpaca reported it: an order on success, the error body on failure, null when absent', () => {
    const entries = parseMultiStatus(
      [
        { id: 'a', status: 200 },
        { id: 'b', status: 500, body: { code: 50010000, message: 'nope', trace: 'internal' } },
      ],
      'id',
    );
    expect(entries).toEqual([
      { id: 'a', status: 200, body: null },
      { id: 'b', status: 500, body: { code: 50010000, message: 'nope' } },
    ]);
    expect(() => parseMultiStatus([{ symbol: 'AAPL', status: '200' }], 'symbol')).toThrow(WireFormatError);
  });

  it('copies only the activity members Alpaca sent and requires the id (the page token)', () => {
    expect(parseActivities([{ id: '1::a', activity_type: 'DIV', net_amount: '1.02', price: null }])).toEqual([
      { id: '1::a', activity_type: 'DIV', net_amount: '1.02', price: null },
    ]);
    expect(() => parseActivities([{ activity_type: 'DIV' }])).toThrow(WireFormatError);
  });

  it('keeps portfolio numbers and null points untouched; refuses a series that is not numbers', () => {
    const wire = {
      timestamp: [1, 2],
      equity: [null, 8639.77],
      profit_loss: [null, 214.56],
      profit_loss_pct: [null, 0.0255],
      base_value: 8413.04,
      timeframe: '1D',
    };
    expect(parsePortfolioHistory(wire)).toEqual(wire);
    expect(() => parsePortfolioHistory({ ...wire, equity: ['8639.77'] })).toThrow(WireFormatError);
  });
});
