/**
 * EmulatorOptions.accounts on the WebSockets: a trade_updates connection hears only the account it
 * authenticated as; the market-data stream takes any account's credentials, with its connection
 * limit counted per key. A socket that did not get an event is shown by the next event it does get:
 * frames on one socket arrive in order, so no test waits for something not to happen.
 */
import { AlpacaEmulator, ManualClock } from '../alpaca-emulator.js';
import { obj } from '../spec-helpers.js';
import { connect, errorFrame } from '../stream/stream-spec-helpers.js';
import { callAs, LIVE, PAPER, TradeClient } from './account-spec-helpers.js';

const clock = new ManualClock(Date.parse('2025-06-24T14:00:00Z'));
const emulator = new AlpacaEmulator({ accounts: [PAPER, LIVE], streamClock: clock, streamConnectionLimit: 1 });
const clients: TradeClient[] = [];

async function listening(account: typeof PAPER): Promise<TradeClient> {
  const client = await TradeClient.listening(emulator, account);
  clients.push(client);
  return client;
}

async function submit(account: typeof PAPER, qty: string): Promise<string> {
  const body = { symbol: 'AAPL', qty, side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'gtc' };
  return String(obj((await callAs(emulator, account, 'trading', '/v2/orders', { method: 'POST', body })).json).id);
}

beforeAll(() => emulator.start());
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  emulator.reset();
});
afterAll(() => emulator.stop());

describe('trade_updates per account', () => {
  it('a connection receives its own account’s order events only', async () => {
    const paper = await listening(PAPER);
    const live = await listening(LIVE);
    expect(emulator.tradeStreamOpenCount('live')).toBe(1);
    expect(emulator.tradeStreamOpenCount()).toBe(2);

    const paperOrder = await submit(PAPER, '1');
    const liveOrder = await submit(LIVE, '2');
    expect((await paper.next('paper’s new')).data).toMatchObject({ event: 'new', order: { id: paperOrder } });
    // live's first event is its own order: paper's never reached it.
    expect((await live.next('live’s new')).data).toMatchObject({ event: 'new', order: { id: liveOrder } });

    emulator.fillOrder(liveOrder, { price: '149.5' });
    emulator.rejectOrder(paperOrder);
    expect((await live.next('live’s fill')).data).toMatchObject({
      event: 'fill',
      price: '149.5',
      order: { id: liveOrder },
    });
    expect((await paper.next('paper’s rejection')).data).toMatchObject({
      event: 'rejected',
      order: { id: paperOrder },
    });
    const updates = paper.messages.filter((m) => m.stream === 'trade_updates');
    expect(updates.map((m) => obj(m.data.order).id)).toEqual([paperOrder, paperOrder]);
  });

  it('publishTradeUpdate goes to one account’s sockets (default: the first account)', async () => {
    const paper = await listening(PAPER);
    const live = await listening(LIVE);
    expect(emulator.publishTradeUpdate({ event: 'calculated', marker: 'live' }, 'live')).toBe(1);
    expect(emulator.publishTradeUpdate({ event: 'calculated', marker: 'default' })).toBe(1);
    expect((await live.next()).data).toEqual({ event: 'calculated', marker: 'live' });
    expect((await paper.next()).data).toEqual({ event: 'calculated', marker: 'default' });
    expect(emulator.tradeStreamConnections.slice(-2).map((c) => c.account)).toEqual(['paper', 'live']);
  });

  it('refuses unknown credentials and one account’s key with the other’s secret', async () => {
    const client = await TradeClient.open(emulator);
    clients.push(client);
    expect((await client.authenticate(PAPER.keyId, LIVE.secretKey)).data).toEqual({
      status: 'unauthorized',
      action: 'authenticate',
    });
    expect((await client.authenticate('emulator-key-id', 'emulator-secret-key')).data.status).toBe('unauthorized');
    expect((await client.authenticate(LIVE.keyId, LIVE.secretKey)).data.status).toBe('authorized');
  });
});

describe('market-data stream with several accounts', () => {
  it('authenticates every account’s credentials and refuses others', async () => {
    for (const account of [PAPER, LIVE]) {
      const client = await connect(emulator, '/v2/iex');
      client.send({ action: 'auth', key: account.keyId, secret: account.secretKey });
      expect(await client.nextMessages()).toEqual([{ T: 'success', msg: 'authenticated' }]);
      await client.close();
    }
    const stranger = await connect(emulator, '/v2/iex');
    stranger.send({ action: 'auth', key: PAPER.keyId, secret: LIVE.secretKey });
    expect(await stranger.nextMessages()).toEqual(errorFrame(402, 'auth failed'));
  });

  it('counts the connection limit per key: one account at its limit does not block the other', async () => {
    const auth = async (account: typeof PAPER): Promise<unknown> => {
      const client = await connect(emulator, '/v2/iex');
      client.send({ action: 'auth', key: account.keyId, secret: account.secretKey });
      return client.nextMessages();
    };
    expect(await auth(PAPER)).toEqual([{ T: 'success', msg: 'authenticated' }]);
    expect(await auth(PAPER)).toEqual(errorFrame(406, 'connection limit exceeded'));
    expect(await auth(LIVE)).toEqual([{ T: 'success', msg: 'authenticated' }]);
  });
});

describe('without accounts', () => {
  it('serves one account named default, under the emulator keys', () => {
    const single = new AlpacaEmulator({ keyId: 'k', secretKey: 's' });
    expect(single.accounts.map((a) => [a.name, a.keyId, a.secretKey])).toEqual([['default', 'k', 's']]);
    expect(single.account().trading).toBe(single.fixtures);
    expect(single.account('k')).toBe(single.account('default'));
  });
});
