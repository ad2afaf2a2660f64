import { Controller, Get, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { AppConfig } from '../../core/config/app-config.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { assertOrderedRange } from '../../core/validation/time-range.js';
import type { Bar } from '../../alpaca/stocks/market-data.models.js';
import type { SymbolPage } from '../../alpaca/reference/market-reference.models.js';
import type { OptionTrade } from '../../alpaca/options/options.models.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import type { RouteSource } from '../../market-data/pass-through/pass-through-route.js';
import { OPTION_DATA_ROUTES as OR, requestedContracts } from '../../options/option-data.routes.js';
import { OptionBarsQuery, OptionLatestQuery, OptionTradesQuery } from '../http/market-queries.js';
import { assertOptionFeed } from '../http/served-params.js';
import { wireOptionQuote, wireOptionTrade } from '../wire/option-wire.js';
import { wireHistoryPage, wireLatest } from '../wire/page-wire.js';
import { wireBar } from '../wire/stock-wire.js';

type ContractsHistory = OptionTradesQuery & { timeframe?: string };

/**
 * /api/v1's option history route with Alpaca's `symbols` list in place of its one path contract:
 * the same operation, cache name and query (so one contract is one entry for both faces).
 */
function forContracts<M>(route: RouteSource<never, M>): RouteSource<ContractsHistory, M> {
  return {
    name: route.name,
    operation: route.operation,
    cache: route.cache,
    call: (q) => {
      const symbols = requestedContracts(q.symbols).join(',');
      assertOrderedRange(q.start, q.end);
      return {
        query: {
          symbols,
          timeframe: q.timeframe,
          start: q.start,
          end: q.end,
          limit: q.limit,
          sort: q.sort,
          page_token: q.page_token,
        },
      };
    },
  };
}

const BARS: RouteSource<ContractsHistory, SymbolPage<Bar>> = forContracts(OR.bars);
const TRADES: RouteSource<ContractsHistory, SymbolPage<OptionTrade>> = forContracts(OR.trades);

/**
 * Alpaca's latest option quotes and trades (configured options feed) and option bars and trades
 * (no feed, as Alpaca takes none there) at Alpaca's paths, through /api/v1's pass-through routes.
 */
@ApiExcludeController()
@Controller('v1beta1/options')
export class AlpacaOptionDataController {
  constructor(
    private readonly passThrough: PassThroughService,
    private readonly config: AppConfig,
  ) {}

  @Get('quotes/latest')
  @Authenticated('options:read')
  async latestQuotes(@Query() q: OptionLatestQuery): Promise<WireBody> {
    assertOptionFeed(this.config, q);
    const r = await this.passThrough.model(OR.latestQuotes, q);
    return new WireBody(wireLatest('quotes', r.data, wireOptionQuote), r);
  }

  @Get('trades/latest')
  @Authenticated('options:read')
  async latestTrades(@Query() q: OptionLatestQuery): Promise<WireBody> {
    assertOptionFeed(this.config, q);
    const r = await this.passThrough.model(OR.latestTrades, q);
    return new WireBody(wireLatest('trades', r.data, wireOptionTrade), r);
  }

  @Get('bars')
  @Authenticated('history:read')
  async bars(@Query() q: OptionBarsQuery): Promise<WireBody> {
    const r = await this.passThrough.model(BARS, q);
    return new WireBody(wireHistoryPage('bars', r.data, wireBar), r);
  }

  @Get('trades')
  @Authenticated('history:read')
  async trades(@Query() q: OptionTradesQuery): Promise<WireBody> {
    const r = await this.passThrough.model(TRADES, q);
    return new WireBody(wireHistoryPage('trades', r.data, wireOptionTrade), r);
  }
}
