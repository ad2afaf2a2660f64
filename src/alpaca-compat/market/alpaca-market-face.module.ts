import { Module } from '@nestjs/common';
import { MarketDataModule } from '../../market-data/market-data.module.js';
import { OptionsModule } from '../../options/options.module.js';
import { AlpacaCodesController } from './codes.controller.js';
import { AlpacaOptionDataController } from './option-data.controller.js';
import { AlpacaOptionSnapshotsController } from './option-snapshots.controller.js';
import { AlpacaReferenceController } from './reference.controller.js';
import { AlpacaStockBarsController } from './stock-bars.controller.js';
import { AlpacaStockHistoryController } from './stock-history.controller.js';
import { AlpacaStockLatestController } from './stock-latest.controller.js';

/**
 * Alpaca's market-data operations at Alpaca's paths (stocks v2, options v1beta1, news, screeners,
 * corporate actions), each served by the /api/v1 service of the same data: one cache, budget,
 * breaker and role check for both faces.
 */
@Module({
  imports: [MarketDataModule, OptionsModule],
  controllers: [
    AlpacaStockLatestController,
    AlpacaStockBarsController,
    AlpacaStockHistoryController,
    AlpacaCodesController,
    AlpacaOptionSnapshotsController,
    AlpacaOptionDataController,
    AlpacaReferenceController,
  ],
})
export class AlpacaMarketFaceModule {}
