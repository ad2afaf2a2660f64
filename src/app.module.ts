import { DynamicModule, Module } from '@nestjs/common';
import { AlpacaStreamFaceModule } from './alpaca-compat/stream/alpaca-stream.module.js';
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
    const face = options.config.alpacaFace ? [AlpacaStreamFaceModule] : [];
    return { module: AppModule, imports: [CoreModule.forRoot(options), AuditModule, AuthModule, MarketDataModule, OptionsModule, TradingModule, StreamsModule, ...face, HealthModule] };
  }
}
