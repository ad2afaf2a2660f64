import { encode } from '@msgpack/msgpack';
import {
  decodeTradeUpdatesFrame,
  readTradeUpdatesMessage,
  toOrderUpdate,
  tradeUpdatesUrl,
} from './trade-updates-wire.js';

/** Alpaca's frame F20 (docs/alpaca-wire.md "Documented examples"), as DOC-TU shows it (crypto, fractional quantities, long price). */
const F20 =
  '{"stream":"trade_updates","data":{"event":"fill","execution_id":"2f63ea93-423d-4169-b3f6-3fdafc10c418","order":{"id":"a5be8f5e-fdfa-41f5-a644-7a74fe947a8f","client_order_id":"4642fd68-d59a-47d7-a9ac-e22f536828d1","created_at":"2022-04-19T13:45:04.981350886-04:00","updated_at":"2022-04-19T13:45:05.027690731-04:00","submitted_at":"2022-04-19T13:45:04.980944666-04:00","filled_at":"2022-04-19T17:45:05.024916716Z","asset_id":"1cf35270-99ee-44e2-a77f-6fab902c7f80","symbol":"SOLUSD","asset_class":"crypto","notional":null,"qty":"1790.86","filled_qty":"1790.86","filled_avg_price":"105.8988475","order_class":"","order_type":"market","type":"market","side":"sell","time_in_force":"gtc","limit_price":null,"stop_price":null,"status":"filled","extended_hours":false,"legs":null},"position_qty":"0","price":"105.8988475","qty":"1790.86","timestamp":"2022-04-19T17:45:05.024916716Z"}}';

function single(frame: ReturnType<typeof decodeTradeUpdatesFrame>): unknown {
  if (!frame.ok) throw new Error(frame.reason);
  expect(frame.messages).toHaveLength(1);
  return frame.messages[0];
}

describe('trade_updates frames', () => {
  it('F20 in a text frame, in a binary frame (paper) and as msgpack decode to the same message', () => {
    const expected = JSON.parse(F20) as unknown;
    expect(single(decodeTradeUpdatesFrame(Buffer.from(F20), false))).toEqual(expected);
    expect(single(decodeTradeUpdatesFrame(Buffer.from(F20), true))).toEqual(expected);
    expect(single(decodeTradeUpdatesFrame(Buffer.from(encode(expected)), true))).toEqual(expected);
  });

  it('maps F20 to our event: documented members only, decimals as the strings Alpaca sent, the order untouched', () => {
    const wire = JSON.parse(F20) as { data: Record<string, unknown> };
    const message = readTradeUpdatesMessage(wire);
    expect(message).toEqual({
      kind: 'update',
      update: {
        event: 'fill',
        order_id: 'a5be8f5e-fdfa-41f5-a644-7a74fe947a8f',
        symbol: 'SOLUSD',
        timestamp: '2022-04-19T17:45:05.024916716Z',
        execution_id: '2f63ea93-423d-4169-b3f6-3fdafc10c418',
        price: '105.8988475',
        qty: '1790.86',
        position_qty: '0',
        order: wire.data['order'],
      },
    });
    if (message.kind === 'update') expect(message.update.order).toBe(wire.data['order']);
  });

  it('a `new` event has no fill members and no timestamp: none are invented', () => {
    const update = toOrderUpdate({ event: 'new', order: { id: 'o1', symbol: 'AAPL', qty: '1' } });
    expect(update).toEqual({
      event: 'new',
      order_id: 'o1',
      symbol: 'AAPL',
      timestamp: null,
      order: { id: 'o1', symbol: 'AAPL', qty: '1' },
    });
  });

  it('unknown events pass; extra members of data are not carried', () => {
    expect(toOrderUpdate({ event: 'accepted', order: { id: 'o2', symbol: null }, at: 'x', event_id: 'y' })).toEqual({
      event: 'accepted',
      order_id: 'o2',
      symbol: null,
      timestamp: null,
      order: { id: 'o2', symbol: null },
    });
  });

  it.each([
    ['no event', { order: { id: 'o' } }, '$.data.event'],
    ['no order', { event: 'fill' }, '$.data.order'],
    ['an order without id', { event: 'fill', order: {} }, '$.data.order.id'],
    ['a price as a number', { event: 'fill', order: { id: 'o' }, price: 105.9 }, '$.data.price'],
    ['a numeric timestamp', { event: 'fill', order: { id: 'o' }, timestamp: 1 }, '$.data.timestamp'],
  ])('%s → malformed, naming the field', (_name, data, field) => {
    const message = readTradeUpdatesMessage({ stream: 'trade_updates', data });
    expect(message).toMatchObject({ kind: 'malformed', what: 'message_trade_updates' });
    if (message.kind === 'malformed') expect(message.reason).toContain(field);
  });

  it('control replies (F19), other streams, heartbeats and garbage', () => {
    expect(
      readTradeUpdatesMessage({ stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } }),
    ).toEqual({
      kind: 'authorization',
      authorized: true,
      action: 'authenticate',
    });
    expect(
      readTradeUpdatesMessage({ stream: 'authorization', data: { status: 'unauthorized', action: 'listen' } }),
    ).toEqual({
      kind: 'authorization',
      authorized: false,
      action: 'listen',
    });
    expect(readTradeUpdatesMessage({ stream: 'listening', data: { streams: ['trade_updates'] } })).toEqual({
      kind: 'listening',
      streams: ['trade_updates'],
    });
    expect(readTradeUpdatesMessage({ stream: 'account_updates', data: {} })).toEqual({
      kind: 'ignored',
      stream: 'account_updates',
    });
    expect(decodeTradeUpdatesFrame(Buffer.from([0x01]), true)).toEqual({ ok: true, messages: [] });
    expect(decodeTradeUpdatesFrame(Buffer.from('{not json'), false)).toMatchObject({ ok: false });
    expect(readTradeUpdatesMessage('text')).toMatchObject({ kind: 'malformed', what: 'message' });
  });

  it('the URL: the trading host with /stream, http → ws for an emulator', () => {
    expect(tradeUpdatesUrl('https://paper-api.alpaca.markets')).toBe('wss://paper-api.alpaca.markets/stream');
    expect(tradeUpdatesUrl('https://api.alpaca.markets/')).toBe('wss://api.alpaca.markets/stream');
    expect(tradeUpdatesUrl('http://127.0.0.1:8080')).toBe('ws://127.0.0.1:8080/stream');
  });
});
