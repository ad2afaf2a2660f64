import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { MarketDataModule } from '../market-data/market-data.module.js';
import { OptionChainController } from './option-chain.controller.js';
import { OptionDataController } from './option-data.controller.js';
import { OptionChainService } from './option-chain.service.js';
import { OptionContractsService } from './option-contracts.service.js';
import { OptionQuotesController } from './option-quotes.controller.js';
import { OptionQuotesService } from './option-quotes.service.js';

/** Option quotes, batches, chains and contracts: only what Alpaca returns, completeness made visible. Exports the snapshot and chain services for the Alpaca-compatible face. */
@Module({
  imports: [AlpacaModule, MarketDataModule],
  controllers: [OptionQuotesController, OptionChainController, OptionDataController],
  providers: [OptionQuotesService, OptionChainService, OptionContractsService],
  exports: [OptionQuotesService, OptionChainService, OptionContractsService],
})
export class OptionsModule {}
