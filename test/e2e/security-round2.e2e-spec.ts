/**
 * Security, second round (REST half): holes an attack on the order lifecycle found, each
 * reproduced here against the real gateway and the emulator.
 */
import { readFileSync } from 'node:fs';
import { eventually, expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from './harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'sec2-trader' })}` };

gatewayPerFile((started) => (gw = started));

const sent = (): string[] => gw.emulator.requests.map((r) => `${r.method} ${r.path}`);

describe('bulk writes are reachable only by their exact path, and only when confirmed', () => {
  it.each([
    ['delete', '/api/v1/positions/'],
    ['delete', '/api/v1/positions/?confirm=true'],
    ['delete', '/api/v1/orders/'],
    ['delete', '/api/v1/orders/?confirm=true'],
    ['delete', '/api/v1/positions//'],
    ['delete', '/API/V1/Positions/'],
    ['delete', '/api/v1//positions'],
    ['get', '/api/v1/stocks/AAPL/quote/'],
  ] as const)('%s %s → 404 ROUTE_NOT_FOUND, nothing sent upstream', async (method, path) => {
    const error = expectCatalogError(await gw.anon()[method](path).set(trader), 404, 'ROUTE_NOT_FOUND');
    expect(error['details']).toEqual({ reason: 'empty_path_segment' });
    expect(sent()).toEqual([]);
    expect(gw.emulator.fixtures.positions.length).toBeGreaterThan(0);
  });

  it.each([
    ['/api/v1/positions', {}],
    ['/api/v1/positions', { confirm: 'false' }],
    ['/api/v1/positions', { confirm: '1' }],
    ['/api/v1/positions', { cancel_orders: 'true' }],
    ['/api/v1/orders', {}],
    ['/api/v1/orders', { confirm: 'yes' }],
  ])('DELETE %s with %j → 400 CONFIRMATION_REQUIRED, nothing sent', async (path, query) => {
    const res = await gw.anon().delete(path).query(query).set(trader);
    const error = expectCatalogError(res, 400, 'CONFIRMATION_REQUIRED');
    expect(JSON.stringify(error)).toContain('confirm');
    expect((res.body as { metadata: { suggested_actions: string[] } }).metadata.suggested_actions[0]).toContain('confirm=true');
    expect(sent()).toEqual([]);
  });

  it('DELETE /positions?confirm=true closes every position; confirm is not forwarded', async () => {
    const res = await gw.anon().delete('/api/v1/positions').query({ confirm: 'true' }).set(trader).expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([['DELETE', '/v2/positions', {}]]);
    expect(Array.isArray(res.body.data)).toBe(true);
  });

  it('DELETE /orders?confirm=true cancels every open order', async () => {
    await gw.anon().delete('/api/v1/orders').query({ confirm: 'true' }).set(trader).expect(200);
    expect(gw.emulator.requests.map((r) => [r.method, r.path, r.query])).toEqual([['DELETE', '/v2/orders', {}]]);
  });
});

describe('credentials in the query string never reach the audit trail', () => {
  const SECRET_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2VuLXBheWxvYWQ.c2lnbmF0dXJlLXNlY3JldA';
  const SECRET_KEY_VALUE = 'oa_deadbeef_secretsecretsecretsecret';

  it('a refused request with ?api_key= and ?token= is audited with the path, the parameters redacted', async () => {
    await gw.anon().get(`/api/v1/stocks/AAPL/quote?api_key=${SECRET_KEY_VALUE}&token=${SECRET_TOKEN}&feed=iex`).set('X-API-Key', 'oa_bad_key').expect(401);
    await gw.anon().get(`/api/v1/account?access_token=${SECRET_TOKEN}`).set({ Authorization: `Bearer ${tokenFor(['viewer'])}` }).expect(403);
    await eventually(() => {
      const text = readFileSync(gw.auditFile, 'utf8');
      expect(text).toContain('/api/v1/stocks/AAPL/quote');
      expect(text).toContain('/api/v1/account');
    });
    const text = readFileSync(gw.auditFile, 'utf8');
    expect(text).not.toContain(SECRET_KEY_VALUE);
    expect(text).not.toContain(SECRET_TOKEN);
    const records = text.trim().split('\n').map((l) => JSON.parse(l) as { action: string; details: Record<string, unknown> });
    const paths = records.filter((r) => r.action === 'auth_failure' || r.action === 'permission_denied').map((r) => r.details['path']);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/v1/stocks/AAPL/quote?api_key=[REDACTED]&token=[REDACTED]&feed=iex',
        '/api/v1/account?access_token=[REDACTED]',
      ]),
    );
  });
});
