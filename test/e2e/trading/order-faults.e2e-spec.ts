import { startGateway, tokenFor, type Gateway } from '../support/harness.js';

const CLIENTS = 200;
const CONCURRENCY = 25;
const MAX_ATTEMPTS = 6;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'fault-bot' })}` };

interface Outcome {
  key: string;
  orderId: string | null;
  attempts: number;
  statuses: number[];
}

describe('orders under upstream faults: none lost, none duplicated, every client told the truth', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = await startGateway({ ALPACA_REQUEST_TIMEOUT_MS: '250' });
  });
  afterAll(async () => {
    await gw.close();
  });

  it(`${CLIENTS} clients retrying with their key → exactly ${CLIENTS} orders`, async () => {
    // 80 orders accepted whose answer is lost, 40 refused with 500 before anything is created,
    // and the first 30 look-ups fail, so some clients hear ORDER_OUTCOME_UNKNOWN and must retry.
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'accept-then-hang', times: 80 });
    gw.emulator.injectFault({ method: 'POST', path: '/v2/orders', kind: 'status', status: 500, times: 40 });
    gw.emulator.injectFault({ path: '/v2/orders:by_client_order_id', kind: 'status', status: 503, times: 30 });
    const body = { symbol: 'AAPL', qty: '1', side: 'buy', type: 'limit', limit_price: '150', time_in_force: 'day' };

    const submit = async (key: string): Promise<Outcome> => {
      const outcome: Outcome = { key, orderId: null, attempts: 0, statuses: [] };
      while (outcome.attempts < MAX_ATTEMPTS && outcome.orderId === null) {
        outcome.attempts += 1;
        const res = await gw.anon().post('/api/v1/orders').set(trader).set('Idempotency-Key', key).send(body);
        outcome.statuses.push(res.status);
        if (res.status === 201 || res.status === 200) {
          expect(res.body.data.client_order_id).toBe(key);
          // Placed, replayed or found after a lost answer: always attributed to the one Alpaca call that produced it.
          expect(res.body.metadata).toMatchObject({
            data_source: 'alpaca_trading',
            trading_mode: 'non_alpaca_host',
            cache: { status: 'BYPASS' },
          });
          expect(res.body.metadata.upstream_request_ids).toEqual([expect.stringMatching(/^[0-9a-f]{32}$/)]);
          expect(res.headers['cache-control']).toBe('no-store');
          outcome.orderId = res.body.data.id as string;
        } else if (res.status === 503) {
          // The gateway says plainly that nothing was placed.
          expect(res.body.error.details).toMatchObject({ order_placed: false, client_order_id: key });
        } else {
          expect(res.status).toBe(504);
          expect(res.body.error).toMatchObject({ code: 'ORDER_OUTCOME_UNKNOWN', details: { client_order_id: key } });
        }
      }
      return outcome;
    };

    const keys = Array.from({ length: CLIENTS }, (_, i) => `fault-${i}`);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < keys.length; i += CONCURRENCY) {
      outcomes.push(...(await Promise.all(keys.slice(i, i + CONCURRENCY).map(submit))));
    }

    // Every client got an order id, and it is the emulator's order for its key.
    const atEmulator = gw.emulator.fixtures.orders.filter((o) => String(o['client_order_id']).startsWith('fault-'));
    expect(atEmulator).toHaveLength(CLIENTS);
    expect(new Set(atEmulator.map((o) => o['client_order_id'])).size).toBe(CLIENTS);
    const byKey = new Map(atEmulator.map((o) => [String(o['client_order_id']), String(o['id'])]));
    for (const o of outcomes) expect({ key: o.key, id: o.orderId }).toEqual({ key: o.key, id: byKey.get(o.key) });

    // The faults really happened: some clients needed more than one attempt, some were told 503/504.
    const statuses = outcomes.flatMap((o) => o.statuses);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(outcomes.filter((o) => o.attempts > 1).length).toBeGreaterThan(0);
    // Never auto-retried: POSTs at the emulator = client attempts that were not answered from memory.
    const posts = gw.emulator.requestsTo('/v2/orders', 'trading').filter((r) => r.method === 'POST').length;
    expect(posts).toBeLessThanOrEqual(statuses.length);
  }, 60000);
});
