import { AlpacaEmulator, ManualClock } from '../alpaca-emulator.js';
import { call } from '../spec-helpers.js';
import { authenticated, connect, errorFrame, StreamClient } from './stream-spec-helpers.js';

const clock = new ManualClock();
const emulator = new AlpacaEmulator({ keyId: 'spec-key', secretKey: 'spec-secret', streamClock: clock });
const AUTH = { action: 'auth', key: 'spec-key', secret: 'spec-secret' };

beforeAll(() => emulator.start());
afterEach(() => emulator.reset());
afterAll(() => emulator.stop());

describe('upgrade', () => {
  it.each(['/v2/iex', '/v2/sip', '/v2/delayed_sip', '/v2/test'] as const)(
    '%s greets with connected in a JSON text frame',
    async (endpoint) => {
      const client = await StreamClient.connect(emulator.streamUrl(endpoint));
      const frame = await client.next();
      expect(frame.binary).toBe(false);
      expect(frame.raw.toString()).toBe('[{"T":"success","msg":"connected"}]');
      expect(emulator.streamConnections).toEqual([
        { id: 1, endpoint, encoding: 'json', openedAt: clock.now(), authenticated: false },
      ]);
    },
  );

  it('answers an unknown stream path with HTTP 404 at the upgrade', async () => {
    await expect(StreamClient.connect(`${emulator.dataUrl.replace('http:', 'ws:')}/v2/nasdaq`)).rejects.toThrow(
      'Unexpected server response: 404',
    );
    await expect(StreamClient.connect(`${emulator.tradingUrl.replace('http:', 'ws:')}/v2/iex`)).rejects.toThrow();
    expect(emulator.streamConnections).toEqual([]);
  });

  it('leaves plain HTTP on the data listener as it was', async () => {
    expect((await call(emulator, 'data', '/v2/stocks/quotes/latest?symbols=AAPL')).status).toBe(200);
    expect(await call(emulator, 'data', '/v2/iex')).toMatchObject({ status: 404, json: { message: 'Not Found' } });
  });

  it('streamRefuseUpgrades: the next upgrades get that HTTP status instead of 101', async () => {
    emulator.streamRefuseUpgrades(429, 1);
    await expect(StreamClient.connect(emulator.streamUrl('/v2/iex'))).rejects.toThrow(
      'Unexpected server response: 429',
    );
    await authenticated(emulator, '/v2/iex');
  });
});

describe('authentication', () => {
  it('auth message with the right keys → authenticated; the connection and the frame are logged', async () => {
    await authenticated(emulator, '/v2/iex');
    expect(emulator.streamConnections[0]).toMatchObject({ authenticated: true, keyId: 'spec-key' });
    expect(emulator.streamActions).toEqual([
      { connectionId: 1, endpoint: '/v2/iex', at: clock.now(), frame: AUTH, decoded: true },
    ]);
  });

  it.each([
    ['a wrong secret', { action: 'auth', key: 'spec-key', secret: 'nope' }],
    ['a wrong key', { action: 'auth', key: 'nope', secret: 'spec-secret' }],
    ['empty keys', { action: 'auth', key: '', secret: '' }],
  ])('%s → 402 auth failed; the socket stays open and a later good auth works', async (_label, frame) => {
    const client = await connect(emulator, '/v2/iex');
    client.send(frame);
    expect(await client.nextMessages()).toEqual(errorFrame(402, 'auth failed'));
    client.send(AUTH);
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'authenticated' }]);
  });

  it('streamSetAuthFailure(true) refuses even the right keys until turned off', async () => {
    emulator.streamSetAuthFailure(true);
    const client = await connect(emulator, '/v2/iex');
    client.send(AUTH);
    expect(await client.nextMessages()).toEqual(errorFrame(402, 'auth failed'));
    emulator.streamSetAuthFailure(false);
    client.send(AUTH);
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'authenticated' }]);
  });

  it('APCA key headers at the upgrade: connected, then authenticated unprompted', async () => {
    const client = await StreamClient.connect(emulator.streamUrl('/v2/iex'), {
      headers: { 'APCA-API-KEY-ID': 'spec-key', 'APCA-API-SECRET-KEY': 'spec-secret' },
    });
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'connected' }]);
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'authenticated' }]);
    expect(emulator.streamActions).toEqual([]);
  });

  it('wrong key headers at the upgrade: connected, then 402', async () => {
    const client = await StreamClient.connect(emulator.streamUrl('/v2/iex'), {
      headers: { 'APCA-API-KEY-ID': 'spec-key', 'APCA-API-SECRET-KEY': 'nope' },
    });
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'connected' }]);
    expect(await client.nextMessages()).toEqual(errorFrame(402, 'auth failed'));
  });

  it('a second auth → 403 already authenticated', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    client.send(AUTH);
    expect(await client.nextMessages()).toEqual(errorFrame(403, 'already authenticated'));
  });

  it('subscribe before auth → 401 not authenticated', async () => {
    const client = await connect(emulator, '/v2/iex');
    client.send({ action: 'subscribe', trades: ['AAPL'] });
    expect(await client.nextMessages()).toEqual(errorFrame(401, 'not authenticated'));
  });

  it('no auth within 10 s → 404 auth timeout, then a close', async () => {
    const client = await connect(emulator, '/v2/iex');
    clock.advance(10_000);
    expect(await client.nextMessages()).toEqual(errorFrame(404, 'auth timeout'));
    expect(await client.closed()).toBe(1000);
    expect(emulator.streamConnections[0]).toMatchObject({ authenticated: false, closeCode: 1000 });
  });

  it('an authenticated socket is not timed out', async () => {
    const client = await authenticated(emulator, '/v2/iex');
    clock.advance(60_000);
    client.send(AUTH);
    // The next frame answers this auth: no 404 was queued before it.
    expect(await client.nextMessages()).toEqual(errorFrame(403, 'already authenticated'));
  });

  it('409 insufficient subscription on a feed the plan lacks, while another feed authenticates', async () => {
    emulator.streamSetInsufficientSubscription('/v2/sip');
    const sip = await connect(emulator, '/v2/sip');
    sip.send(AUTH);
    expect(await sip.nextMessages()).toEqual(errorFrame(409, 'insufficient subscription'));
    await authenticated(emulator, '/v2/iex');
    expect(emulator.streamConnections.map((record) => [record.endpoint, record.authenticated])).toEqual([
      ['/v2/sip', false],
      ['/v2/iex', true],
    ]);
  });
});

