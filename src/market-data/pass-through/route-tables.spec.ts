import 'reflect-metadata';
import { SpecCatalog } from '../../../test/emulator/spec/spec-operations.js';
import { OPTION_DATA_ROUTES } from '../../options/option-data.routes.js';
import { REFERENCE_ROUTES } from '../reference.routes.js';
import { STOCK_DATA_ROUTES } from '../stock-data.routes.js';

const TABLES = { stocks: STOCK_DATA_ROUTES, reference: REFERENCE_ROUTES, options: OPTION_DATA_ROUTES };
const ALL = Object.entries(TABLES).flatMap(([table, routes]) =>
  Object.entries(routes).map(([name, route]) => ({ id: `${table}.${name}`, route })),
);

/** Issue 16: news, screeners, assets, calendar and codes for viewers; any history premium; latest option data as the other option routes. */
const PERMISSION: Record<string, string> = {
  'stocks.quotes': 'history:read',
  'stocks.trades': 'history:read',
  'stocks.auctions': 'history:read',
  'stocks.latestBar': 'market:read',
  'stocks.latestBars': 'market:read',
  'stocks.latestTrades': 'market:read',
  'stocks.snapshots': 'market:read',
  'stocks.conditions': 'market:read',
  'stocks.exchanges': 'market:read',
  'reference.news': 'market:read',
  'reference.corporateActions': 'history:read',
  'reference.mostActives': 'market:read',
  'reference.movers': 'market:read',
  'reference.assets': 'market:read',
  'reference.asset': 'market:read',
  'reference.calendar': 'market:read',
  'options.bars': 'history:read',
  'options.trades': 'history:read',
  'options.latestQuotes': 'options:read',
  'options.latestTrades': 'options:read',
  'options.conditions': 'market:read',
  'options.exchanges': 'market:read',
};

describe('pass-through route tables', () => {
  const spec = SpecCatalog.load();

  it.each(ALL)('$id needs the permission issue 16 gives it', ({ id, route }) => {
    expect(route.docs.permission).toBe(PERMISSION[id]);
  });

  it.each(ALL)("$id calls an operation of Alpaca's spec by its own id", ({ route }) => {
    const op = route.operation;
    // The template itself, with each {part} filled by a placeholder, must be that operation's path.
    const path = op.path.replace(/\{[a-z_]+\}/g, (p: string) =>
      p === '{ticktype}' ? 'trade' : p === '{market_type}' ? 'stocks' : 'X',
    );
    const query: Record<string, string> = {};
    if (op.path.startsWith('/v2/stocks/meta/conditions')) query['tape'] = 'A';
    if (/\/(quotes|trades|auctions|bars)(\/latest)?$|snapshots$/.test(op.path)) query['symbols'] = 'X';
    if (op.path.endsWith('/options/bars')) query['timeframe'] = '1Day';
    expect(spec.operationOf({ host: op.api, method: 'GET', path, query })).toBe(op.id);
  });

  it('names every cache key differently', () => {
    const names = ALL.map(({ route }) => route.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
