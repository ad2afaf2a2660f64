import { Controller, Delete, Get, HttpCode, Param, Post, Query, UseInterceptors } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { CurrentCaller } from '../../core/identity/auth.decorators.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import type { Caller } from '../../core/identity/caller.js';
import { ClosePositionQueryDto } from '../../trading/dto/position-params.dto.js';
import { PositionsService } from '../../trading/positions.service.js';
import { TradingReadsService } from '../../trading/trading-reads.service.js';
import { AlpacaRefusalsInterceptor } from './alpaca-refusals.interceptor.js';
import { CloseAllQuery, ExerciseParam, PositionKeyParam } from './trading-face.dto.js';
import { wireMultiStatus } from './trading-wire.js';

/**
 * Alpaca's position operations, served by /api/v1's services (closes and exercises audited, sent
 * once, never retried). `/v2/positions/` with an empty segment never reaches the bulk close: the
 * gateway answers it 404 before authentication.
 */
@ApiExcludeController()
@UseInterceptors(AlpacaRefusalsInterceptor)
@Controller('v2/positions')
export class AlpacaPositionsController {
  constructor(
    private readonly reads: TradingReadsService,
    private readonly positions: PositionsService,
  ) {}

  @Get()
  @Authenticated('trading:read')
  async list(@CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.reads.positions(caller);
    return new WireBody(r.data, r);
  }

  @Get(':symbol_or_asset_id')
  @Authenticated('trading:read')
  async one(@Param() p: PositionKeyParam, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.reads.position(p.symbol_or_asset_id, caller);
    return new WireBody(r.data, r);
  }

  /** Alpaca's 207 and its list, one entry per position; no confirm=true on this face (Alpaca has none). */
  @Delete()
  @Authenticated('trading:write')
  @HttpCode(207)
  async closeAll(@Query() q: CloseAllQuery, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.positions.closeAll(q.cancel_orders, caller);
    return new WireBody(
      r.data.map((e) => wireMultiStatus(e, 'body')),
      r,
    );
  }

  /** The order Alpaca created to close all of it, or qty / percentage of it. */
  @Delete(':symbol_or_asset_id')
  @Authenticated('trading:write')
  async close(
    @Param() p: PositionKeyParam,
    @Query() q: ClosePositionQueryDto,
    @CurrentCaller() caller: Caller,
  ): Promise<WireBody> {
    const r = await this.positions.close(p.symbol_or_asset_id, q, caller);
    return new WireBody(r.data, r);
  }

  /** Alpaca's 200 with no body. The contract is named by its OCC symbol (the service checks it; a contract id is refused). */
  @Post(':symbol_or_contract_id/exercise')
  @Authenticated('trading:write')
  @HttpCode(200)
  async exercise(@Param() p: ExerciseParam, @CurrentCaller() caller: Caller): Promise<WireBody> {
    const r = await this.positions.exercise(p.symbol_or_contract_id, caller);
    return new WireBody(undefined, r);
  }
}
