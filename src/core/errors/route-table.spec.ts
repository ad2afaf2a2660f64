import express from 'express';
import request from 'supertest';
import { AppError } from './app-error.js';
import { RouteTable, templatePattern } from './route-table.js';

const ok = (_req: express.Request, res: express.Response): void => void res.end();

function app(): express.Express {
  const a = express();
  a.get('/api/v1/stocks/:symbol/quote', ok);
  a.post('/api/v1/stocks/quotes/batch', ok);
  a.get('/api/v1/orders', ok);
  a.post('/api/v1/orders', ok);
  a.get('/api/v1/orders/:id', ok);
  a.delete('/api/v1/orders/:id', ok);
  a.get('/metrics', ok);
  // Nest's not-found handler on a path excluded from the global prefix: every method.
  a.all('/metrics', ok);
  a.use('/api/v1', express.Router().all('*path', ok));
  return a;
}

const CASES: Array<[string, string, boolean]> = [
  ['/api/v1/stocks/:symbol/quote', '/api/v1/stocks/AAPL/quote', true],
  ['/api/v1/stocks/:symbol/quote', '/api/v1/stocks/BRK.B/quote/', true],
  ['/api/v1/stocks/:symbol/quote', '/API/V1/Stocks/AAPL/Quote', true],
  ['/api/v1/stocks/:symbol/quote', '/api/v1/stocks/AAPL/quote//', false],
  ['/api/v1/stocks/:symbol/quote', '/api/v1/stocks/A/B/quote', false],
  ['/api/v1/stocks/:symbol/quote', '/api/v1/stocks//quote', false],
  ['/docs/', '/docs', true],
  ['/asyncapi.json', '/asyncapixjson', false],
  ['/files/*rest', '/files/a/b/c', true],
  ['/files/*rest', '/files/', false],
  ['/items{/:id}', '/items', true],
  ['/items{/:id}', '/items/7', true],
  ['/a\\:b', '/a:b', true],
  ['/:"quoted name"/x', '/y/x', true],
];

describe('templatePattern', () => {
  it.each(CASES)('%s vs %s → %s', (template, path, matches) => {
    expect(templatePattern(template).test(path)).toBe(matches);
  });

  it("agrees with Express's own router on every case", async () => {
    for (const [template, path] of CASES) {
      const a = express();
      a.get(template, ok);
      const dispatched = (await request(a).get(path)).status === 200;
      expect({ template, path, matches: templatePattern(template).test(path) }).toEqual({
        template,
        path,
        matches: dispatched,
      });
    }
  });

  it('refuses a parameter without a name', () => {
    expect(() => templatePattern('/a/:/b')).toThrow(/Missing parameter name/);
  });
});

describe('RouteTable', () => {
  const table = RouteTable.fromExpress(app());

  it('lists the methods of every route matching the path, HEAD with GET, sorted', () => {
    expect(table.allowedMethods('/api/v1/stocks/AAPL/quote')).toEqual(['GET', 'HEAD']);
    expect(table.allowedMethods('/api/v1/orders')).toEqual(['GET', 'HEAD', 'POST']);
    expect(table.allowedMethods('/api/v1/orders/42')).toEqual(['DELETE', 'GET', 'HEAD']);
    expect(table.allowedMethods('/api/v1/stocks/quotes/batch')).toEqual(['POST']);
  });

  it('skips catch-alls: a route answering every method says nothing about a resource', () => {
    expect(table.allowedMethods('/metrics')).toEqual(['GET', 'HEAD']);
    expect(table.allowedMethods('/api/v1/nope')).toEqual([]);
  });

  it('adds the methods middleware answers on every path, only where a route matches', () => {
    const cors = RouteTable.fromExpress(app(), { everyPath: ['options'] });
    expect(cors.allowedMethods('/api/v1/stocks/AAPL/quote')).toEqual(['GET', 'HEAD', 'OPTIONS']);
    expect(cors.allowedMethods('/api/v1/nope')).toEqual([]);
  });

  it('a miss on a known path is 405 with Allow and the methods in details', () => {
    const error = table.miss('delete', '/api/v1/stocks/AAPL/quote');
    expect(error).toBeInstanceOf(AppError);
    expect({ code: error.code, status: error.status, headers: error.headers, details: error.details }).toEqual({
      code: 'METHOD_NOT_ALLOWED',
      status: 405,
      headers: { Allow: 'GET, HEAD' },
      details: { method: 'DELETE', allowed: ['GET', 'HEAD'] },
    });
  });

  it('a miss on an unknown path, or with a method the path accepts, is 404', () => {
    expect(table.miss('GET', '/api/v1/stocks/AAPL').code).toBe('ROUTE_NOT_FOUND');
    expect(table.miss('GET', '/api/v1/orders').code).toBe('ROUTE_NOT_FOUND');
    expect(RouteTable.EMPTY.miss('DELETE', '/api/v1/stocks/AAPL/quote').code).toBe('ROUTE_NOT_FOUND');
  });

  it('refuses something that is not an Express application', () => {
    expect(() => RouteTable.fromExpress({})).toThrow(/router stack/);
  });
});
