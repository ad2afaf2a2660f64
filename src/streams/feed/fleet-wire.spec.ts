import { fleetKeys, parseRelay, parseWantsEntry } from './fleet-wire.js';

describe('fleet wire: what instances read back from Redis', () => {
  it('keeps the key and channel names', () => {
    expect(fleetKeys.lease('stocks')).toBe('opitios:stream:{stocks}:leader');
    expect(fleetKeys.wants('options')).toBe('opitios:stream:{options}:wants');
    expect(fleetKeys.channel('orders')).toBe('opitios:stream:orders:relay');
  });

  it('reads each kind of relay message as it was published', () => {
    const data = {
      kind: 'data',
      leader: 'gw-1',
      receivedAt: '2026-01-02T15:00:00.000Z',
      messages: [{ type: 'quote', symbol: 'AAPL', data: { bid_price: 1 } }],
    };
    const status = {
      kind: 'status',
      leader: 'gw-1',
      status: 'live',
      info: { gap: { from: 'a', to: 'b', reason: 'r' } },
    };
    const refused = {
      kind: 'refused',
      leader: 'gw-1',
      problem: { code: 'STREAM_SYMBOL_LIMIT', message: 'm', details: { upstream_code: 405, extra: true } },
    };
    const wants = { kind: 'wants', from: 'gw-2' };
    for (const relay of [data, status, refused, wants]) expect(parseRelay(JSON.stringify(relay))).toEqual(relay);
  });

  it.each([
    ['not JSON', '{"kind":'],
    ['an unknown kind', JSON.stringify({ kind: 'hello', leader: 'gw-1' })],
    ['data without messages', JSON.stringify({ kind: 'data', leader: 'gw-1', receivedAt: 'x' })],
    [
      'a message without data',
      JSON.stringify({ kind: 'data', leader: 'gw-1', receivedAt: 'x', messages: [{ type: 'quote', symbol: 'AAPL' }] }),
    ],
    ['an unknown status', JSON.stringify({ kind: 'status', leader: 'gw-1', status: 'sleeping', info: {} })],
    [
      'a problem with an unknown code',
      JSON.stringify({ kind: 'refused', leader: 'gw-1', problem: { code: 'NOPE', message: 'm', details: {} } }),
    ],
  ])('drops %s', (_, text) => {
    expect(parseRelay(text)).toBeNull();
  });

  it('reads a wants entry, and drops one that is not', () => {
    const entry = { at: 1_000, wanted: { quotes: ['AAPL'], trades: [] } };
    expect(parseWantsEntry(JSON.stringify(entry))).toEqual(entry);
    expect(parseWantsEntry('garbage')).toBeNull();
    expect(parseWantsEntry(JSON.stringify({ at: 'yesterday', wanted: {} }))).toBeNull();
    expect(parseWantsEntry(JSON.stringify({ at: 1, wanted: { quotes: 'AAPL' } }))).toBeNull();
  });
});
