import { Module } from '@nestjs/common';
import { AppConfig } from '../core/config/app-config.js';
import { Tracing } from '../core/telemetry/tracing.js';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { RiskModule } from '../risk/risk.module.js';
import { AccountController } from './account.controller.js';
import { AccountHistoryService } from './account-history.service.js';
import { OrderCancelService } from './orders/order-cancel.service.js';
import { OrderSubmissionService } from './orders/order-submission.service.js';
import { OrderReplaceService } from './orders/order-replace.service.js';
import { OrdersController } from './orders/orders.controller.js';
import { PositionsController } from './positions.controller.js';
import { PositionsService } from './positions.service.js';
import { TradingReadsService } from './trading-reads.service.js';
import { IdempotencyLedger } from './orders/idempotency-ledger.js';
import { TradingHaltController } from './halt/halt.controller.js';
import { HaltMetrics } from './halt/halt-metrics.js';
import { createHaltStore, HaltStore } from './halt/halt-store.js';
import { TradingHalts } from './halt/trading-halts.service.js';

/**
 * Account, positions, orders and their lifecycle (trader; admin may read), and the fleet-wide
 * trading halt (admin) that every order write passes. Nothing here is ever cached.
 */
@Module({
  imports: [AlpacaModule, AuditModule, RiskModule],
  controllers: [AccountController, OrdersController, PositionsController, TradingHaltController],
  providers: [
    IdempotencyLedger,
    TradingReadsService,
    OrderSubmissionService,
    OrderCancelService,
    OrderReplaceService,
    PositionsService,
    AccountHistoryService,
    {
      provide: HaltStore,
      inject: [AppConfig, Tracing],
      useFactory: (c: AppConfig, tracing: Tracing) =>
        createHaltStore({ databaseUrl: c.databaseUrl, file: c.tradingHalt.file, traced: tracing.enabled }),
    },
    HaltMetrics,
    TradingHalts,
  ],
  // The Alpaca-compatible face serves the same operations through these very instances (one idempotency memory for both faces).
  exports: [
    TradingReadsService,
    OrderSubmissionService,
    OrderCancelService,
    OrderReplaceService,
    PositionsService,
    AccountHistoryService,
  ],
})
export class TradingModule {}
