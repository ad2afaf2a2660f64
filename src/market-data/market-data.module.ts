import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { MarketController } from './market.controller.js';
import { MarketClockService } from './market-clock.service.js';
import { StockBarsService } from './stock-bars.service.js';
import { StockQuotesService } from './stock-quotes.service.js';
import { StocksController } from './stocks.controller.js';
import { PassThroughService } from './pass-through/pass-through.service.js';
import { ReferenceController } from './reference.controller.js';
import { StockDataController } from './stock-data.controller.js';

/**
 * Stock quotes, trades, snapshots, bars and the market clock; the pass-through routes (stock
 * history, latest bars, multi-symbol latest data, codes, news, corporate actions, screeners, assets,
 * calendar). Exports the clock and the pass-through service for other features.
 */
@Module({
  imports: [AlpacaModule],
  controllers: [StocksController, StockDataController, MarketController, ReferenceController],
  providers: [StockQuotesService, StockBarsService, MarketClockService, PassThroughService],
  exports: [MarketClockService, PassThroughService, StockQuotesService, StockBarsService],
})
export class MarketDataModule {}
