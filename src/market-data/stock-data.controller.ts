import { Controller, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { StockHistoryQueryDto } from './dto/history-query.dto.js';
import { StockConditionsQueryDto, SymbolsQueryDto, TickTypeParamDto } from './dto/reference-query.dto.js';
import { SymbolParamDto } from './dto/symbol-param.dto.js';
import { PassThroughService } from './pass-through/pass-through.service.js';
import { Serves } from './pass-through/pass-through-route.js';
import { STOCK_DATA_ROUTES as R } from './stock-data.routes.js';

/** Stock history, latest bars, multi-symbol latest data and code tables: each handler serves one route of STOCK_DATA_ROUTES. */
@ApiTags('stocks')
@Controller('stocks')
export class StockDataController {
  constructor(private readonly passThrough: PassThroughService) {}

  @Serves(R.quotes)
  quotes(@Param() p: SymbolParamDto, @Query() q: StockHistoryQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.quotes, { ...q, symbol: p.symbol });
  }

  @Serves(R.trades)
  trades(@Param() p: SymbolParamDto, @Query() q: StockHistoryQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.trades, { ...q, symbol: p.symbol });
  }

  @Serves(R.auctions)
  auctions(@Param() p: SymbolParamDto, @Query() q: StockHistoryQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.auctions, { ...q, symbol: p.symbol });
  }

  @Serves(R.latestBar)
  latestBar(@Param() p: SymbolParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.latestBar, { ...q, symbol: p.symbol });
  }

  @Serves(R.latestBars)
  latestBars(@Query() q: SymbolsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.latestBars, q);
  }

  @Serves(R.latestTrades)
  latestTrades(@Query() q: SymbolsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.latestTrades, q);
  }

  @Serves(R.snapshots)
  snapshots(@Query() q: SymbolsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.snapshots, q);
  }

  @Serves(R.conditions)
  conditions(@Param() p: TickTypeParamDto, @Query() q: StockConditionsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.conditions, { ...q, ticktype: p.ticktype });
  }

  @Serves(R.exchanges)
  exchanges(@Query() q: FreshnessQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.exchanges, q);
  }
}
