import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { AppConfig } from '../../core/config/app-config.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { MARKET_OPERATIONS as OP } from '../../alpaca/reference/market-operations.js';
import type { SymbolPage } from '../../alpaca/reference/market-reference.models.js';
import type { Bar } from '../../alpaca/stocks/market-data.models.js';
import { oneSymbol } from '../../market-data/pass-through/answers.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import type { RouteSource } from '../../market-data/pass-through/pass-through-route.js';
import { StockBarsService } from '../../market-data/stock-bars.service.js';
import { requestedSymbols, STOCK_DATA_ROUTES as SR } from '../../market-data/stock-data.routes.js';
import { StockFeedQuery, StockLatestQuery } from '../http/face-query.js';
import { assertStockFeed } from '../http/served-params.js';
import { pathSymbol } from '../http/path-symbol.js';
import { StockBarsListQuery, StockBarsQuery } from '../http/market-queries.js';
import { wireHistoryPage, wireLatest, withCurrency } from '../wire/page-wire.js';
import { wireBar } from '../wire/stock-wire.js';

type ManyBars = StockBarsQuery & { symbols: string };

/** Several symbols' bars: Alpaca's multi-symbol page, one call, its token handed back as it came. */
const MANY_BARS: RouteSource<ManyBars, SymbolPage<Bar>> = {
  name: 'stock:bars',
  operation: OP.stockBars,
  cache: 'history',
  call: (q) => ({
    query: {
      symbols: q.symbols,
      timeframe: q.timeframe,
      start: q.start,
      end: q.end,
      limit: q.limit,
      adjustment: q.adjustment,
      sort: q.sort,
      asof: q.asof,
      page_token: q.page_token,
    },
  }),
};

/**
 * Alpaca's stock bars at Alpaca's paths. One symbol (either path) is StockBarsService's page, the
 * entry /api/v1's bars route reads too; several symbols are one multi-symbol call. Latest bars are
 * /api/v1's pass-through routes. An empty page is Alpaca's empty page, not an error.
 */
@ApiExcludeController()
@Controller('v2/stocks')
export class AlpacaStockBarsController {
  constructor(
    private readonly barsService: StockBarsService,
    private readonly passThrough: PassThroughService,
    private readonly config: AppConfig,
  ) {}

  @Get('bars')
  @Authenticated('history:read')
  async bars(@Query() q: StockBarsListQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const symbols = requestedSymbols(q.symbols);
    const [only] = symbols;
    if (symbols.length === 1 && only !== undefined) {
      const r = await this.barsService.page(only, q);
      const bars = r.data.bars.length === 0 ? {} : { [only]: r.data.bars.map(wireBar) };
      return new WireBody(withCurrency({ bars, next_page_token: r.data.next_page_token }, q.currency), r);
    }
    const r = await this.passThrough.model(MANY_BARS, { ...q, symbols: symbols.join(',') });
    return new WireBody(withCurrency(wireHistoryPage('bars', r.data, wireBar), q.currency), r);
  }

  @Get('bars/latest')
  @Authenticated('market:read')
  async latestBars(@Query() q: StockLatestQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.passThrough.model(SR.latestBars, q);
    return new WireBody(withCurrency(wireLatest('bars', r.data, wireBar), q.currency), r);
  }

  @Get(':symbol/bars')
  @Authenticated('history:read')
  async symbolBars(@Param('symbol') raw: string, @Query() q: StockBarsQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const symbol = pathSymbol(raw);
    const r = await this.barsService.page(symbol, q);
    return new WireBody(
      withCurrency({ symbol, bars: r.data.bars.map(wireBar), next_page_token: r.data.next_page_token }, q.currency),
      r,
    );
  }

  @Get(':symbol/bars/latest')
  @Authenticated('market:read')
  async latestBar(@Param('symbol') raw: string, @Query() q: StockFeedQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const symbol = pathSymbol(raw);
    const r = await this.passThrough.model(SR.latestBar, { symbol });
    // A symbol Alpaca has nothing for: 404, as the single-symbol latest quote and trade answer it.
    const bar = oneSymbol(r.data, symbol, this.config.alpaca.stockFeed);
    return new WireBody(withCurrency({ symbol, bar: wireBar(bar) }, q.currency), r);
  }
}
