import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { MarketController } from './market.controller.js';
import { MarketClockService } from './market-clock.service.js';
import { StockBarsService } from './stock-bars.service.js';
import { StockQuotesService } from './stock-quotes.service.js';
import { StocksController } from './stocks.controller.js';

/** Stock quotes, trades, snapshots, bars and the market clock. Exports the clock for other features. */
@Module({
  imports: [AlpacaModule],
  controllers: [StocksController, MarketController],
  providers: [StockQuotesService, StockBarsService, MarketClockService],
  exports: [MarketClockService],
})
export class MarketDataModule {}
