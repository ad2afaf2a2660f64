import { Module } from '@nestjs/common';
import { MarketDataModule } from '../../market-data/market-data.module.js';
import { OptionsModule } from '../../options/options.module.js';
import { TradingModule } from '../../trading/trading.module.js';
import { AlpacaAccountController } from './account.controller.js';
import { AlpacaOrdersController } from './orders.controller.js';
import { AlpacaPositionsController } from './positions.controller.js';
import { AlpacaTradingReferenceController } from './reference.controller.js';

/**
 * The trading host of the Alpaca-compatible face: account, orders, positions, activities,
 * portfolio history, assets, clock, calendar and option contracts at Alpaca's paths, in Alpaca's
 * bodies, served by the very service instances /api/v1 uses (one idempotency memory, one audit
 * trail, one cache).
 */
@Module({
  imports: [TradingModule, MarketDataModule, OptionsModule],
  controllers: [
    AlpacaAccountController,
    AlpacaOrdersController,
    AlpacaPositionsController,
    AlpacaTradingReferenceController,
  ],
})
export class AlpacaTradingFaceModule {}
