import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { AppConfig } from '../../core/config/app-config.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import type { StockQuote, StockTrade } from '../../alpaca/stocks/market-data.models.js';
import type { DailyAuctions, SymbolPage } from '../../alpaca/reference/market-reference.models.js';
import type { StockHistoryQueryDto } from '../../market-data/dto/history-query.dto.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import type { RouteSource } from '../../market-data/pass-through/pass-through-route.js';
import { requestedSymbols, STOCK_DATA_ROUTES as SR } from '../../market-data/stock-data.routes.js';
import { assertAuctionFeed, assertStockFeed } from '../http/served-params.js';
import { StockHistoryListQuery, StockHistoryQuery } from '../http/market-queries.js';
import { pathSymbol } from '../http/path-symbol.js';
import { wireHistoryPage, wireSingleHistoryPage, withCurrency } from '../wire/page-wire.js';
import { wireDailyAuctions, wireQuote, wireTrade, type WireObject } from '../wire/stock-wire.js';

/** One kind of stock history: /api/v1's route (its call, cache policy and cache-key name), the key of Alpaca's body, how an item is written. */
interface Kind<T> {
  route: RouteSource<{ symbol: string } & StockHistoryQueryDto, SymbolPage<T>>;
  key: string;
  render: (item: T) => WireObject;
}

const QUOTES: Kind<StockQuote> = { route: SR.quotes, key: 'quotes', render: wireQuote };
const TRADES: Kind<StockTrade> = { route: SR.trades, key: 'trades', render: wireTrade };
const AUCTIONS: Kind<DailyAuctions> = { route: SR.auctions, key: 'auctions', render: wireDailyAuctions };

/**
 * Alpaca's historical stock quotes, trades and auctions, multi- and single-symbol, through
 * /api/v1's pass-through routes: the same call for the same symbols and range, so one symbol's
 * page is one cache entry whichever face asked. One Alpaca page per request; next_page_token is
 * Alpaca's, handed back as it came (null at the end), and page_token goes back to Alpaca unchanged.
 */
@ApiExcludeController()
@Controller('v2/stocks')
export class AlpacaStockHistoryController {
  constructor(
    private readonly passThrough: PassThroughService,
    private readonly config: AppConfig,
  ) {}

  @Get('quotes')
  @Authenticated('history:read')
  quotes(@Query() q: StockHistoryListQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    return this.many(QUOTES, q);
  }

  @Get('trades')
  @Authenticated('history:read')
  trades(@Query() q: StockHistoryListQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    return this.many(TRADES, q);
  }

  @Get('auctions')
  @Authenticated('history:read')
  auctions(@Query() q: StockHistoryListQuery): Promise<WireBody> {
    assertAuctionFeed(q);
    return this.many(AUCTIONS, q);
  }

  @Get(':symbol/quotes')
  @Authenticated('history:read')
  symbolQuotes(@Param('symbol') raw: string, @Query() q: StockHistoryQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    return this.one(QUOTES, pathSymbol(raw), q);
  }

  @Get(':symbol/trades')
  @Authenticated('history:read')
  symbolTrades(@Param('symbol') raw: string, @Query() q: StockHistoryQuery): Promise<WireBody> {
    assertStockFeed(this.config, q);
    return this.one(TRADES, pathSymbol(raw), q);
  }

  @Get(':symbol/auctions')
  @Authenticated('history:read')
  symbolAuctions(@Param('symbol') raw: string, @Query() q: StockHistoryQuery): Promise<WireBody> {
    assertAuctionFeed(q);
    return this.one(AUCTIONS, pathSymbol(raw), q);
  }

  private async many<T>(kind: Kind<T>, q: StockHistoryListQuery): Promise<WireBody> {
    // /api/v1's call puts `symbol` into Alpaca's `symbols`: a list goes through it as one value.
    const r = await this.passThrough.model(kind.route, { ...q, symbol: requestedSymbols(q.symbols).join(',') });
    return new WireBody(withCurrency(wireHistoryPage(kind.key, r.data, kind.render), q.currency), r);
  }

  private async one<T>(kind: Kind<T>, symbol: string, q: StockHistoryQuery): Promise<WireBody> {
    const r = await this.passThrough.model(kind.route, { ...q, symbol });
    return new WireBody(withCurrency(wireSingleHistoryPage(kind.key, symbol, r.data, kind.render), q.currency), r);
  }
}
