import { MarketStreamPort } from '../../../src/alpaca/stream/market-stream.port.js';
import { SUBSCRIPTION_WINDOW_MS } from '../../../src/alpaca/stream/stream-options.js';
import { stockAck, StreamRig, START, want } from './stream-rig.js';

/** The data messages of every listener call so far, flattened. */
function received(rig: StreamRig): unknown[] {
  return rig.listener.batches.flatMap((batch) => batch.messages);
}

/**
 * Publishes with uint64 trade ids intact. The emulator writes JSON with JSON.stringify, which
 * cannot write an integer above 2^53 (Node 20 has no JSON.rawJSON), so ids go in as digit strings
 * and are unquoted on their way into the frame, exactly as Alpaca would send them.
 */
function publishWithRawIds(rig: StreamRig, messages: Array<{ T: string; S: string; [key: string]: unknown }>): number {
  const stringify = JSON.stringify;
  JSON.stringify = ((value: unknown, replacer?: never, space?: string | number) =>
    stringify(value, replacer, space).replace(/"i":"(\d+)"/g, '"i":$1')) as typeof JSON.stringify;
  try {
    return rig.emulator.streamPublish(rig.path, messages);
  } finally {
    JSON.stringify = stringify;
  }
}

let rig: StreamRig;
afterEach(() => rig.stop());

