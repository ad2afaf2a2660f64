/**
 * Default emulator fixtures. Every call builds brand-new objects, so one test mutating
 * `emulator.fixtures` can never leak into another (reset() calls this again).
 */
import type { EmulatorFixtures } from './emulator.types.js';
import { stockBarFixtures } from './fixtures/bar-fixtures.js';
import { optionSnapshotFixtures } from './fixtures/option-fixtures.js';
import { stockQuoteFixtures, stockSnapshotFixtures, stockTradeFixtures } from './fixtures/stock-fixtures.js';
import {
  assetFixtures,
  calendarFixtures,
  codeFixtures,
  corporateActionFixtures,
  mostActivesFixture,
  moversFixture,
  newsFixtures,
  optionBarFixtures,
  optionTradeFixtures,
  stockAuctionFixtures,
  stockLatestBarFixtures,
  stockQuoteHistoryFixtures,
  stockTradeHistoryFixtures,
} from './fixtures/reference-fixtures.js';
import {
  accountFixture,
  activityFixtures,
  clockFixture,
  optionContractFixtures,
  orderFixtures,
  portfolioHistoryFixtures,
  positionFixtures,
} from './fixtures/trading-fixtures.js';

export function defaultFixtures(): EmulatorFixtures {
  // Each builder returns freshly built literals (no shared module-level objects), which is what
  // makes the result a deep copy.
  return {
    stockQuotes: stockQuoteFixtures(),
    stockTrades: stockTradeFixtures(),
    stockSnapshots: stockSnapshotFixtures(),
    stockBars: stockBarFixtures(),
    optionSnapshots: optionSnapshotFixtures(),
    clock: clockFixture(),
    account: accountFixture(),
    positions: positionFixtures(),
    orders: orderFixtures(),
    optionContracts: optionContractFixtures(),
    activities: activityFixtures(),
    portfolioHistory: portfolioHistoryFixtures(),
    stockQuoteHistory: stockQuoteHistoryFixtures(),
    stockTradeHistory: stockTradeHistoryFixtures(),
    stockAuctions: stockAuctionFixtures(),
    stockLatestBars: stockLatestBarFixtures(),
    optionBars: optionBarFixtures(),
    optionTrades: optionTradeFixtures(),
    codes: codeFixtures(),
    news: newsFixtures(),
    corporateActions: corporateActionFixtures(),
    mostActives: mostActivesFixture(),
    movers: moversFixture(),
    assets: assetFixtures(),
    calendar: calendarFixtures(),
  };
}
