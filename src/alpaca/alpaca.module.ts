import { Module } from '@nestjs/common';
import { AlpacaDataClient, AlpacaTradingClient } from './alpaca-clients.js';
import { AlpacaMarketDataGateway } from './alpaca-market-data.gateway.js';
import { AlpacaMarketStreamGateway } from './alpaca-market-stream.js';
import { AlpacaOptionsDataGateway } from './alpaca-options-data.gateway.js';
import { AlpacaPassThroughGateway } from './alpaca-pass-through.gateway.js';
import { PassThroughGateway } from './pass-through.gateway.js';
import { MarketDataGateway } from './market-data.gateway.js';
import { MarketStreamGateway } from './market-stream.port.js';
import { OptionsDataGateway } from './options-data.gateway.js';
import { AlpacaTradeUpdatesGateway } from './alpaca-trade-updates.js';
import { AlpacaTradingGateway } from './alpaca-trading.gateway.js';
import { TradeUpdatesGateway } from './trade-updates.port.js';
import { TradingGateway } from './trading.gateway.js';
import { UpstreamResilience } from './resilience/upstream-resilience.js';

/** The Alpaca adapter: HTTP clients, wire types and mappers stay inside; only ports are exported. */
@Module({
  providers: [
    UpstreamResilience,
    AlpacaDataClient,
    AlpacaTradingClient,
    { provide: MarketDataGateway, useClass: AlpacaMarketDataGateway },
    { provide: OptionsDataGateway, useClass: AlpacaOptionsDataGateway },
    { provide: TradingGateway, useClass: AlpacaTradingGateway },
    { provide: PassThroughGateway, useClass: AlpacaPassThroughGateway },
    { provide: MarketStreamGateway, useClass: AlpacaMarketStreamGateway },
    { provide: TradeUpdatesGateway, useClass: AlpacaTradeUpdatesGateway },
  ],
  exports: [MarketDataGateway, OptionsDataGateway, TradingGateway, MarketStreamGateway, PassThroughGateway, TradeUpdatesGateway],
})
export class AlpacaModule {}
