import { CurrentCaller } from '../core/identity/auth.decorators.js';
import type { Caller } from '../core/identity/caller.js';
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { PositionParamDto } from './dto/trading-params.dto.js';
import { AccountHistoryService, type ActivitiesPage } from './account-history.service.js';
import { ActivitiesQueryDto, PortfolioHistoryQueryDto } from './dto/account-history.dto.js';
import { AccountDto, ActivitiesPageDto, PortfolioHistoryDto, PositionDto } from './dto/trading-responses.dto.js';
import { TradingReadsService } from './trading-reads.service.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

@ApiTags('trading')
@Controller()
export class AccountController {
  constructor(
    private readonly reads: TradingReadsService,
    private readonly history: AccountHistoryService,
  ) {}

  @Get('account')
  @ApiOperation({ summary: 'The Alpaca account (paper or live, see metadata.trading_mode). Never cached.' })
  @ApiEnvelope(AccountDto)
  @Authenticated('trading:read', { upstream: true })
  account(@CurrentCaller() caller: Caller): Promise<Attributed<TradingObject>> {
    return this.reads.account(caller);
  }

  @Get('positions')
  @ApiOperation({ summary: 'Open positions. Never cached.' })
  @ApiEnvelope(PositionDto)
  @Authenticated('trading:read', { upstream: true })
  positions(@CurrentCaller() caller: Caller): Promise<Attributed<TradingObject[]>> {
    return this.reads.positions(caller);
  }

  @Get('positions/:symbol')
  @ApiOperation({ summary: 'One open position.' })
  @ApiEnvelope(PositionDto)
  @Authenticated('trading:read', { errors: ['INVALID_SYMBOL_FORMAT', 'POSITION_NOT_FOUND'], upstream: true })
  position(@Param() p: PositionParamDto, @CurrentCaller() caller: Caller): Promise<Attributed<TradingObject>> {
    return this.reads.position(p.symbol, caller);
  }

  @Get('account/activities')
  @ApiOperation({
    summary:
      'Account activities (fills, dividends, fees...), one Alpaca page per call; follow page_info.next_page_token. Never cached.',
  })
  @ApiEnvelope(ActivitiesPageDto)
  @Authenticated('trading:read', { errors: ['INVALID_DATE_RANGE'], upstream: true })
  activities(@Query() q: ActivitiesQueryDto, @CurrentCaller() caller: Caller): Promise<Attributed<ActivitiesPage>> {
    return this.history.activities(q, caller);
  }

  @Get('account/portfolio-history')
  @ApiOperation({
    summary: 'Equity and P/L time series exactly as Alpaca computed them (null points kept). Never cached.',
  })
  @ApiEnvelope(PortfolioHistoryDto)
  @Authenticated('trading:read', { errors: ['INVALID_DATE_RANGE'], upstream: true })
  portfolioHistory(
    @Query() q: PortfolioHistoryQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Attributed<TradingObject>> {
    return this.history.portfolioHistory(q, caller);
  }
}