describe('AlpacaMarketStreamAdapter: handshake and subscriptions', () => {
  it('connects, authenticates, subscribes the whole wanted set in one message, then reports live', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['MSFT', 'AAPL'], trades: ['AAPL'], bars: ['SPY'] }));
    expect(stream.status()).toBe('connecting');
    await rig.untilStatus('live');
    expect(rig.listener.statuses).toEqual([{ status: 'live' }]);
    expect(rig.emulator.streamConnections).toMatchObject([
      { endpoint: '/v2/iex', encoding: 'json', authenticated: true },
    ]);
    expect(rig.actions()).toEqual([
      { action: 'auth', key: rig.emulator.keyId, secret: rig.emulator.secretKey },
      { action: 'subscribe', quotes: ['AAPL', 'MSFT'], trades: ['AAPL'], bars: ['SPY'] },
    ]);
    expect(rig.emulator.streamOpenConnections('/v2/iex')).toEqual([
      expect.objectContaining({
        authenticated: true,
        subscription: expect.objectContaining({ quotes: ['AAPL', 'MSFT'], trades: ['AAPL'], bars: ['SPY'] }),
      }),
    ]);
    expect(stream.acknowledged()).toEqual(stockAck({ quotes: ['AAPL', 'MSFT'], trades: ['AAPL'], bars: ['SPY'] }));
    expect(rig.logLines.join('')).not.toContain(rig.emulator.secretKey);
  });

  it('goes live without sending a subscribe when nothing is wanted', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open();
    await rig.untilStatus('live');
    expect(rig.actions()).toEqual([{ action: 'auth', key: rig.emulator.keyId, secret: rig.emulator.secretKey }]);
    expect(stream.acknowledged()).toEqual(stockAck({ quotes: [], trades: [], bars: [] }));
  });

  it('update sends only the differences: an added symbol alone, removals as unsubscribe first, nothing for no change', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    stream.update(want({ quotes: ['AAPL', 'MSFT'] }));
    // Nothing goes out before the coalescing window closes.
    expect(rig.actions()).toHaveLength(2);
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('MSFT acknowledged', () => stream.acknowledged().quotes?.has('MSFT') === true);
    expect(rig.actions().slice(2)).toEqual([{ action: 'subscribe', quotes: ['MSFT'] }]);

    stream.update(want({ quotes: ['MSFT'], trades: ['TSLA'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('the TSLA trades ack', () => stream.acknowledged().trades?.has('TSLA') === true);
    expect(rig.actions().slice(3)).toEqual([
      { action: 'unsubscribe', quotes: ['AAPL'] },
      { action: 'subscribe', trades: ['TSLA'] },
    ]);

    // The same set again sends nothing; the next real change is the only frame after it.
    stream.update(want({ quotes: ['MSFT'], trades: ['TSLA'] }));
    stream.update(want({ quotes: ['MSFT'], trades: ['TSLA'], bars: ['IBM'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('the bars ack', () => stream.acknowledged().bars?.has('IBM') === true);
    expect(rig.actions().slice(5)).toEqual([{ action: 'subscribe', bars: ['IBM'] }]);
    expect(stream.acknowledged()).toEqual(stockAck({ quotes: ['MSFT'], trades: ['TSLA'], bars: ['IBM'] }));
    expect(rig.emulator.streamOpenConnections('/v2/iex')[0].subscription).toMatchObject({
      quotes: ['MSFT'],
      trades: ['TSLA'],
      bars: ['IBM'],
    });
  });

  it('coalesces the updates of a window into one net diff: a symbol added and removed within it is never sent', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    stream.update(want({ quotes: ['AAPL', 'MSFT'] }));
    stream.update(want({ quotes: ['AAPL', 'MSFT', 'IBM'] }));
    stream.update(want({ quotes: ['AAPL', 'IBM', 'TSLA'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until(
      'the final set acknowledged',
      () => stream.acknowledged().quotes?.size === 3 && stream.acknowledged().quotes?.has('TSLA') === true,
    );
    expect(rig.actions().slice(2)).toEqual([{ action: 'subscribe', quotes: ['IBM', 'TSLA'] }]);
    expect(stream.acknowledged().quotes).toEqual(new Set(['AAPL', 'IBM', 'TSLA']));
  });

  it('churn: 1000 updates across windows send at most one unsubscribe and one subscribe per window, ending at the last set', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    for (let i = 0; i < 1000; i += 1) stream.update(want({ quotes: i % 2 === 0 ? ['AAPL', 'MSFT'] : ['IBM'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until(
      'the last set acknowledged',
      () => stream.acknowledged().quotes?.has('IBM') === true && stream.acknowledged().quotes?.size === 1,
    );
    expect(rig.actions().slice(2)).toEqual([
      { action: 'unsubscribe', quotes: ['AAPL'] },
      { action: 'subscribe', quotes: ['IBM'] },
    ]);
    // Changes made while the window's changes were in flight wait for the next window.
    for (let i = 0; i < 1000; i += 1) stream.update(want({ quotes: i % 2 === 0 ? ['TSLA'] : ['IBM', 'TSLA'] }));
    expect(rig.actions()).toHaveLength(4);
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('TSLA acknowledged', () => stream.acknowledged().quotes?.has('TSLA') === true);
    expect(rig.actions().slice(4)).toEqual([{ action: 'subscribe', quotes: ['TSLA'] }]);
  });

  it('405 symbol limit: refused with STREAM_SYMBOL_LIMIT, the socket stays live, and the refused set is not retried until update', async () => {
    rig = await StreamRig.start('stocks', { streamSlotHoldMs: 0 });
    rig.emulator.streamSetSymbolLimit(2);
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    stream.update(want({ quotes: ['AAPL', 'MSFT', 'IBM'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('the refusal', () => rig.listener.refusals.length === 1);
    expect(rig.listener.refusals[0]).toEqual({
      code: 'STREAM_SYMBOL_LIMIT',
      message: expect.any(String),
      details: {
        upstream_code: 405,
        upstream_message: 'symbol limit exceeded',
        change: { action: 'subscribe', quotes: ['IBM', 'MSFT'] },
      },
    });
    expect(stream.status()).toBe('live');
    expect(stream.acknowledged().quotes).toEqual(new Set(['AAPL']));
    expect(rig.emulator.streamOpenCount('/v2/iex')).toBe(1);

    // After a reconnect only what Alpaca had accepted is resubscribed, not the refused set.
    rig.emulator.streamDropAll();
    await rig.runRetry(1);
    await rig.untilStatus('live', 2);
    expect(rig.actions(2)).toEqual([
      expect.objectContaining({ action: 'auth' }),
      { action: 'subscribe', quotes: ['AAPL'] },
    ]);

    // A new update is tried again.
    stream.update(want({ quotes: ['AAPL', 'MSFT'] }));
    rig.clock.advance(SUBSCRIPTION_WINDOW_MS);
    await rig.until('MSFT acknowledged', () => stream.acknowledged().quotes?.has('MSFT') === true);
    expect(rig.actions(2).slice(2)).toEqual([{ action: 'subscribe', quotes: ['MSFT'] }]);
    expect(rig.listener.refusals).toHaveLength(1);
  });
});

describe('AlpacaMarketStreamAdapter: data', () => {
  it('stocks (JSON): one listener call per frame, REST field names, values as sent, a uint64 trade id to the digit', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AMD'], trades: ['AAPL'], bars: ['SPY'] }));
    await rig.untilStatus('live');
    rig.clock.advance(1_500);
    const frame = [
      {
        T: 't',
        S: 'AAPL',
        i: '18446744073709551615',
        x: 'K',
        p: 162.92,
        s: 3,
        c: ['@', 'F', 'T', 'I'],
        z: 'C',
        t: '2023-04-06T11:54:26.838232225Z',
      },
      {
        T: 'q',
        S: 'AMD',
        bx: 'K',
        bp: 91.95,
        bs: 2,
        ax: 'Q',
        ap: 91.98,
        as: 1,
        c: ['R'],
        z: 'C',
        t: '2023-04-06T11:54:21.670905508Z',
      },
      // A correction rides on the trades channel (Alpaca adds it to every trades symbol): carried as such.
      {
        T: 'c',
        S: 'AAPL',
        x: 'M',
        oi: 52983525033527,
        op: 39.1582,
        os: 440000,
        oc: [' ', '7'],
        ci: 52983525034326,
        cp: 39.1809,
        cs: 440000,
        cc: [' ', '7'],
        z: 'B',
        t: '2023-04-06T14:25:06.542305024Z',
      },
      {
        T: 'b',
        S: 'SPY',
        o: 388.985,
        h: 389.13,
        l: 388.975,
        c: 389.12,
        v: 49378,
        n: 461,
        vw: 389.062639,
        t: '2021-02-22T19:15:00Z',
      },
    ];
    expect(publishWithRawIds(rig, frame)).toBe(1);
    await rig.until('the frame', () => rig.listener.batches.length === 1);
    expect(rig.listener.batches[0]).toEqual({
      receivedAt: new Date(START + 1_500).toISOString(),
      messages: [
        {
          type: 'trade',
          symbol: 'AAPL',
          data: {
            timestamp: '2023-04-06T11:54:26.838232225Z',
            price: 162.92,
            size: 3,
            exchange: 'K',
            conditions: ['@', 'F', 'T', 'I'],
            tape: 'C',
            trade_id: '18446744073709551615',
            update: null,
          },
        },
        {
          type: 'quote',
          symbol: 'AMD',
          data: {
            timestamp: '2023-04-06T11:54:21.670905508Z',
            bid_price: 91.95,
            bid_size: 2,
            bid_exchange: 'K',
            ask_price: 91.98,
            ask_size: 1,
            ask_exchange: 'Q',
            conditions: ['R'],
            tape: 'C',
          },
        },
        {
          type: 'correction',
          symbol: 'AAPL',
          data: {
            timestamp: '2023-04-06T14:25:06.542305024Z',
            exchange: 'M',
            original_trade_id: '52983525033527',
            original_price: 39.1582,
            original_size: 440000,
            original_conditions: [' ', '7'],
            corrected_trade_id: '52983525034326',
            corrected_price: 39.1809,
            corrected_size: 440000,
            corrected_conditions: [' ', '7'],
            tape: 'B',
          },
        },
        {
          type: 'bar',
          symbol: 'SPY',
          data: {
            timestamp: '2021-02-22T19:15:00Z',
            open: 388.985,
            high: 389.13,
            low: 388.975,
            close: 389.12,
            volume: 49378,
            trade_count: 461,
            vwap: 389.062639,
          },
        },
      ],
    });
    expect(rig.observer.frames.at(-1)).toEqual({ data: 4, ignored: 0, malformed: 0 });
    expect(stream.status()).toBe('live');
  });

  it('options (msgpack both ways): timestamps with all nine fraction digits, `c` as one string', async () => {
    rig = await StreamRig.start('options');
    rig.open(want({ quotes: ['SPXW240327P04925000'], trades: ['AAPL240315C00172500'] }));
    await rig.untilStatus('live');
    expect(rig.emulator.streamConnections).toMatchObject([{ endpoint: '/v1beta1/indicative', encoding: 'msgpack' }]);
    expect(rig.actions()[1]).toEqual({
      action: 'subscribe',
      quotes: ['SPXW240327P04925000'],
      trades: ['AAPL240315C00172500'],
    });
    rig.emulator.streamPublish('/v1beta1/indicative', [
      { T: 't', S: 'AAPL240315C00172500', t: '2024-03-08T11:41:24.727071744Z', p: 2.84, s: 1, x: 'N', c: 'S' },
      {
        T: 'q',
        S: 'SPXW240327P04925000',
        t: '2024-03-12T11:59:38.8972615Z',
        bx: 'C',
        bp: 9.46,
        bs: 53,
        ax: 'C',
        ap: 9.66,
        as: 38,
        c: 'A',
      },
    ]);
    await rig.until('the frame', () => rig.listener.batches.length === 1);
    expect(received(rig)).toEqual([
      {
        type: 'option_trade',
        symbol: 'AAPL240315C00172500',
        data: { timestamp: '2024-03-08T11:41:24.727071744Z', price: 2.84, size: 1, exchange: 'N', condition: 'S' },
      },
      {
        type: 'option_quote',
        symbol: 'SPXW240327P04925000',
        data: {
          timestamp: '2024-03-12T11:59:38.897261500Z',
          bid_price: 9.46,
          bid_size: 53,
          bid_exchange: 'C',
          ask_price: 9.66,
          ask_size: 38,
          ask_exchange: 'C',
          condition: 'A',
        },
      },
    ]);
  });

  it('drops a malformed message, keeps the rest of its frame, logs once per kind and stays live', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AAPL', 'MSFT'] }));
    await rig.untilStatus('live');
    const good = {
      T: 'q',
      S: 'MSFT',
      bx: 'K',
      bp: 1.5,
      bs: 2,
      ax: 'Q',
      ap: 1.6,
      as: 1,
      c: ['R'],
      z: 'C',
      t: '2024-03-08T16:41:24.727000001Z',
    };
    const bad = { ...good, S: 'AAPL', bp: 'one fifty' };
    const before = rig.observer.frames.length;
    rig.emulator.streamPublish('/v2/iex', [bad, good]);
    rig.emulator.streamPublish('/v2/iex', [bad]);
    await rig.until('both frames', () => rig.observer.frames.length === before + 2);
    expect(received(rig)).toEqual([expect.objectContaining({ type: 'quote', symbol: 'MSFT' })]);
    expect(rig.observer.frames.slice(-2)).toEqual([
      { data: 1, ignored: 0, malformed: 1 },
      { data: 0, ignored: 0, malformed: 1 },
    ]);
    const warnings = rig.logLines.filter((line) => line.includes('upstream_stream_malformed'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('$.q.bp: expected a number');
    expect(stream.status()).toBe('live');
  });

  it('a listener that throws is logged, and the stream goes on reading', async () => {
    rig = await StreamRig.start('stocks');
    const stream = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    const data = rig.listener.data.bind(rig.listener);
    let calls = 0;
    rig.listener.data = (messages, receivedAt) => {
      calls += 1;
      data(messages, receivedAt);
      if (calls === 1) throw new Error('hub bug');
    };
    const quote = {
      T: 'q',
      S: 'AAPL',
      bx: 'K',
      bp: 1.5,
      bs: 2,
      ax: 'Q',
      ap: 1.6,
      as: 1,
      c: ['R'],
      z: 'C',
      t: '2024-03-08T16:41:24.727000001Z',
    };
    rig.emulator.streamPublish('/v2/iex', quote);
    rig.emulator.streamPublish('/v2/iex', { ...quote, bp: 1.55 });
    await rig.until('both frames', () => rig.listener.batches.length === 2);
    expect(rig.logLines.filter((line) => line.includes('upstream_stream_listener_error'))).toHaveLength(1);
    expect(stream.status()).toBe('live');
  });
});

describe('AlpacaMarketStreamAdapter: close and ownership', () => {
  it('close() sends a close frame, frees the slot at once, and never reconnects; a new stream connects straight away', async () => {
    // The default 90 s hold: only a clean close lets the next socket in now.
    rig = await StreamRig.start('stocks');
    const first = rig.open(want({ quotes: ['AAPL'] }));
    await rig.untilStatus('live');
    expect(() => rig.gateway.open('stocks', rig.listener)).toThrow('already open');
    await first.close();
    expect(first.status()).toBe('closed');
    expect(rig.listener.last).toEqual({ status: 'closed' });
    await rig.until('the emulator to see the close', () => rig.emulator.streamOpenCount('/v2/iex') === 0);
    expect(rig.emulator.streamConnections[0].closeCode).toBe(1000);
    rig.clock.advance(600_000);
    expect(rig.observer.attempts).toEqual([1]);
    expect(rig.observer.retries).toEqual([]);

    const second = rig.gateway.open('stocks', rig.listener);
    second.update(want({ quotes: ['MSFT'] }));
    await rig.untilStatus('live', 2);
    expect(rig.emulator.streamConnections.map((record) => record.authenticated)).toEqual([true, true]);
    expect(rig.maxOpen).toBe(1);
  });

  it('is what AlpacaModule binds to the MarketStreamPort port', async () => {
    rig = await StreamRig.start('stocks');
    expect(rig.gateway).toBeInstanceOf(MarketStreamPort);
    const { AlpacaModule } = await import('../../../src/alpaca/alpaca.module.js');
    const providers = Reflect.getMetadata('providers', AlpacaModule) as unknown[];
    const exported = Reflect.getMetadata('exports', AlpacaModule) as unknown[];
    expect(providers).toContainEqual({ provide: MarketStreamPort, useClass: rig.gateway.constructor });
    expect(exported).toContain(MarketStreamPort);
  });
});
