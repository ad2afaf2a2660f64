import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AppConfig } from '../../core/config/app-config.js';
import { WireBody } from '../../core/attribution/wire-body.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { StockQuotesService } from '../../market-data/stock-quotes.service.js';
import { SymbolParamDto } from '../../market-data/dto/symbol-param.dto.js';
import { StockFeedQuery, StockLatestQuery, symbolList } from '../http/face-query.js';
import { assertStockFeed } from '../http/served-params.js';
import { wireQuote, wireSnapshot, wireTrade, type WireObject } from '../wire/stock-wire.js';

function byKey<T>(found: Map<string, T>, render: (v: T) => WireObject): Record<string, WireObject> {
  const out: Record<string, WireObject> = {};
  for (const [symbol, value] of found) out[symbol] = render(value);
  return out;
}

/**
 * Alpaca's latest stock quote, trade and snapshot operations at Alpaca's paths, served by the same
 * StockQuotesService as /api/v1 (one cache entry per symbol and kind, whichever face asked; misses
 * of the moment merged into one upstream call). A symbol Alpaca has nothing for is left out of a
 * multi-symbol answer, as Alpaca leaves it out.
 */
@ApiExcludeController()
@Controller('v2/stocks')
export class AlpacaStockLatestController {
  constructor(
    private readonly quotes: StockQuotesService,
    private readonly config: AppConfig,
  ) {}

  @Get('quotes/latest')
  @Authenticated('market:read')
  async latestQuotes(@Query() q: StockLatestQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.latestMany('quote', symbolList(q.symbols));
    return new WireBody({ quotes: byKey(r.data.found, wireQuote) }, r);
  }

  @Get('trades/latest')
  @Authenticated('market:read')
  async latestTrades(@Query() q: StockLatestQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.latestMany('trade', symbolList(q.symbols));
    return new WireBody({ trades: byKey(r.data.found, wireTrade) }, r);
  }

  @Get('snapshots')
  @Authenticated('market:read')
  async snapshots(@Query() q: StockLatestQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.latestMany('snapshot', symbolList(q.symbols));
    return new WireBody(byKey(r.data.found, wireSnapshot), r);
  }

  @Get(':symbol/quotes/latest')
  @Authenticated('market:read')
  async latestQuote(@Param() p: SymbolParamDto, @Query() q: StockFeedQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.quote(p.symbol);
    return new WireBody({ symbol: r.data.symbol, quote: wireQuote(r.data) }, r);
  }

  @Get(':symbol/trades/latest')
  @Authenticated('market:read')
  async latestTrade(@Param() p: SymbolParamDto, @Query() q: StockFeedQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.trade(p.symbol);
    return new WireBody({ symbol: r.data.symbol, trade: wireTrade(r.data) }, r);
  }

  @Get(':symbol/snapshot')
  @Authenticated('market:read')
  async snapshot(@Param() p: SymbolParamDto, @Query() q: StockFeedQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    const r = await this.quotes.snapshot(p.symbol);
    return new WireBody({ symbol: r.data.symbol, ...wireSnapshot(r.data) }, r);
  }
}
