/**
 * The client stream end to end: the real gateway, its WebSocket and SSE transports, and Alpaca's
 * stream protocol spoken by the emulator (JSON for stocks, msgpack for options).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiKeyStore } from '../../../src/auth/api-keys/api-key-store.js';
import { eventually, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { listenOnLoopback, StreamClient, type StreamMessage } from '../support/stream-client.js';

const STOCKS = '/v2/iex';
const OPTIONS = '/v1beta1/indicative';
const CONTRACT = 'AAPL240426C00162500';
const bearer = (roles: string[], sub = `stream-${roles.join('-')}`): Record<string, string> => ({
  Authorization: `Bearer ${tokenFor(roles, { sub })}`,
});

/** A quote exactly as Alpaca writes it (values chosen to show they pass through untouched). */
const QUOTE = {
  T: 'q',
  S: 'AAPL',
  bx: 'V',
  bp: 172.6,
  bs: 3,
  ax: 'V',
  ap: 172.61,
  as: 1,
  c: ['R'],
  z: 'C',
  t: '2026-11-27T15:30:00.123456789Z',
};

let gw: Gateway;
let url: string;
const clients: StreamClient[] = [];

async function client(headers: Record<string, string> = bearer(['viewer'])): Promise<StreamClient> {
  const c = await StreamClient.connect(url, headers);
  clients.push(c);
  return c;
}

async function subscribed(c: StreamClient, frame: Record<string, unknown>): Promise<StreamMessage> {
  const after = c.messages.length;
  c.send({ action: 'subscribe', ...frame });
  return c.next((m) => m.type === 'subscription' || m.type === 'error', { after });
}

beforeAll(async () => {
  gw = await startGateway({ STREAM_UPSTREAM_LINGER_MS: '50', STREAM_AUTH_TIMEOUT_MS: '300' }, { streamSlotHoldMs: 0 });
  url = await listenOnLoopback(gw.app);
});
afterAll(async () => {
  await gw.close();
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0), 5000);
  await gw.reset();
});

describe('connecting and authenticating', () => {
  it('header credentials: connected, authenticated, then the subscription after each change', async () => {
    const c = await client(bearer(['viewer'], 'alice'));
    await c.nextOfType('authenticated');
    expect(c.messages.slice(0, 2)).toEqual([
      { type: 'connected' },
      { type: 'authenticated', subject: 'alice', roles: ['viewer'] },
    ]);
    expect(await subscribed(c, { quotes: ['aapl', 'MSFT'], trades: ['AAPL'] })).toEqual({
      type: 'subscription',
      quotes: ['AAPL', 'MSFT'],
      trades: ['AAPL'],
      bars: [],
      updated_bars: [],
      daily_bars: [],
      statuses: [],
      lulds: [],
      option_quotes: [],
      option_trades: [],
      orders: false,
    });
    expect(
      await (async () => {
        const after = c.messages.length;
        c.send({ action: 'unsubscribe', quotes: ['MSFT'] });
        return c.nextOfType('subscription', after);
      })(),
    ).toMatchObject({ quotes: ['AAPL'], trades: ['AAPL'] });
  });

  it('an API key on the upgrade, or an auth frame (browsers)', async () => {
    const { key } = new ApiKeyStore(gw.apiKeysFile).create('stream-bot', ['premium']);
    const byKey = await client({ 'X-API-Key': key });
    expect(await byKey.nextOfType('authenticated')).toMatchObject({ roles: ['premium'] });
    const browser = await client({});
    browser.send({ action: 'auth', token: tokenFor(['viewer'], { sub: 'browser' }) });
    expect(await browser.nextOfType('authenticated')).toMatchObject({ subject: 'browser' });
    expect(await subscribed(browser, { quotes: ['AAPL'] })).toMatchObject({ type: 'subscription', quotes: ['AAPL'] });
  });

  it('no credentials in time → an error, then closed with 4401', async () => {
    const c = await client({});
    expect(await c.closed()).toEqual({ code: 4401, reason: 'authentication timeout' });
    expect(c.of('error')).toEqual([expect.objectContaining({ code: 'AUTHENTICATION_REQUIRED' })]);
  });

  it('bad credentials → the catalog error, then 4401; a subscribe before auth is refused without closing', async () => {
    const bad = await client({ Authorization: 'Bearer not.a.token' });
    expect(await bad.closed()).toMatchObject({ code: 4401 });
    expect(bad.of('error')[0]).toMatchObject({ code: 'INVALID_TOKEN' });
    const early = await client({});
    early.send({ action: 'subscribe', quotes: ['AAPL'] });
    expect(await early.nextOfType('error')).toMatchObject({ code: 'AUTHENTICATION_REQUIRED' });
    expect(early.closeCode).toBeNull();
  });

  it('a revoked key closes its connection with 4401', async () => {
    const store = new ApiKeyStore(gw.apiKeysFile);
    const { key, record } = store.create('to-revoke', ['viewer']);
    const c = await client({ 'X-API-Key': key });
    await c.nextOfType('authenticated');
    store.revoke(record.id);
    expect(await c.closed()).toMatchObject({ code: 4401 });
    expect(c.of('error').at(-1)).toMatchObject({
      code: 'INVALID_API_KEY',
      details: { reason: 'the API key of this connection was revoked' },
    });
  });
});

