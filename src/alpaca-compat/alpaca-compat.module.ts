import { Module, type OnModuleInit } from '@nestjs/common';
import { GlobalExceptionFilter } from '../core/errors/global-exception.filter.js';
import { AlpacaErrorFace } from './http/alpaca-error.face.js';
import { AlpacaMarketFaceModule } from './market/alpaca-market-face.module.js';
import { AlpacaStreamFaceModule } from './stream/alpaca-stream.module.js';
import { AlpacaTradingFaceModule } from './trading/alpaca-trading-face.module.js';

/**
 * The Alpaca-compatible face (ALPACA_FACE, on by default): Alpaca's own REST paths beside /api/v1,
 * served by the same feature services (one cache, budget, breaker and role check for both faces),
 * answering in Alpaca's bodies with the gateway's provenance in headers and errors in Alpaca's shape.
 */
@Module({
  imports: [AlpacaMarketFaceModule, AlpacaTradingFaceModule, AlpacaStreamFaceModule],
})
export class AlpacaCompatModule implements OnModuleInit {
  constructor(private readonly filter: GlobalExceptionFilter) {}

  onModuleInit(): void {
    this.filter.useFace(new AlpacaErrorFace());
  }
}
