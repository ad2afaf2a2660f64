import { readFileSync } from 'node:fs';
import { errors } from '@alpacahq/alpaca-trade-api';
import type { Alpaca } from '@alpacahq/alpaca-trade-api';
import type request from 'supertest';
import { ACCOUNT_FIELDS, POSITION_FIELDS } from '../../../src/alpaca/trading/trading.models.js';
import { eventually, KEY_ID, SECRET_KEY, startGateway, tokenFor, type Gateway } from '../support/harness.js';
import { gatewayBaseUrl, sdkClient, sdkKey } from '../support/alpaca-sdk.js';

type Json = Record<string, unknown>;
type Creds = { keyId: string; secret: string };

const ORDER = '/v2/orders';

describe("the Alpaca-compatible face: trading at Alpaca's paths", () => {
  let gw: Gateway;
  let baseUrl: string;
  let trader: Creds;
  let viewer: Creds;
  let sdk: Alpaca;
  beforeAll(async () => {
    // Short enough that a hung submission is reconciled within the test's patience.
    gw = await startGateway({ ALPACA_REQUEST_TIMEOUT_MS: '400' });
    baseUrl = await gatewayBaseUrl(gw.app);
    trader = sdkKey(gw.apiKeysFile, 'face-trader', ['trader']);
    viewer = sdkKey(gw.apiKeysFile, 'face-viewer', ['viewer']);
    sdk = sdkClient(baseUrl, trader);
  });
  afterAll(async () => {
    await gw.close();
  });
  beforeEach(async () => {
    await gw.reset();
  });

  /** A request as a bot sends it: Alpaca's key headers carrying a gateway key. */
  function as(creds: Creds, req: request.Test): request.Test {
    return req.set('APCA-API-KEY-ID', creds.keyId).set('APCA-API-SECRET-KEY', creds.secret);
  }
  const get = (path: string, creds: Creds = trader): request.Test => as(creds, gw.anon().get(path));
  const post = (path: string, creds: Creds = trader): request.Test => as(creds, gw.anon().post(path));
  const del = (path: string, creds: Creds = trader): request.Test => as(creds, gw.anon().delete(path));

  /** What the emulator itself answers to the gateway's own credentials: the values the face must repeat. */
  async function direct(path: string): Promise<unknown> {
    const res = await fetch(`${gw.emulator.tradingUrl}${path}`, {
      headers: { 'APCA-API-KEY-ID': KEY_ID, 'APCA-API-SECRET-KEY': SECRET_KEY },
    });
    expect(res.status).toBe(200);
    return res.json();
  }

  function posts(): Json[] {
    return gw.emulator
      .requestsTo(ORDER, 'trading')
      .filter((r) => r.method === 'POST')
      .map((r) => r.body as Json);
  }

  function audit(): Json[] {
    return readFileSync(gw.auditFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Json);
  }

  /** The trading answer's provenance, in headers; never to be stored. */
  function expectTradingHeaders(res: request.Response): void {
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-trading-mode']).toBe('non_alpaca_host');
    expect(res.headers['x-data-source']).toBe('alpaca_trading');
    expect(res.headers['x-data-provider']).toBe('non_alpaca_host');
    expect(res.headers['x-cache-status']).toBe('BYPASS');
  }

  /** A documented field the emulator sent is repeated as it is; one it did not send is null (the gateway's trading models). */
  function expectPicked(body: Json, wire: Json, fields: readonly string[]): void {
    expect(Object.keys(body).sort()).toEqual([...fields].sort());
    for (const f of fields) expect({ f, v: body[f] }).toEqual({ f, v: wire[f] ?? null });
  }

  describe('reads', () => {
    it("account: the SDK's getAccount, Alpaca's body without envelope, provenance in headers, never cached", async () => {
      const account = await sdk.trading.account.getAccount();
      const wire = gw.emulator.fixtures.account;
      expect(account.id).toBe(wire['id']);
      expect(account.cash).toBe(wire['cash']);
      const res = await get('/v2/account').expect(200);
      expectPicked(res.body as Json, wire, ACCOUNT_FIELDS);
      expectTradingHeaders(res);
    });

    it("positions, all and one (by symbol, lower case, and by asset id); an unknown one is Alpaca's 404", async () => {
      const all = await sdk.trading.positions.getAllOpenPositions();
      expect(all.map((p) => p.symbol)).toEqual(['AAPL', 'MSFT']);
      const res = await get('/v2/positions').expect(200);
      const wire = gw.emulator.fixtures.positions;
      (res.body as Json[]).forEach((p, i) => expectPicked(p, wire[i] ?? {}, POSITION_FIELDS));
      expectTradingHeaders(res);
      const one = await sdk.trading.positions.getOpenPosition({ symbolOrAssetId: 'aapl' });
      expect(one.qty).toBe('2');
      const byId = await get(`/v2/positions/${String(wire[1]?.['asset_id'])}`).expect(200);
      expect(byId.body.symbol).toBe('MSFT');
      expect(gw.emulator.requestsTo(`/v2/positions/${String(wire[1]?.['asset_id'])}`)).toHaveLength(1);
      const missing = await get('/v2/positions/ZZZZ').expect(404);
      expect(missing.body).toEqual({ code: 40410000, message: 'position does not exist' });
      expect(missing.headers['x-error-code']).toBe('POSITION_NOT_FOUND');
      await expect(sdk.trading.positions.getOpenPosition({ symbolOrAssetId: 'ZZZZ' })).rejects.toBeInstanceOf(
        errors.NotFoundError,
      );
    });

    it("orders: list with filters passed on, one by id; an unknown id is Alpaca's 404", async () => {
      const list = await sdk.trading.orders.getAllOrders({ status: 'all', limit: 10, direction: 'asc' });
      expect(list.map((o) => o.id)).toEqual(gw.emulator.fixtures.orders.map((o) => o['id']).reverse());
      expect(gw.emulator.requestsTo(ORDER)[0]?.query).toEqual({ status: 'all', limit: '10', direction: 'asc' });
      const id = String(gw.emulator.fixtures.orders[0]?.['id']);
      const raw = await get(`/v2/orders/${id}`).expect(200);
      expect(raw.body).toMatchObject({
        id,
        client_order_id: gw.emulator.fixtures.orders[0]?.['client_order_id'],
        qty: '2',
        limit_price: '150',
        status: 'new',
      });
      expectTradingHeaders(raw);
      const unknown = await get('/v2/orders/00000000-0000-4000-8000-000000000000').expect(404);
      expect(unknown.body).toEqual({ code: 40410000, message: 'order not found' });
      expect(unknown.headers['x-error-code']).toBe('ORDER_NOT_FOUND');
      const nested = await get(`/v2/orders/${id}?nested=true`).expect(422);
      expect(nested.body.message).toContain('nested');
    });

    it("activities (all, and of one type at Alpaca's path) and portfolio history: values identical to the emulator's", async () => {
      const activities = await sdk.trading.accountActivities.getAccountActivities();
      expect(activities).toHaveLength(gw.emulator.fixtures.activities.length);
      const all = await get('/v2/account/activities').expect(200);
      expect(all.body).toEqual(await direct('/v2/account/activities'));
      expectTradingHeaders(all);
      const fills = await get('/v2/account/activities/FILL').query({ direction: 'asc' }).expect(200);
      expect(fills.body).toEqual(await direct('/v2/account/activities?activity_types=FILL&direction=asc'));
      expect((fills.body as Json[]).map((a) => a['activity_type'])).toEqual(['FILL', 'FILL']);
      const history = await get('/v2/account/portfolio/history').query({ period: '1W', timeframe: '1D' }).expect(200);
      expect(history.body).toEqual(await direct('/v2/account/portfolio/history?period=1W&timeframe=1D'));
      expectTradingHeaders(history);
      const viaSdk = await sdk.trading.portfolioHistory.getAccountPortfolioHistory({ period: '1W', timeframe: '1D' });
      expect(viaSdk.equity).toEqual((history.body as Json)['equity']);
      expect((await get('/v2/account/activities/NOPE').expect(422)).body.code).toBe(42210000);
    });

    it("assets, clock and calendar: Alpaca's bodies, identical to the emulator's", async () => {
      const assets = await sdk.trading.assets.getV2Assets();
      expect(assets.map((a) => a.symbol)).toEqual(['AAPL', 'TSLA', 'TWTR']);
      expect((await get('/v2/assets').expect(200)).body).toEqual(gw.emulator.fixtures.assets);
      const tsla = await get('/v2/assets/TSLA').expect(200);
      expect(tsla.body).toEqual(gw.emulator.fixtures.assets[1]);
      const byId = await sdk.trading.assets.getV2AssetsSymbolOrAssetId({
        symbolOrAssetId: String(gw.emulator.fixtures.assets[0]?.['id']),
      });
      expect(byId.symbol).toBe('AAPL');
      const unknown = await get('/v2/assets/ZZZZ').expect(404);
      expect(unknown.body).toEqual({ code: 40410000, message: 'asset not found' });

      const clock = await sdk.trading.clock.legacyClock();
      expect(clock.isOpen).toBe(true);
      expect((await get('/v2/clock', viewer).expect(200)).body).toEqual(gw.emulator.fixtures.clock);

      const days = await sdk.trading.calendar.legacyCalendar();
      expect(days).toHaveLength(gw.emulator.fixtures.calendar.length);
      const calendar = await get('/v2/calendar').query({ start: '2025-01-01', end: '2025-01-31' }).expect(200);
      expect(calendar.body).toEqual(gw.emulator.fixtures.calendar);
      expect(gw.emulator.requestsTo('/v2/calendar').at(-1)?.query).toEqual({ start: '2025-01-01', end: '2025-01-31' });
    });

    it('option contracts: a page as the emulator answers it; one contract by OCC symbol (active or expired); an unknown one is 404', async () => {
      const page = await get('/v2/options/contracts').query({ underlying_symbols: 'AAPL', limit: '2' }).expect(200);
      expect(page.body).toEqual(await direct('/v2/options/contracts?underlying_symbols=AAPL&limit=2'));
      const viaSdk = await sdk.trading.assets.getOptionsContracts({ underlyingSymbols: 'AAPL', limit: 2 });
      expect(viaSdk.optionContracts?.map((c) => c.symbol)).toEqual(
        (page.body as { option_contracts: Json[] }).option_contracts.map((c) => c['symbol']),
      );

      const byId = (s: string): Json | undefined => gw.emulator.fixtures.optionContracts.find((c) => c['symbol'] === s);
      expect((await get('/v2/options/contracts/AAPL250620C00100000').expect(200)).body).toEqual(
        byId('AAPL250620C00100000'),
      );
      const expired = await sdk.trading.assets.getOptionContractSymbolOrId({ symbolOrId: 'AAPL240126P00050000' });
      expect(expired.status).toBe('inactive');
      const none = await get('/v2/options/contracts/AAPL250620C00999000').expect(404);
      expect(none.body).toEqual({ code: 40410000, message: 'option contract AAPL250620C00999000 not found' });
      const uuid = await get(`/v2/options/contracts/${String(byId('AAPL250620C00100000')?.['id'])}`).expect(422);
      expect(uuid.body.message).toContain('OCC symbol');
      // A viewer has no options:read, as on /api/v1.
      expect((await get('/v2/options/contracts', viewer).expect(403)).body.code).toBe(40310000);
    });
  });

  describe('orders through the SDK', () => {
    it('limit (ergonomic), get by id and by client_order_id, replace, cancel; the emulator receives exactly what the SDK sent', async () => {
      const placed = await sdk.trading.orders.limit({
        symbol: 'AAPL',
        qty: 1,
        side: 'buy',
        limitPrice: 150.5,
        timeInForce: 'gtc',
        clientOrderId: 'face-limit-1',
      });
      expect(placed).toMatchObject({
        clientOrderId: 'face-limit-1',
        symbol: 'AAPL',
        qty: '1',
        limitPrice: '150.5',
        type: 'limit',
        timeInForce: 'gtc',
      });
      expect(posts()).toEqual([
        {
          symbol: 'AAPL',
          side: 'buy',
          type: 'limit',
          time_in_force: 'gtc',
          qty: '1',
          limit_price: '150.5',
          client_order_id: 'face-limit-1',
        },
      ]);

      const byId = await sdk.trading.orders.getOrderByOrderID({ orderId: String(placed.id) });
      expect(byId.clientOrderId).toBe('face-limit-1');
      const byKey = await sdk.trading.orders.getOrderByClientOrderId({ clientOrderId: 'face-limit-1' });
      expect(byKey.id).toBe(placed.id);
      expect(gw.emulator.requestsTo('/v2/orders:by_client_order_id').at(-1)?.query).toEqual({
        client_order_id: 'face-limit-1',
      });
      const missing = await get('/v2/orders:by_client_order_id?client_order_id=nobody').expect(404);
      expect(missing.body).toEqual({ code: 40410000, message: 'order not found' });
      // The colon is part of the path, not a parameter: another method there is a 405, not a route of /v2/orders.
      expect((await post('/v2/orders:by_client_order_id').expect(405)).headers['allow']).toContain('GET');

      const replaced = await sdk.trading.orders.patchOrderByOrderId({
        orderId: String(placed.id),
        patchOrderRequest: { limitPrice: '151', clientOrderId: 'face-limit-1-r' },
      });
      expect(replaced).toMatchObject({ replaces: placed.id, limitPrice: '151', clientOrderId: 'face-limit-1-r' });
      const patch = gw.emulator.requestsTo(`/v2/orders/${String(placed.id)}`).find((r) => r.method === 'PATCH');
      expect(patch?.body).toEqual({ limit_price: '151', client_order_id: 'face-limit-1-r' });

      await sdk.trading.orders.deleteOrderByOrderID({ orderId: String(replaced.id) });
      expect(
        gw.emulator.requestsTo(`/v2/orders/${String(replaced.id)}`).filter((r) => r.method === 'DELETE'),
      ).toHaveLength(1);
      const again = await del(`/v2/orders/${String(replaced.id)}`).expect(422);
      expect(again.body).toEqual({ code: 42210000, message: 'order is not cancelable' });
      expect(again.headers['x-error-code']).toBe('ORDER_REJECTED');

      const listed = await sdk.trading.orders.getAllOrders({ status: 'all' });
      expect(listed.map((o) => o.id)).toEqual(expect.arrayContaining([placed.id, replaced.id]));
    });

    it("market (ergonomic, notional) and raw postOrder answer 200 with Alpaca's order; a raw cancel is 204 with no body", async () => {
      const market = await sdk.trading.orders.market({
        symbol: 'MSFT',
        notional: 100,
        side: 'buy',
        clientOrderId: 'face-market-1',
      });
      expect(market).toMatchObject({ notional: '100', type: 'market', timeInForce: 'day' });
      const raw = await sdk.trading.orders.postOrder({
        postOrderRequest: {
          symbol: 'AAPL',
          qty: '2',
          side: 'sell',
          type: 'limit',
          timeInForce: 'day',
          limitPrice: '180',
          clientOrderId: 'face-raw-1',
        },
      });
      expect(raw.clientOrderId).toBe('face-raw-1');
      expect(posts().map((b) => b['client_order_id'])).toEqual(['face-market-1', 'face-raw-1']);

      const res = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '1',
          side: 'buy',
          type: 'limit',
          limit_price: '149',
          time_in_force: 'day',
          client_order_id: 'face-raw-2',
        })
        .expect(200);
      expect(res.headers['idempotent-replayed']).toBe('false');
      expectTradingHeaders(res);
      const created = gw.emulator.fixtures.orders.find((o) => o['client_order_id'] === 'face-raw-2') ?? {};
      expect(res.body).toMatchObject({
        id: created['id'],
        status: 'accepted',
        qty: '1',
        limit_price: '149',
        filled_qty: '0',
        filled_avg_price: null,
      });

      const cancel = await del(`/v2/orders/${String(res.body.id)}`).expect(204);
      expect(cancel.text).toBe('');
      expectTradingHeaders(cancel);
    });

    it('amounts sent as JSON numbers are forwarded as the same decimals; one a double cannot carry exactly is refused', async () => {
      await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: 3,
          side: 'buy',
          type: 'limit',
          limit_price: 150.25,
          time_in_force: 'day',
          client_order_id: 'face-num-1',
        })
        .expect(200);
      expect(posts()[0]).toEqual({
        symbol: 'AAPL',
        qty: '3',
        side: 'buy',
        type: 'limit',
        limit_price: '150.25',
        time_in_force: 'day',
        client_order_id: 'face-num-1',
      });
      const vague = await post(ORDER)
        .send({ symbol: 'AAPL', qty: 0.12345678901234568, side: 'buy', type: 'market', time_in_force: 'day' })
        .expect(422);
      expect(vague.body).toEqual({ code: 42210000, message: expect.stringContaining('decimal string') });
      const invalid = await post(ORDER)
        .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', time_in_force: 'day' })
        .expect(422);
      expect(invalid.body.message).toContain('limit_price');
      expect(invalid.headers['x-error-code']).toBe('INVALID_PARAMETER');
      expect(posts()).toHaveLength(1);
    });
  });

  describe('guarantees of /api/v1 on this face', () => {
    it('the same client_order_id and body twice: one upstream POST, the same order; /api/v1 with that key replays it too', async () => {
      const input = {
        symbol: 'AAPL',
        qty: 1,
        side: 'buy' as const,
        limitPrice: '150',
        timeInForce: 'day' as const,
        clientOrderId: 'face-idem-1',
      };
      const first = await sdk.trading.orders.limit(input);
      const second = await sdk.trading.orders.limit(input);
      expect(second.id).toBe(first.id);
      const raw = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '1',
          side: 'buy',
          type: 'limit',
          limit_price: '150.00',
          time_in_force: 'day',
          client_order_id: 'face-idem-1',
        })
        .expect(200);
      expect(raw.body.id).toBe(first.id);
      expect(raw.headers['idempotent-replayed']).toBe('true');
      const v1 = await gw
        .anon()
        .post('/api/v1/orders')
        .set('Authorization', `Bearer ${tokenFor(['trader'])}`)
        .set('Idempotency-Key', 'face-idem-1')
        .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' })
        .expect(200);
      expect(v1.body.data.id).toBe(first.id);
      expect(posts()).toHaveLength(1);
    });

    it("another body under a used client_order_id: Alpaca's duplicate-key 422, nothing sent", async () => {
      await sdk.trading.orders.limit({
        symbol: 'AAPL',
        qty: 1,
        side: 'buy',
        limitPrice: 150,
        clientOrderId: 'face-idem-2',
      });
      const res = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '2',
          side: 'buy',
          type: 'limit',
          limit_price: '150',
          time_in_force: 'day',
          client_order_id: 'face-idem-2',
        })
        .expect(422);
      expect(res.body).toEqual({ code: 40010001, message: 'client_order_id must be unique' });
      expect(res.headers['x-error-code']).toBe('IDEMPOTENCY_CONFLICT');
      await expect(
        sdk.trading.orders.limit({
          symbol: 'AAPL',
          qty: 5,
          side: 'buy',
          limitPrice: 150,
          clientOrderId: 'face-idem-2',
        }),
      ).rejects.toBeInstanceOf(errors.ValidationError);
      expect(posts()).toHaveLength(1);
    });

    it('a lost answer is reconciled by client_order_id: the order, once, as /api/v1 does', async () => {
      gw.emulator.injectFault({ method: 'POST', path: ORDER, kind: 'accept-then-hang', times: 1 });
      const res = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '1',
          side: 'buy',
          type: 'limit',
          limit_price: '150',
          time_in_force: 'day',
          client_order_id: 'face-lost-1',
        })
        .expect(200);
      expect(res.body.client_order_id).toBe('face-lost-1');
      expect(gw.emulator.fixtures.orders.filter((o) => o['client_order_id'] === 'face-lost-1')).toHaveLength(1);
      expect(gw.emulator.requestsTo('/v2/orders:by_client_order_id').map((r) => r.query['client_order_id'])).toContain(
        'face-lost-1',
      );
      expect(posts()).toHaveLength(1);
    });

    it("every write is audited under the bot's key: requested before it is sent, its outcome after", async () => {
      const order = await sdk.trading.orders.limit({
        symbol: 'AAPL',
        qty: 1,
        side: 'buy',
        limitPrice: 150,
        clientOrderId: 'face-audit-1',
      });
      await sdk.trading.orders.deleteOrderByOrderID({ orderId: String(order.id) });
      await sdk.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'MSFT', qty: 1 });
      await eventually(() => {
        const mine = audit()
          .filter((r) => (r['actor'] as Json)['key_id'] === trader.keyId)
          .map((r) => [r['action'], r['resource']]);
        expect(mine).toEqual(
          expect.arrayContaining([
            ['order_requested', 'order:face-audit-1'],
            ['order_accepted', 'order:face-audit-1'],
            ['order_cancel_requested', `order_id:${String(order.id)}`],
            ['order_canceled', `order_id:${String(order.id)}`],
            ['position_close_requested', 'position:MSFT'],
            ['position_close_outcome', 'position:MSFT'],
          ]),
        );
      });
    });

    it("a viewer key cannot trade: Alpaca's 403 body, INSUFFICIENT_PERMISSIONS in X-Error-Code, the SDK's PermissionError; nothing sent", async () => {
      const res = await post(ORDER, viewer)
        .send({ symbol: 'AAPL', qty: '1', side: 'buy', type: 'market', time_in_force: 'day' })
        .expect(403);
      expect(res.body).toEqual({ code: 40310000, message: expect.any(String) });
      expect(res.headers['x-error-code']).toBe('INSUFFICIENT_PERMISSIONS');
      await expect(
        sdkClient(baseUrl, viewer).trading.orders.market({ symbol: 'AAPL', qty: 1, side: 'buy' }),
      ).rejects.toBeInstanceOf(errors.PermissionError);
      expect((await get('/v2/account', viewer).expect(403)).body.code).toBe(40310000);
      expect(gw.emulator.requests.filter((r) => r.host === 'trading')).toHaveLength(0);
    });

    it("Alpaca's refusals pass through with Alpaca's status, code and message (403 buying power, 422 injected)", async () => {
      const poor = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '100000',
          side: 'buy',
          type: 'limit',
          limit_price: '150',
          time_in_force: 'day',
          client_order_id: 'face-poor-1',
        })
        .expect(403);
      expect(poor.body).toEqual({ code: 40310000, message: 'insufficient buying power' });
      expect(poor.headers['x-error-code']).toBe('ORDER_REJECTED');
      await expect(
        sdk.trading.orders.limit({
          symbol: 'AAPL',
          qty: 100000,
          side: 'buy',
          limitPrice: 150,
          clientOrderId: 'face-poor-2',
        }),
      ).rejects.toBeInstanceOf(errors.PermissionError);

      gw.emulator.injectFault({
        method: 'POST',
        path: ORDER,
        kind: 'status',
        status: 422,
        body: { code: 42210000, message: 'asset AAPL is not tradable' },
        times: 1,
      });
      const refused = await post(ORDER)
        .send({
          symbol: 'AAPL',
          qty: '1',
          side: 'buy',
          type: 'market',
          time_in_force: 'day',
          client_order_id: 'face-422-1',
        })
        .expect(422);
      expect(refused.body).toEqual({ code: 42210000, message: 'asset AAPL is not tradable' });
      expect(refused.headers['x-error-code']).toBe('ORDER_REJECTED');
    });
  });

  describe('positions: closes, bulk writes and exercise', () => {
    it('close one position by qty and by percentage: the closing order, the query passed on', async () => {
      const byQty = await sdk.trading.positions.deleteOpenPosition({ symbolOrAssetId: 'MSFT', qty: 1 });
      expect(byQty).toMatchObject({ symbol: 'MSFT', qty: '1', side: 'sell', type: 'market' });
      expect(gw.emulator.requestsTo('/v2/positions/MSFT').find((r) => r.method === 'DELETE')?.query).toEqual({
        qty: '1',
      });
      const res = await del('/v2/positions/AAPL?percentage=50').expect(200);
      expect(res.body).toMatchObject({ symbol: 'AAPL', qty: '1', side: 'sell' });
      expectTradingHeaders(res);
      expect((await del('/v2/positions/AAPL?qty=1&percentage=50').expect(422)).body.message).toContain('percentage');
    });

    it("DELETE /v2/positions and /v2/orders: Alpaca's 207 lists, no confirm needed on this face", async () => {
      await sdk.trading.orders.limit({
        symbol: 'AAPL',
        qty: 1,
        side: 'buy',
        limitPrice: 150,
        clientOrderId: 'face-bulk-1',
      });
      const open = gw.emulator.fixtures.orders.filter((o) => o['status'] !== 'filled').map((o) => o['id']);
      const cancelled = await del(ORDER).expect(207);
      expect(cancelled.body).toEqual(open.map((id) => ({ id, status: 200 })));
      expectTradingHeaders(cancelled);

      const closed = await sdk.trading.positions.deleteAllOpenPositions({ cancelOrders: true });
      expect(closed.map((e) => [e.symbol, e.status])).toEqual([
        ['AAPL', 200],
        ['MSFT', 200],
      ]);
      expect(gw.emulator.requestsTo('/v2/positions').find((r) => r.method === 'DELETE')?.query).toEqual({
        cancel_orders: 'true',
      });
      expect(gw.emulator.fixtures.positions).toEqual([]);
      const again = await del('/v2/positions').expect(207);
      expect(again.body).toEqual([]);
      await eventually(() =>
        expect(audit().map((r) => r['action'])).toEqual(
          expect.arrayContaining([
            'orders_cancel_all_requested',
            'orders_cancel_all_outcome',
            'positions_close_all_requested',
            'positions_close_all_outcome',
          ]),
        ),
      );
    });

    it('DELETE /v2/positions/ and /v2/orders/ (trailing slash) are 404 and close nothing', async () => {
      const positions = await del('/v2/positions/').expect(404);
      expect(positions.body).toEqual({ code: 40410000, message: expect.any(String) });
      expect(positions.headers['x-error-code']).toBe('ROUTE_NOT_FOUND');
      await del('/v2/orders/').expect(404);
      expect(gw.emulator.requests.filter((r) => r.method === 'DELETE')).toHaveLength(0);
      expect(gw.emulator.fixtures.positions).toHaveLength(2);
    });

    it("exercise: Alpaca's 200 with no body; without a position Alpaca's 403 passes through", async () => {
      gw.emulator.fixtures.positions.push({
        ...gw.emulator.fixtures.positions[0],
        symbol: 'AAPL250620C00100000',
        asset_class: 'us_option',
        qty: '1',
        qty_available: '1',
      });
      await sdk.trading.positions.optionExercise({ symbolOrContractId: 'AAPL250620C00100000' });
      expect(gw.emulator.requestsTo('/v2/positions/AAPL250620C00100000/exercise')).toHaveLength(1);
      const none = await post('/v2/positions/AAPL250620C00100000/exercise').expect(403);
      expect(none.body).toEqual({ code: 40310000, message: 'no available position for the specified contract' });
      expect(none.headers['x-error-code']).toBe('POSITION_NOT_FOUND');
      gw.emulator.fixtures.positions.push({
        ...gw.emulator.fixtures.positions[0],
        symbol: 'AAPL250620P00100000',
        asset_class: 'us_option',
        qty: '1',
        qty_available: '1',
      });
      const ok = await post('/v2/positions/AAPL250620P00100000/exercise').expect(200);
      expect(ok.text).toBe('');
      expectTradingHeaders(ok);
    });
  });
});