describe('invalid frames → 400 invalid syntax, socket kept', () => {
  it.each([
    ['not JSON', '{"action":'],
    ['an array', '[{"action":"auth"}]'],
    ['an unknown action', '{"action":"listen"}'],
    ["the trading stream's authenticate", '{"action":"authenticate","data":{"key_id":"k","secret_key":"s"}}'],
    ['auth without a secret', '{"action":"auth","key":"spec-key"}'],
  ])('%s', async (_label, text) => {
    const client = await connect(emulator, '/v2/iex');
    client.send(text);
    expect(await client.nextMessages()).toEqual(errorFrame(400, 'invalid syntax'));
    client.send(AUTH);
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'authenticated' }]);
    expect(emulator.streamActions[0]).toMatchObject({ decoded: text !== '{"action":' });
  });

  it.each([
    ['all channels empty', { action: 'subscribe', trades: [], quotes: [] }],
    ['no channel at all', { action: 'subscribe' }],
    ['an unknown channel', { action: 'subscribe', candles: ['AAPL'] }],
    ['an empty symbol', { action: 'subscribe', trades: [''] }],
    ['a symbol that is not a string', { action: 'subscribe', trades: [42] }],
    ['a channel that is not a list', { action: 'subscribe', trades: 'AAPL' }],
  ])('subscribe with %s', async (_label, frame) => {
    const client = await authenticated(emulator, '/v2/iex');
    client.send(frame);
    expect(await client.nextMessages()).toEqual(errorFrame(400, 'invalid syntax'));
  });
});

describe('options endpoints', () => {
  it.each(['/v1beta1/indicative', '/v1beta1/opra'] as const)(
    '%s with msgpack: binary frames, connected then authenticated',
    async (endpoint) => {
      const client = await StreamClient.connect(emulator.streamUrl(endpoint), { msgpack: true });
      const greeting = await client.next();
      expect(greeting.binary).toBe(true);
      // §3.2's bytes: fixarray(1), fixmap(2), "T" → "success", "msg" → "connected".
      expect(greeting.raw.subarray(0, 4)).toEqual(Buffer.from([0x91, 0x82, 0xa1, 0x54]));
      expect(greeting.messages).toEqual([{ T: 'success', msg: 'connected' }]);
      client.send(AUTH);
      const reply = await client.next();
      expect(reply).toMatchObject({ binary: true, messages: [{ T: 'success', msg: 'authenticated' }] });
      expect(emulator.streamConnections[0]).toMatchObject({ endpoint, encoding: 'msgpack', authenticated: true });
    },
  );

  it('without msgpack: connected, 412, then a close', async () => {
    const client = await StreamClient.connect(emulator.streamUrl('/v1beta1/indicative'), {
      headers: { 'Content-Type': 'application/json' },
    });
    expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'connected' }]);
    expect(await client.nextMessages()).toEqual(
      errorFrame(412, 'option messages are only available in MsgPack format'),
    );
    expect(await client.closed()).toBe(1000);
  });
});