describe('subscriptions: roles, symbols and limits', () => {
  it('viewer on an option channel → INSUFFICIENT_PERMISSIONS, nothing subscribed, socket open', async () => {
    const c = await client(bearer(['viewer']));
    await c.nextOfType('authenticated');
    expect(await subscribed(c, { option_quotes: [CONTRACT] })).toMatchObject({
      type: 'error',
      code: 'INSUFFICIENT_PERMISSIONS',
      details: { required_permission: 'options:read' },
    });
    expect(await subscribed(c, { quotes: ['AAPL'] })).toMatchObject({
      type: 'subscription',
      quotes: ['AAPL'],
      option_quotes: [],
    });
    expect(c.closeCode).toBeNull();
  });

  it('bad symbols → the same catalog errors as REST, and the whole request is refused', async () => {
    const c = await client(bearer(['premium']));
    await c.nextOfType('authenticated');
    expect(await subscribed(c, { quotes: ['AAPL', 'ſpy', 'TOOLONGX'] })).toMatchObject({
      type: 'error',
      code: 'INVALID_SYMBOL_FORMAT',
    });
    expect(await subscribed(c, { option_quotes: ['AAPL24042C00162500'] })).toMatchObject({
      type: 'error',
      code: 'INVALID_OPTION_SYMBOL',
    });
    expect(await subscribed(c, { news: ['AAPL'] })).toMatchObject({ type: 'error', code: 'INVALID_PARAMETER' });
    const after = c.messages.length;
    c.send('not json');
    expect(await c.nextOfType('error', after)).toMatchObject({ code: 'INVALID_PARAMETER' });
    expect(await subscribed(c, { quotes: ['AAPL'] })).toMatchObject({ quotes: ['AAPL'] });
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
  });

  it('past the per-connection limit or the plan limit → STREAM_SYMBOL_LIMIT, nothing changed', async () => {
    const limited = await startGateway(
      { ALPACA_STREAM_MAX_SYMBOLS: '3', STREAM_MAX_SYMBOLS_PER_CONNECTION: '2', STREAM_UPSTREAM_LINGER_MS: '50' },
      { streamSlotHoldMs: 0 },
    );
    const limitedUrl = await listenOnLoopback(limited.app);
    const a = await StreamClient.connect(limitedUrl, bearer(['viewer'], 'lim-a'));
    const b = await StreamClient.connect(limitedUrl, bearer(['viewer'], 'lim-b'));
    const c = await StreamClient.connect(limitedUrl, bearer(['viewer'], 'lim-c'));
    try {
      await Promise.all([a.nextOfType('authenticated'), b.nextOfType('authenticated'), c.nextOfType('authenticated')]);
      expect(await subscribed(a, { quotes: ['AAPL', 'MSFT', 'TSLA'] })).toMatchObject({
        code: 'STREAM_SYMBOL_LIMIT',
        details: { scope: 'connection', limit: 2 },
      });
      expect(await subscribed(a, { quotes: ['AAPL', 'MSFT'] })).toMatchObject({
        type: 'subscription',
        quotes: ['AAPL', 'MSFT'],
      });
      expect(await subscribed(b, { quotes: ['AAPL', 'TSLA'] })).toMatchObject({
        type: 'subscription',
        quotes: ['AAPL', 'TSLA'],
      });
      // A fourth distinct symbol on the stock stream would pass the plan's 3; one already streamed does not.
      expect(await subscribed(c, { trades: ['IBM'] })).toMatchObject({
        code: 'STREAM_SYMBOL_LIMIT',
        details: { scope: 'upstream_plan', limit: 3, would_be: 4 },
      });
      expect(await subscribed(c, { trades: ['AAPL'] })).toMatchObject({ type: 'subscription', trades: ['AAPL'] });
      await eventually(() => {
        const upstream = limited.emulator.streamOpenConnections(STOCKS)[0]?.subscription;
        expect(new Set(upstream?.quotes)).toEqual(new Set(['AAPL', 'MSFT', 'TSLA']));
        expect(upstream?.trades).toEqual(['AAPL']);
      });
      await c.close();
    } finally {
      await a.close();
      await b.close();
      await limited.close();
    }
  });
});

