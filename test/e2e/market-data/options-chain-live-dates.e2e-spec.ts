/**
 * The demo's emulator (liveDates on): the gateway's AAPL chain lists contracts that expire after
 * today in New York, and their greeks and IV are the fixtures' own values.
 */
import { defaultFixtures } from '../../emulator/alpaca-emulator.js';
import { type Gateway, startGateway } from '../support/harness.js';

const NY_DATE = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'America/New_York',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({}, { liveDates: true });
});
afterAll(async () => {
  await gw.close();
});

interface ChainContract {
  symbol: string;
  expiration_date: string;
  strike_price: string;
  greeks: Record<string, number> | null;
  implied_volatility: number | null;
}

describe('GET /options/AAPL/chain against the demo emulator (liveDates)', () => {
  it("lists only unexpired contracts, with the fixtures' greeks and IV", async () => {
    // The emulator dated its fixtures from the system clock when it was built, as the demo does.
    const today = NY_DATE.format(new Date());
    const res = await gw.http().get('/api/v1/options/AAPL/chain').query({ limit: 100 }).expect(200);
    const contracts: ChainContract[] = res.body.data.contracts;

    const fixtureAapl = Object.entries(defaultFixtures().optionSnapshots).filter(([symbol]) =>
      symbol.startsWith('AAPL'),
    );
    expect(contracts).toHaveLength(fixtureAapl.length);
    for (const contract of contracts) expect(contract.expiration_date > today).toBe(true);
    expect(contracts.map((c) => c.symbol).sort()).toEqual(
      Object.keys(gw.emulator.fixtures.optionSnapshots)
        .filter((s) => s.startsWith('AAPL'))
        .sort(),
    );

    // Values are fixed: each fixture's greeks and IV appear on the contract of the same strike and type,
    // the dated snapshots keeping the fixtures' order.
    const datedSymbols = Object.keys(gw.emulator.fixtures.optionSnapshots);
    const originalSymbols = Object.keys(defaultFixtures().optionSnapshots);
    for (const [symbol, snapshot] of fixtureAapl) {
      const dated = datedSymbols[originalSymbols.indexOf(symbol)];
      const contract = contracts.find((c) => c.symbol === dated);
      expect(contract?.greeks ?? null).toEqual(snapshot.greeks ?? null);
      expect(contract?.implied_volatility ?? null).toBe(snapshot.impliedVolatility ?? null);
    }
    const call162 = contracts.find((c) => c.strike_price === '162.5');
    expect(call162?.greeks?.delta).toBe(0.7521304109871954);
    expect(call162?.implied_volatility).toBe(0.3372405712050441);
  });
});
