import { Module } from '@nestjs/common';
import { AlpacaDataClient, AlpacaTradingClient, AlpacaTradingClients } from './http/alpaca-clients.js';
import { AlpacaMarketDataAdapter } from './stocks/alpaca-market-data.adapter.js';
import { AlpacaMarketStreamAdapter } from './stream/alpaca-market-stream.adapter.js';
import { AlpacaOptionsDataAdapter } from './options/alpaca-options-data.adapter.js';
import { AlpacaPassThroughAdapter } from './reference/alpaca-pass-through.adapter.js';
import { PassThroughPort } from './reference/pass-through.port.js';
import { MarketDataPort } from './stocks/market-data.port.js';
import { MarketStreamPort } from './stream/market-stream.port.js';
import { OptionsDataPort } from './options/options-data.port.js';
import { AlpacaTradeUpdatesAdapter } from './trading/alpaca-trade-updates.adapter.js';
import { AlpacaTradingAccounts } from './trading/alpaca-trading.adapter.js';
import { TradeUpdatesPort } from './trading/trade-updates.port.js';
import { TradingAccountsPort } from './trading/trading.port.js';
import { UpstreamResilience } from './http/resilience/upstream-resilience.js';

/** The Alpaca adapter: HTTP clients, wire types and mappers stay inside; only ports are exported. */
@Module({
  providers: [
    UpstreamResilience,
    AlpacaDataClient,
    AlpacaTradingClients,
    { provide: AlpacaTradingClient, inject: [AlpacaTradingClients], useFactory: (c: AlpacaTradingClients) => c.data },
    { provide: MarketDataPort, useClass: AlpacaMarketDataAdapter },
    { provide: OptionsDataPort, useClass: AlpacaOptionsDataAdapter },
    { provide: TradingAccountsPort, useClass: AlpacaTradingAccounts },
    { provide: PassThroughPort, useClass: AlpacaPassThroughAdapter },
    { provide: MarketStreamPort, useClass: AlpacaMarketStreamAdapter },
    { provide: TradeUpdatesPort, useClass: AlpacaTradeUpdatesAdapter },
  ],
  exports: [MarketDataPort, OptionsDataPort, TradingAccountsPort, MarketStreamPort, PassThroughPort, TradeUpdatesPort],
})
export class AlpacaModule {}