describe('one upstream socket per endpoint, fanned out', () => {
  it('500 clients on overlapping symbols → one socket per endpoint whose subscription is the union; the last leaver unsubscribes', async () => {
    const pool = ['AAPL', 'MSFT', 'TSLA', 'AMZN', 'NVDA', 'META', 'GOOG', 'AMD', 'INTC', 'IBM'];
    const many: StreamClient[] = [];
    for (let i = 0; i < 500; i += 1)
      many.push(await client(bearer(i % 10 === 0 ? ['premium'] : ['viewer'], `fan-${i}`)));
    await Promise.all(many.map((c) => c.nextOfType('authenticated')));
    await Promise.all(
      many.map((c, i) =>
        subscribed(
          c,
          i % 10 === 0
            ? { quotes: [pool[i % 7] ?? 'AAPL'], option_quotes: [CONTRACT] }
            : { quotes: [pool[i % 7] ?? 'AAPL', pool[(i + 3) % 10] ?? 'IBM'] },
        ),
      ),
    );
    expect(many.every((c) => c.of('subscription').length === 1)).toBe(true);
    await eventually(() => {
      expect(gw.emulator.streamOpenCount(STOCKS)).toBe(1);
      expect(gw.emulator.streamOpenCount(OPTIONS)).toBe(1);
      expect(new Set(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(new Set(pool));
      expect(gw.emulator.streamOpenConnections(OPTIONS)[0]?.subscription.quotes).toEqual([CONTRACT]);
    });
    // Every client gets the ticks of its symbols, once each.
    gw.emulator.streamPublish(STOCKS, { ...QUOTE, S: 'MSFT' });
    const msftHolders = many.filter(
      (_, i) => pool[i % 7] === 'MSFT' || (i % 10 !== 0 && pool[(i + 3) % 10] === 'MSFT'),
    );
    await Promise.all(msftHolders.map((c) => c.nextOfType('quote')));
    expect(many.filter((c) => c.of('quote').length > 0)).toHaveLength(msftHolders.length);
    // Everyone but one MSFT holder leaves: MSFT stays upstream; then the last one leaves.
    const [last, ...others] = msftHolders;
    await Promise.all(many.filter((c) => c !== last).map((c) => c.close()));
    const lastQuotes = last.of('subscription')[0]?.['quotes'] as string[];
    expect(lastQuotes).toContain('MSFT');
    await eventually(() =>
      expect(new Set(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes)).toEqual(new Set(lastQuotes)),
    );
    expect(others.length).toBeGreaterThan(0);
    await last.close();
    await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0));
    const unsubscribes = gw.emulator.streamActions.filter(
      (a) => (a.frame as { action?: string }).action === 'unsubscribe',
    );
    expect(unsubscribes.length).toBeGreaterThan(0);
    // Alpaca was never told of one symbol twice: each subscribe frame adds only symbols not yet there.
    const subscribeFrames = gw.emulator.streamActions.filter(
      (a) => a.endpoint === STOCKS && (a.frame as { action?: string }).action === 'subscribe',
    );
    const told = subscribeFrames.flatMap((a) => (a.frame as { quotes?: string[] }).quotes ?? []);
    expect(told.length).toBe(new Set(told).size);
  }, 60_000);

  it('values pass through exactly, in our names, with provenance; options arrive from msgpack with nanoseconds', async () => {
    const c = await client(bearer(['premium']));
    await c.nextOfType('authenticated');
    await subscribed(c, { quotes: ['AAPL'], option_quotes: [CONTRACT] });
    await eventually(() =>
      expect(gw.emulator.streamOpenConnections().map((v) => v.subscription.quotes)).toEqual(
        expect.arrayContaining([['AAPL'], [CONTRACT]]),
      ),
    );
    gw.emulator.streamPublish(STOCKS, QUOTE);
    const quote = await c.nextOfType('quote');
    expect(quote).toEqual({
      type: 'quote',
      symbol: 'AAPL',
      timestamp: '2026-11-27T15:30:00.123456789Z',
      bid_price: 172.6,
      bid_size: 3,
      bid_exchange: 'V',
      ask_price: 172.61,
      ask_size: 1,
      ask_exchange: 'V',
      conditions: ['R'],
      tape: 'C',
      received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      feed: 'iex',
      provider: 'non_alpaca_host',
      data_quality: { checked: true, flags: [] },
    });
    gw.emulator.streamPublish(OPTIONS, {
      T: 'q',
      S: CONTRACT,
      t: '2026-11-27T15:30:01.000000007Z',
      bx: 'C',
      bp: 4.1,
      bs: 16,
      ax: 'B',
      ap: 4.3,
      as: 91,
      c: 'A',
    });
    const option = await c.nextOfType('option_quote');
    expect(option).toMatchObject({
      symbol: CONTRACT,
      timestamp: '2026-11-27T15:30:01.000000007Z',
      bid_price: 4.1,
      ask_size: 91,
      condition: 'A',
      feed: 'indicative',
    });
    // A crossed quote with a zero size: flagged on the message, values as Alpaca sent them.
    gw.emulator.streamPublish(STOCKS, { ...QUOTE, bp: 200, ap: 100, as: 0 });
    const crossed = await c.next((m) => m.type === 'quote' && m['bid_price'] === 200);
    expect(crossed).toMatchObject({
      bid_price: 200,
      ask_price: 100,
      ask_size: 0,
      data_quality: { checked: true, flags: ['crossed_quote', 'non_positive_size'] },
    });
  });
});

