import { Module, type OnModuleInit } from '@nestjs/common';
import { GlobalExceptionFilter } from '../core/errors/global-exception.filter.js';
import { MarketDataModule } from '../market-data/market-data.module.js';
import { AlpacaErrorFace } from './http/alpaca-error.face.js';
import { AlpacaStockLatestController } from './market/stock-latest.controller.js';
import { AlpacaTradingFaceModule } from './trading/alpaca-trading-face.module.js';

/**
 * The Alpaca-compatible face (ALPACA_FACE, on by default): Alpaca's own REST paths beside /api/v1,
 * served by the same feature services (one cache, budget, breaker and role check for both faces),
 * answering in Alpaca's bodies with the gateway's provenance in headers and errors in Alpaca's shape.
 */
@Module({
  imports: [MarketDataModule, AlpacaTradingFaceModule],
  controllers: [AlpacaStockLatestController],
})
export class AlpacaCompatModule implements OnModuleInit {
  constructor(private readonly filter: GlobalExceptionFilter) {}

  onModuleInit(): void {
    this.filter.useFace(new AlpacaErrorFace());
  }
}
