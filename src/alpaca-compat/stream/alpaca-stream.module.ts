import { Module } from '@nestjs/common';
import { StreamsModule } from '../../streams/streams.module.js';
import {
  CryptoFaceGateway,
  OptionsFaceGateway,
  StocksFaceGateway,
  TradeUpdatesFaceGateway,
} from './alpaca-stream.gateways.js';
import { MarketDataFace } from './market-data-face.service.js';
import { TradeUpdatesFace } from './trade-updates-face.service.js';

/**
 * The streaming half of the Alpaca-compatible face: Alpaca's stream paths (`/v2/{feed}`,
 * `/v1beta1/{feed}`, `/stream`) as sessions of the one StreamHub, so SDK clients share the fleet's
 * upstream sockets with /api/v1/stream. Imported by AppModule unless ALPACA_FACE=false (then the
 * paths answer 404 at the upgrade).
 */
@Module({
  imports: [StreamsModule],
  providers: [
    MarketDataFace,
    TradeUpdatesFace,
    StocksFaceGateway,
    OptionsFaceGateway,
    CryptoFaceGateway,
    TradeUpdatesFaceGateway,
  ],
})
export class AlpacaStreamFaceModule {}