describe('the other stock channels: updated and daily bars, statuses, LULD bands; corrections and cancel/errors with trades', () => {
  const T = '2026-11-27T15:30:00.123456789Z';
  const STATUS = {
    T: 's',
    S: 'AAPL',
    sc: 'H',
    sm: 'Trading Halt',
    rc: 'T12',
    rm: 'Trading Halted; For information requested by NASDAQ',
    t: T,
    z: 'C',
  };
  const LULD = { T: 'l', S: 'AAPL', u: 175.93, d: 159.17, i: 'B', t: T, z: 'C' };
  const UPDATED = {
    T: 'u',
    S: 'MSFT',
    o: 294.1,
    h: 294.2,
    l: 294.05,
    c: 294.12,
    v: 1200,
    n: 14,
    vw: 294.11,
    t: '2026-11-27T15:29:00Z',
  };
  const CORRECTION = {
    T: 'c',
    S: 'AAPL',
    x: 'M',
    oi: 52983525033527,
    op: 172.5,
    os: 100,
    oc: [' ', '7'],
    ci: 52983525034326,
    cp: 172.55,
    cs: 100,
    cc: [' ', '7'],
    z: 'C',
    t: T,
  };
  const CANCEL = { T: 'x', S: 'AAPL', i: 465, x: 'D', p: 172.6, s: 300, a: 'C', z: 'C', t: T };
  const provenance = {
    received_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    feed: 'iex',
    provider: 'non_alpaca_host',
    data_quality: { checked: true, flags: [] },
  };

  it("one upstream subscribe in Alpaca's channel names; daily bars (generated) and statuses (and the rest) arrive in our names with provenance", async () => {
    const c = await client(bearer(['viewer']));
    await c.nextOfType('authenticated');
    expect(
      await subscribed(c, {
        daily_bars: ['msft'],
        statuses: ['AAPL'],
        lulds: ['AAPL'],
        updated_bars: ['MSFT'],
        trades: ['AAPL'],
      }),
    ).toEqual({
      type: 'subscription',
      quotes: [],
      trades: ['AAPL'],
      bars: [],
      updated_bars: ['MSFT'],
      daily_bars: ['MSFT'],
      statuses: ['AAPL'],
      lulds: ['AAPL'],
      option_quotes: [],
      option_trades: [],
      orders: false,
    });
    await eventually(() =>
      expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
        trades: ['AAPL'],
        updatedBars: ['MSFT'],
        dailyBars: ['MSFT'],
        statuses: ['AAPL'],
        lulds: ['AAPL'],
        corrections: ['AAPL'],
        cancelErrors: ['AAPL'],
      }),
    );
    // The whole set in one subscribe frame (Alpaca adds corrections and cancel/errors to trades by itself).
    const subscribes = gw.emulator.streamActions
      .filter((a) => a.endpoint === STOCKS && (a.frame as { action?: string }).action === 'subscribe')
      .map((a) => a.frame);
    expect(subscribes).toEqual([
      {
        action: 'subscribe',
        trades: ['AAPL'],
        updatedBars: ['MSFT'],
        dailyBars: ['MSFT'],
        statuses: ['AAPL'],
        lulds: ['AAPL'],
      },
    ]);

    // The emulator generates daily bars on each round: MSFT's from its fixture trade (294.1), ±3 cents.
    gw.emulator.streamTick();
    expect(await c.nextOfType('daily_bar')).toEqual({
      type: 'daily_bar',
      symbol: 'MSFT',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT0[45]:00:00Z$/),
      open: 294.1,
      high: 294.13,
      low: 294.07,
      close: expect.any(Number),
      volume: expect.any(Number),
      trade_count: expect.any(Number),
      vwap: 294.1,
      ...provenance,
    });

    const after = c.messages.length;
    gw.emulator.streamPublish(STOCKS, [STATUS, LULD, UPDATED, CORRECTION, CANCEL]);
    await c.next((m) => m.type === 'cancel_error', { after });
    expect(c.messages.slice(after)).toEqual([
      {
        type: 'status',
        symbol: 'AAPL',
        timestamp: T,
        status_code: 'H',
        status_message: 'Trading Halt',
        reason_code: 'T12',
        reason_message: 'Trading Halted; For information requested by NASDAQ',
        tape: 'C',
        ...provenance,
      },
      {
        type: 'luld',
        symbol: 'AAPL',
        timestamp: T,
        limit_up_price: 175.93,
        limit_down_price: 159.17,
        indicator: 'B',
        tape: 'C',
        ...provenance,
      },
      {
        type: 'updated_bar',
        symbol: 'MSFT',
        timestamp: '2026-11-27T15:29:00Z',
        open: 294.1,
        high: 294.2,
        low: 294.05,
        close: 294.12,
        volume: 1200,
        trade_count: 14,
        vwap: 294.11,
        ...provenance,
      },
      {
        type: 'correction',
        symbol: 'AAPL',
        timestamp: T,
        exchange: 'M',
        original_trade_id: '52983525033527',
        original_price: 172.5,
        original_size: 100,
        original_conditions: [' ', '7'],
        corrected_trade_id: '52983525034326',
        corrected_price: 172.55,
        corrected_size: 100,
        corrected_conditions: [' ', '7'],
        tape: 'C',
        ...provenance,
      },
      {
        type: 'cancel_error',
        symbol: 'AAPL',
        timestamp: T,
        trade_id: '465',
        exchange: 'D',
        price: 172.6,
        size: 300,
        action: 'C',
        tape: 'C',
        ...provenance,
      },
    ]);
  });

  it("each client gets only its own channels: a status goes to the symbol's statuses subscribers, a correction to its trades subscribers", async () => {
    const statuses = await client(bearer(['viewer'], 'statuses-only'));
    const trades = await client(bearer(['viewer'], 'trades-only'));
    await Promise.all([statuses.nextOfType('authenticated'), trades.nextOfType('authenticated')]);
    await subscribed(statuses, { statuses: ['AAPL'] });
    await subscribed(trades, { trades: ['AAPL'] });
    await eventually(() =>
      expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
        trades: ['AAPL'],
        statuses: ['AAPL'],
      }),
    );
    gw.emulator.streamPublish(STOCKS, [STATUS, CORRECTION]);
    await Promise.all([statuses.nextOfType('status'), trades.nextOfType('correction')]);
    // A later frame for both: by then each has seen all it would get of the first one.
    gw.emulator.streamPublish(STOCKS, [{ ...STATUS, sc: 'T' }, CANCEL]);
    await Promise.all([statuses.next((m) => m['status_code'] === 'T'), trades.nextOfType('cancel_error')]);
    expect(
      statuses.messages
        .filter((m) => !['connected', 'authenticated', 'subscription'].includes(m.type))
        .map((m) => m.type),
    ).toEqual(['status', 'status']);
    expect(
      trades.messages
        .filter((m) => !['connected', 'authenticated', 'subscription'].includes(m.type))
        .map((m) => m.type),
    ).toEqual(['correction', 'cancel_error']);
    // Unsubscribing the last holder takes it off upstream.
    const after = statuses.messages.length;
    statuses.send({ action: 'unsubscribe', statuses: ['AAPL'] });
    expect(await statuses.nextOfType('subscription', after)).toMatchObject({ statuses: [] });
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.statuses).toEqual([]));
  });

  it('the new channels count toward the per-connection limit and need market:read like bars; unknown channels stay refused', async () => {
    const limited = await startGateway(
      { STREAM_MAX_SYMBOLS_PER_CONNECTION: '2', STREAM_UPSTREAM_LINGER_MS: '50' },
      { streamSlotHoldMs: 0 },
    );
    const limitedUrl = await listenOnLoopback(limited.app);
    const c = await StreamClient.connect(limitedUrl, bearer(['viewer'], 'lim-channels'));
    try {
      await c.nextOfType('authenticated');
      expect(await subscribed(c, { statuses: ['AAPL'], lulds: ['AAPL'] })).toMatchObject({
        type: 'subscription',
        statuses: ['AAPL'],
        lulds: ['AAPL'],
      });
      expect(await subscribed(c, { daily_bars: ['AAPL'] })).toMatchObject({
        code: 'STREAM_SYMBOL_LIMIT',
        details: { scope: 'connection', limit: 2 },
      });
      expect(await subscribed(c, { imbalances: ['AAPL'] })).toMatchObject({ code: 'INVALID_PARAMETER' });
    } finally {
      await c.close();
      await limited.close();
    }
  });
});

