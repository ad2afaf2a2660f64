import { DynamicModule, Module } from '@nestjs/common';
import { AlpacaCompatModule } from './alpaca-compat/alpaca-compat.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { StreamsModule } from './streams/streams.module.js';
import { CoreModule, type CoreOptions } from './core/core.module.js';
import { HealthModule } from './health/health.module.js';
import { MarketDataModule } from './market-data/market-data.module.js';
import { OptionsModule } from './options/options.module.js';
import { TradingModule } from './trading/trading.module.js';

/** The whole gateway. Built from an already validated config so tests boot exactly this. */
@Module({})
export class AppModule {
  static forRoot(options: CoreOptions): DynamicModule {
    const face = options.config.alpacaFace ? [AlpacaCompatModule] : [];
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(options),
        AuditModule,
        AuthModule,
        MarketDataModule,
        OptionsModule,
        TradingModule,
        StreamsModule,
        ...face,
        HealthModule,
      ],
    };
  }
}
