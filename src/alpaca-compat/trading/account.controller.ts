import { CurrentCaller } from '../../core/identity/auth.decorators.js';
import type { Caller } from '../../core/identity/caller.js';
import { Controller, Get, Param, Query, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { AccountHistoryService } from '../../trading/account-history.service.js';
import { ActivitiesQueryDto, PortfolioHistoryQueryDto } from '../../trading/dto/account-history.dto.js';
import { TradingReadsService } from '../../trading/trading-reads.service.js';
import { AlpacaRefusalsInterceptor } from './alpaca-refusals.interceptor.js';
import { ActivitiesOfTypeQuery, ActivityTypeParam } from './trading-face.dto.js';

/** The account, its activities and its portfolio history, read from Alpaca on every request. */
@ApiExcludeController()
@UseInterceptors(AlpacaRefusalsInterceptor)
@Controller('v2/account')
export class AlpacaAccountController {
  constructor(
    private readonly reads: TradingReadsService,
    private readonly history: AccountHistoryService,
  ) {}

  @Get()
  @Authenticated('trading:read')
  async account(@CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.reads.account(caller);
    return new WireBody(r.data, r);
  }

  /** Alpaca's page is the bare list (the next page's token is the last activity's id). */
  @Get('activities')
  @Authenticated('trading:read')
  async activities(@Query() q: ActivitiesQueryDto, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.history.activities(q, caller);
    return new WireBody(r.data.activities, r);
  }

  /** The same list filtered to the path's type (Alpaca's activity_types with one type: the same activities). */
  @Get('activities/:activity_type')
  @Authenticated('trading:read')
  async activitiesOfType(
    @Param() p: ActivityTypeParam,
    @Query() q: ActivitiesOfTypeQuery,
    @CurrentCaller() caller: Caller,
  ): Promise<WireBody> {
    const r = await this.history.activities({ ...q, activity_types: p.activity_type }, caller);
    return new WireBody(r.data.activities, r);
  }

  @Get('portfolio/history')
  @Authenticated('trading:read')
  async portfolioHistory(@Query() q: PortfolioHistoryQueryDto, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.history.portfolioHistory(q, caller);
    return new WireBody(r.data, r);
  }
}
