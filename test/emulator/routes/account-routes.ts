/** Trading host: clock (§4.4), account (§4.1) and positions (§4.2). */
import type { RouteDefinition } from '../http/router.js';
import { tradingNotFound } from '../http/http-error.js';

export const accountRoutes: RouteDefinition[] = [
  {
    method: 'GET',
    path: '/v2/clock',
    // With liveData on, the emulator's own session schedule answers instead of fixtures.clock.
    handle: (context) => ({ status: 200, body: context.state.liveData?.at().clock() ?? context.state.fixtures.clock }),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/account',
    handle: (context) => ({ status: 200, body: context.state.fixtures.account }),
    empty: () => ({}),
  },
  {
    method: 'GET',
    path: '/v2/positions',
    handle: (context) => ({ status: 200, body: context.state.fixtures.positions }),
    empty: () => [],
  },
  {
    method: 'GET',
    path: '/v2/positions/{symbol_or_asset_id}',
    handle: (context) => {
      const key = context.params.symbol_or_asset_id;
      const position = context.state.fixtures.positions.find((p) => p.symbol === key || p.asset_id === key);
      if (position === undefined) throw tradingNotFound('position does not exist');
      return { status: 200, body: position };
    },
    empty: () => ({}),
  },
];