describe('the stream feeds the cache', () => {
  it("a streamed symbol's REST quote is the streamed one, with no upstream REST call", async () => {
    const c = await client(bearer(['viewer']));
    await c.nextOfType('authenticated');
    await subscribed(c, { quotes: ['AAPL'] });
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    gw.emulator.streamPublish(STOCKS, QUOTE);
    await c.nextOfType('quote');
    gw.emulator.clearRequests();
    const res = await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    expect(res.body.data).toMatchObject({ symbol: 'AAPL', bid_price: 172.6, ask_price: 172.61, timestamp: QUOTE.t });
    expect(res.body.metadata.cache.status).toBe('STREAM');
    expect(res.body.metadata.data_quality).toEqual({ checked: true, flags: [] });
    expect(res.headers['x-cache-status']).toBe('STREAM');
    expect(res.body.metadata.data_timestamp).toBe(QUOTE.t);
    expect(gw.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(0);
    // Once nobody streams it, REST goes back to Alpaca.
    await c.close();
    await gw.http().get('/api/v1/stocks/AAPL/quote').expect(200);
    expect(gw.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(1);
  });
});

describe('interruptions', () => {
  it('the upstream socket killed, then 406 while reconnecting: clients get a gap, then data, without reconnecting; never two sockets', async () => {
    const c = await client(bearer(['viewer']));
    await c.nextOfType('authenticated');
    await subscribed(c, { quotes: ['AAPL'] });
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    let maxOpen = 0;
    const watch = setInterval(() => (maxOpen = Math.max(maxOpen, gw.emulator.streamOpenCount(STOCKS))), 5);
    try {
      gw.emulator.streamForceConnectionLimit(1);
      gw.emulator.streamDropAll();
      const gap = await c.next((m) => m.type === 'gap', { timeoutMs: 20_000 });
      expect(gap).toMatchObject({
        type: 'gap',
        stream: 'stocks',
        from: expect.any(String),
        to: expect.any(String),
        reason: expect.any(String),
      });
      await eventually(
        () => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']),
        5000,
      );
      gw.emulator.streamPublish(STOCKS, QUOTE);
      await c.nextOfType('quote');
    } finally {
      clearInterval(watch);
    }
    // Never two sockets: sampled, and from the emulator's own record of every connection's life.
    expect(maxOpen).toBeLessThanOrEqual(1);
    const lives = gw.emulator.streamConnections
      .filter((r) => r.endpoint === STOCKS && r.authenticated)
      .map((r) => [r.openedAt, r.closedAt ?? Infinity] as const);
    expect(lives.length).toBeGreaterThanOrEqual(2);
    for (const [i, [openA, closeA]] of lives.entries())
      for (const [openB, closeB] of lives.slice(i + 1)) expect(openA < closeB && openB < closeA).toBe(false);
    expect(c.closeCode).toBeNull();
    const refused = gw.emulator.streamConnections.filter((r) => r.endpoint === STOCKS && !r.authenticated);
    expect(refused.length).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('a client that never reads does not hold up the others, costs bounded memory, and learns what it lost', async () => {
    const slow = await client(bearer(['viewer'], 'slow'));
    const fast = await client(bearer(['viewer'], 'fast'));
    await Promise.all([slow.nextOfType('authenticated'), fast.nextOfType('authenticated')]);
    await Promise.all([subscribed(slow, { quotes: ['AAPL'] }), subscribed(fast, { quotes: ['AAPL'] })]);
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    // The slow client stops reading its socket: the kernel buffers fill, then its queue.
    (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const FRAMES = 200;
    const PER_FRAME = 100;
    for (let i = 0; i < FRAMES; i += 1) {
      gw.emulator.streamPublish(
        STOCKS,
        Array.from({ length: PER_FRAME }, (_, j) => ({ ...QUOTE, bs: i * PER_FRAME + j })),
      );
    }
    await eventually(() => expect(fast.of('quote')).toHaveLength(FRAMES * PER_FRAME), 20_000);
    const metrics = (await gw.anon().get('/metrics').expect(200)).text;
    expect(Number(/^opitios_stream_dropped_total (\d+)/m.exec(metrics)?.[1] ?? 0)).toBeGreaterThan(0);
    (slow.socket as unknown as { _socket: { resume(): void } })._socket.resume();
    const dropped = await slow.next((m) => m.type === 'dropped', { timeoutMs: 20_000 });
    expect(dropped['count']).toBeGreaterThan(0);
    expect(slow.of('quote').length + Number(dropped['count'])).toBeLessThanOrEqual(FRAMES * PER_FRAME);
  }, 60_000);
});

describe('Server-Sent Events', () => {
  function sse(
    path: string,
    headers: Record<string, string>,
  ): Promise<{
    status: number;
    events: Array<{ event: string; data: StreamMessage }>;
    res: http.IncomingMessage;
    body: string;
  }> {
    const { port } = gw.app.getHttpServer().address() as AddressInfo;
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
        const out = {
          status: res.statusCode ?? 0,
          events: [] as Array<{ event: string; data: StreamMessage }>,
          res,
          body: '',
        };
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          out.body += chunk;
          const blocks = out.body.split('\n\n');
          out.events = blocks
            .filter((b) => b.startsWith('event: '))
            .map((b) => ({
              event: b.split('\n')[0]?.slice(7) ?? '',
              data: JSON.parse(b.split('\n')[1]?.slice(6) ?? 'null') as StreamMessage,
            }));
        });
        resolve(out);
      });
      req.on('error', reject);
    });
  }

  it('the same messages as events, for curl', async () => {
    const stream = await sse('/api/v1/stream/events?quotes=AAPL', bearer(['viewer']));
    expect(stream.status).toBe(200);
    expect(stream.res.headers['content-type']).toMatch(/^text\/event-stream/);
    await eventually(() =>
      expect(stream.events.map((e) => e.event)).toEqual(['connected', 'authenticated', 'subscription']),
    );
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    gw.emulator.streamPublish(STOCKS, QUOTE);
    await eventually(() =>
      expect(stream.events.at(-1)).toMatchObject({
        event: 'quote',
        data: { type: 'quote', symbol: 'AAPL', bid_price: 172.6 },
      }),
    );
    stream.res.destroy();
    await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0));
  });

  it("the upstream socket an SSE request opened is not that request's: its lines after the request ended (drop, reconnect) name no request", async () => {
    const stream = await sse('/api/v1/stream/events?quotes=AAPL', bearer(['viewer']));
    const requestId = stream.res.headers['x-request-id'];
    expect(typeof requestId).toBe('string');
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    // A WebSocket client keeps the upstream wanted once the SSE request has ended.
    const c = await client(bearer(['viewer']));
    await c.nextOfType('authenticated');
    await subscribed(c, { quotes: ['AAPL'] });
    stream.res.destroy();
    await eventually(() =>
      expect(gw.logs.some((l) => l['message'] === 'http_request_aborted' && l['request_id'] === requestId)).toBe(true),
    );
    const from = gw.logs.length;
    gw.emulator.streamDropAll();
    await c.nextOfType('gap');
    await eventually(
      () => expect(gw.logs.slice(from).some((l) => l['message'] === 'upstream_stream_connecting')).toBe(true),
      5000,
    );
    const later = gw.logs
      .slice(from)
      .filter((l) => typeof l['message'] === 'string' && l['message'].startsWith('upstream_stream_'));
    expect(later.map((l) => l['message'])).toEqual(
      expect.arrayContaining(['upstream_stream_interrupted', 'upstream_stream_connecting']),
    );
    for (const l of later)
      expect({ line: l['message'], request_id: l['request_id'] }).toEqual({
        line: l['message'],
        request_id: undefined,
      });
  }, 30_000);

  it('the other stock channels are query channels too: ?statuses=AAPL&daily_bars=MSFT', async () => {
    const stream = await sse('/api/v1/stream/events?statuses=AAPL&daily_bars=MSFT', bearer(['viewer']));
    expect(stream.status).toBe(200);
    await eventually(() =>
      expect(stream.events.map((e) => e.event)).toEqual(['connected', 'authenticated', 'subscription']),
    );
    expect(stream.events[2]?.data).toMatchObject({ statuses: ['AAPL'], daily_bars: ['MSFT'] });
    await eventually(() =>
      expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription).toMatchObject({
        statuses: ['AAPL'],
        dailyBars: ['MSFT'],
      }),
    );
    gw.emulator.streamPublish(STOCKS, {
      T: 's',
      S: 'AAPL',
      sc: 'H',
      sm: 'Trading Halt',
      rc: 'T12',
      rm: 'News pending',
      t: '2026-11-27T15:30:00Z',
      z: 'C',
    });
    await eventually(() =>
      expect(stream.events.at(-1)).toMatchObject({
        event: 'status',
        data: { type: 'status', symbol: 'AAPL', status_code: 'H', reason_message: 'News pending' },
      }),
    );
    stream.res.destroy();
    await eventually(() => expect(gw.emulator.streamOpenCount()).toBe(0));
  });

  it('bad requests are ordinary catalog errors before the stream starts', async () => {
    const viewerOnOptions = await gw
      .anon()
      .get('/api/v1/stream/events')
      .query({ option_quotes: CONTRACT })
      .set(bearer(['viewer']));
    expect(viewerOnOptions.status).toBe(403);
    expect(viewerOnOptions.body.error.code).toBe('INSUFFICIENT_PERMISSIONS');
    const bad = await gw
      .anon()
      .get('/api/v1/stream/events')
      .query({ quotes: 'AAPL,ſpy' })
      .set(bearer(['viewer']));
    expect(bad.body.error.code).toBe('INVALID_SYMBOL_FORMAT');
    expect((await gw.anon().get('/api/v1/stream/events').query({ quotes: 'AAPL' })).status).toBe(401);
    expect(gw.emulator.streamOpenCount()).toBe(0);
  });
});

