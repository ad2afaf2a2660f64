import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AccountController } from './account.controller.js';
import { OrderCancelService } from './order-cancel.service.js';
import { OrderSubmissionService } from './order-submission.service.js';
import { OrdersController } from './orders.controller.js';
import { TradingReadsService } from './trading-reads.service.js';

/** Account, positions and orders (trader; admin may read). Nothing here is ever cached. */
@Module({
  imports: [AlpacaModule, AuditModule],
  controllers: [AccountController, OrdersController],
  providers: [TradingReadsService, OrderSubmissionService, OrderCancelService],
})
export class TradingModule {}
