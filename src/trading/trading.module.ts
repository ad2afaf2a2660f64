import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { AccountController } from './account.controller.js';
import { AccountHistoryService } from './account-history.service.js';
import { OrderCancelService } from './order-cancel.service.js';
import { OrderSubmissionService } from './order-submission.service.js';
import { OrderReplaceService } from './order-replace.service.js';
import { OrdersController } from './orders.controller.js';
import { PositionsController } from './positions.controller.js';
import { PositionsService } from './positions.service.js';
import { TradingReadsService } from './trading-reads.service.js';
import { IdempotencyLedger } from './idempotency-ledger.js';

/** Account, positions, orders and their lifecycle (trader; admin may read). Nothing here is ever cached. */
@Module({
  imports: [AlpacaModule, AuditModule, RiskModule],
  controllers: [AccountController, OrdersController, PositionsController],
  providers: [IdempotencyLedger, TradingReadsService, OrderSubmissionService, OrderCancelService, OrderReplaceService, PositionsService, AccountHistoryService],
  // The Alpaca-compatible face serves the same operations through these very instances (one idempotency memory for both faces).
  exports: [TradingReadsService, OrderSubmissionService, OrderCancelService, OrderReplaceService, PositionsService, AccountHistoryService],
})
export class TradingModule {}