describe('documentation and metrics', () => {
  it('the AsyncAPI 3 document of the stream is served and linked from Swagger', async () => {
    const doc = (await gw.anon().get('/asyncapi.json').expect(200).expect('content-type', /json/)).body as {
      asyncapi: string;
      channels: { stream: { address: string; messages: Record<string, unknown> } };
      operations: Record<string, { action: string }>;
    };
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels.stream.address).toBe('/api/v1/stream');
    expect(Object.keys(doc.channels.stream.messages).sort()).toEqual([
      'auth',
      'authenticated',
      'bar',
      'cancel_error',
      'connected',
      'correction',
      'daily_bar',
      'dropped',
      'error',
      'gap',
      'luld',
      'option_quote',
      'option_trade',
      'order_update',
      'quote',
      'status',
      'subscribe',
      'subscription',
      'trade',
      'unsubscribe',
      'updated_bar',
    ]);
    expect(
      Object.values(doc.operations)
        .map((o) => o.action)
        .sort(),
    ).toEqual(['receive', 'send']);
    const openapi = (await gw.anon().get('/docs-json').expect(200)).body as { info: { description: string } };
    expect(openapi.info.description).toContain('/asyncapi.json');
  });

  it('exports the stream series', async () => {
    const c = await client(bearer(['viewer'], 'metered'));
    await c.nextOfType('authenticated');
    await subscribed(c, { quotes: ['AAPL'] });
    await eventually(() => expect(gw.emulator.streamOpenConnections(STOCKS)[0]?.subscription.quotes).toEqual(['AAPL']));
    gw.emulator.streamPublish(STOCKS, QUOTE);
    await c.nextOfType('quote');
    const text = (await gw.anon().get('/metrics').expect(200)).text;
    expect(text).toMatch(/^opitios_stream_clients\{transport="ws"\} 1$/m);
    expect(text).toMatch(/^opitios_stream_subscriptions 1$/m);
    expect(text).toMatch(/^opitios_stream_upstream_state\{stream="stocks"\} 2$/m);
    expect(text).toMatch(/^opitios_stream_upstream_messages_total\{stream="stocks"\} [1-9]/m);
    expect(text).toMatch(/^opitios_stream_client_messages_total [1-9]/m);
    expect(text).toMatch(/^opitios_stream_tick_to_client_seconds_count \d+$/m);
  });
});
