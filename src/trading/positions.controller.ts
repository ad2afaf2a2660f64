import { Controller, Delete, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentCaller } from '../core/identity/auth.decorators.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';
import type { Caller } from '../core/identity/caller.js';
import type { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import type { TradingObject } from '../alpaca/trading/trading.models.js';
import { CloseAllPositionsQueryDto, ClosePositionQueryDto, ContractParamDto } from './dto/position-params.dto.js';
import { PositionParamDto } from './dto/trading-params.dto.js';
import { BulkCloseEntryDto, ExerciseResultDto, OrderDto } from './dto/trading-responses.dto.js';
import { PositionsService, type ExerciseResult } from './positions.service.js';

/** Closing positions and exercising options (trader only; each sent once and audited). */
@ApiTags('trading')
@Controller('positions')
export class PositionsController {
  constructor(private readonly positions: PositionsService) {}

  @Delete()
  @ApiOperation({
    summary:
      'Closes every position (optionally cancelling open orders first): one entry per position as Alpaca reported it (its 207 list). Needs ?confirm=true.',
    description:
      "Without confirm=true: 400 CONFIRMATION_REQUIRED, nothing sent. Only this exact path: /positions/ (trailing slash) is 404. Each entry: symbol, status (the HTTP status of that close), body (the closing order, or Alpaca's error body), accepted (status is 2xx).",
  })
  @ApiEnvelope(BulkCloseEntryDto)
  @Authenticated('trading:write', { errors: ['CONFIRMATION_REQUIRED', 'AUDIT_UNAVAILABLE'], upstream: true })
  closeAll(
    @Query() q: CloseAllPositionsQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Attributed<TradingObject[]>> {
    return this.positions.closeAll(q.cancel_orders, caller);
  }

  @Delete(':symbol')
  @ApiOperation({
    summary: 'Closes a position, all of it or qty / percentage of it (not both): answers the order Alpaca created.',
    description:
      'Never retried: Alpaca takes no client_order_id here, so a lost answer is 504 ORDER_OUTCOME_UNKNOWN (check positions and orders). ' +
      "With qty or percentage the close passes the caller's risk policy first (422 RISK_LIMIT_EXCEEDED, nothing sent); the whole position always may be closed.",
  })
  @ApiEnvelope(OrderDto)
  @Authenticated('trading:write', {
    errors: [
      'INVALID_SYMBOL_FORMAT',
      'POSITION_NOT_FOUND',
      'ORDER_REJECTED',
      'RISK_LIMIT_EXCEEDED',
      'ORDER_OUTCOME_UNKNOWN',
      'AUDIT_UNAVAILABLE',
    ],
    upstream: true,
  })
  close(
    @Param() p: PositionParamDto,
    @Query() q: ClosePositionQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<Attributed<TradingObject>> {
    return this.positions.close(p.symbol, q, caller);
  }

  @Post(':contract/exercise')
  // An instruction Alpaca carries out, not a resource the gateway creates.
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exercises every held contract of an option position (OCC symbol).',
    description:
      "Passes the caller's risk policy first (symbols, allow_options, max_order_qty: the contracts held, max_orders_per_minute): 422 RISK_LIMIT_EXCEEDED, nothing sent.",
  })
  @ApiEnvelope(ExerciseResultDto)
  @Authenticated('trading:write', {
    errors: [
      'INVALID_OPTION_SYMBOL',
      'POSITION_NOT_FOUND',
      'ORDER_REJECTED',
      'RISK_LIMIT_EXCEEDED',
      'TRADING_HALTED',
      'ORDER_OUTCOME_UNKNOWN',
      'AUDIT_UNAVAILABLE',
    ],
    upstream: true,
  })
  exercise(@Param() p: ContractParamDto, @CurrentCaller() caller: Caller): Promise<Attributed<ExerciseResult>> {
    return this.positions.exercise(p.contract, caller);
  }
}
