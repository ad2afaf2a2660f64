import { expectCatalogError, tokenFor, type Gateway, gatewayPerFile } from '../support/harness.js';

let gw: Gateway;
const trader = { Authorization: `Bearer ${tokenFor(['trader'], { sub: 'historian' })}` };
const admin = { Authorization: `Bearer ${tokenFor(['admin'], { sub: 'auditor' })}` };

gatewayPerFile((started) => (gw = started));

const activities = (query: Record<string, string> = {}) =>
  gw.anon().get('/api/v1/account/activities').query(query).set(trader);

describe('GET /account/activities', () => {
  it('every activity exactly as Alpaca sent it: decimals as strings, only the members it sent', async () => {
    const res = await activities().expect(200);
    expect(res.body.data.activities).toEqual(gw.emulator.fixtures.activities);
    expect(res.body.data.page_info).toEqual({ has_more: false, next_page_token: null, count: 5 });
    const fill = (res.body.data.activities as Array<Record<string, unknown>>).find(
      (a) => a['activity_type'] === 'FILL',
    );
    expect(fill).not.toHaveProperty('net_amount');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject({
      data_source: 'alpaca_trading',
      cache: { status: 'BYPASS', age_seconds: 0 },
    });
    // Admin may read.
    await gw.anon().get('/api/v1/account/activities').set(admin).expect(200);
  });

  it("pages with page_token: the id of the previous page's last activity, until a short page", async () => {
    const seen: unknown[] = [];
    let token: string | null = null;
    const tokens: Array<string | undefined> = [];
    do {
      const query: Record<string, string> = { page_size: '2', direction: 'asc' };
      if (token !== null) query['page_token'] = token;
      const res = await activities(query).expect(200);
      tokens.push(gw.emulator.requests.at(-1)?.query['page_token']);
      seen.push(...(res.body.data.activities as unknown[]));
      token = res.body.data.page_info.next_page_token as string | null;
    } while (token !== null);
    const asc = [...gw.emulator.fixtures.activities].reverse();
    expect(seen).toEqual(asc);
    expect(tokens).toEqual([undefined, asc[1]?.['id'], asc[3]?.['id']]);
  });

  it('passes the filters through as given', async () => {
    const res = await activities({
      activity_types: 'fill,div',
      after: '2022-01-01',
      until: '2022-02-03',
      direction: 'asc',
    }).expect(200);
    expect(gw.emulator.requests[0]?.query).toEqual({
      activity_types: 'FILL,DIV',
      after: '2022-01-01',
      until: '2022-02-03',
      direction: 'asc',
    });
    expect((res.body.data.activities as Array<Record<string, unknown>>).map((a) => a['type'])).toEqual([
      'partial_fill',
      'fill',
    ]);
    await activities({ category: 'non_trade_activity', date: '2022-02-01' }).expect(200);
    expect(gw.emulator.requests[1]?.query).toEqual({ category: 'non_trade_activity', date: '2022-02-01' });
  });

  it.each([
    [{ activity_types: 'FILL,NOPE' }, 'INVALID_PARAMETER'],
    [{ activity_types: 'FILL', category: 'trade_activity' }, 'INVALID_PARAMETER'],
    [{ category: 'trades' }, 'INVALID_PARAMETER'],
    [{ page_size: '101' }, 'INVALID_PARAMETER'],
    [{ page_size: '0' }, 'INVALID_PARAMETER'],
    [{ direction: 'up' }, 'INVALID_PARAMETER'],
    [{ page_token: 'a b' }, 'INVALID_PARAMETER'],
    [{ after: '2022-13-01' }, 'INVALID_DATE_RANGE'],
    [{ after: '2022-03-01', until: '2022-02-01' }, 'INVALID_DATE_RANGE'],
  ])('%j → 400 %s, no upstream call', async (query, code) => {
    expectCatalogError(await activities(query), 400, code);
    expect(gw.emulator.requests).toHaveLength(0);
  });
});

describe('GET /account/portfolio-history', () => {
  it('the series exactly as Alpaca sent them (numbers, nulls kept), parameters passed through', async () => {
    const daily = gw.emulator.fixtures.portfolioHistory.daily;
    daily['equity'] = [null, 8639.77, 8766.1, 8835.31];
    daily['profit_loss'] = [null, 214.56, 126.33, 69.21];
    const res = await gw
      .anon()
      .get('/api/v1/account/portfolio-history')
      .query({ period: '1W', timeframe: '1D', cashflow_types: 'csd,div' })
      .set(trader)
      .expect(200);
    expect(res.body.data).toEqual(daily);
    expect(gw.emulator.requests[0]?.query).toEqual({ period: '1W', timeframe: '1D', cashflow_types: 'CSD,DIV' });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.metadata).toMatchObject({ data_source: 'alpaca_trading' });

    const query = {
      timeframe: '15Min',
      intraday_reporting: 'extended_hours',
      start: '2023-10-19T09:30:00-04:00',
      end: '2023-10-19T16:00:00-04:00',
      pnl_reset: 'no_reset',
      extended_hours: 'true',
    };
    const intraday = await gw.anon().get('/api/v1/account/portfolio-history').query(query).set(trader).expect(200);
    expect(intraday.body.data).toEqual(gw.emulator.fixtures.portfolioHistory.intraday);
    expect(gw.emulator.requests[1]?.query).toEqual(query);
  });

  it.each([
    [{ period: '1Y' }, 'INVALID_PARAMETER'],
    [{ timeframe: '1Hour' }, 'INVALID_PARAMETER'],
    [{ intraday_reporting: 'always' }, 'INVALID_PARAMETER'],
    [{ pnl_reset: 'never' }, 'INVALID_PARAMETER'],
    [{ extended_hours: 'maybe' }, 'INVALID_PARAMETER'],
    [{ cashflow_types: 'SOME' }, 'INVALID_PARAMETER'],
    [{ period: '1M', start: '2023-10-01T00:00:00Z', end: '2023-10-19T00:00:00Z' }, 'INVALID_PARAMETER'],
    [{ start: 'yesterday' }, 'INVALID_DATE_RANGE'],
    [{ start: '2023-10-19T00:00:00Z', end: '2023-10-01T00:00:00Z' }, 'INVALID_DATE_RANGE'],
  ])('%j → 400 %s, no upstream call', async (query, code) => {
    expectCatalogError(await gw.anon().get('/api/v1/account/portfolio-history').query(query).set(trader), 400, code);
    expect(gw.emulator.requests).toHaveLength(0);
  });
});
