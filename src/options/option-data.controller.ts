import { Controller, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { RangeQueryDto } from '../market-data/dto/history-query.dto.js';
import { TickTypeParamDto } from '../market-data/dto/reference-query.dto.js';
import { PassThroughService } from '../market-data/pass-through/pass-through.service.js';
import { Serves } from '../market-data/pass-through/pass-through-route.js';
import { OptionBarsQueryDto, OptionSymbolsQueryDto } from './dto/option-data.dto.js';
import { OptionSymbolParamDto } from './dto/option-params.dto.js';
import { OPTION_DATA_ROUTES as R } from './option-data.routes.js';

/** Option history, latest quotes and trades, and code tables: each handler serves one route of OPTION_DATA_ROUTES. */
@ApiTags('options')
@Controller('options')
export class OptionDataController {
  constructor(private readonly passThrough: PassThroughService) {}

  @Serves(R.bars)
  bars(@Param() p: OptionSymbolParamDto, @Query() q: OptionBarsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.bars, { ...q, option_symbol: p.option_symbol });
  }

  @Serves(R.trades)
  trades(@Param() p: OptionSymbolParamDto, @Query() q: RangeQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.trades, { ...q, option_symbol: p.option_symbol });
  }

  @Serves(R.latestQuotes)
  latestQuotes(@Query() q: OptionSymbolsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.latestQuotes, q);
  }

  @Serves(R.latestTrades)
  latestTrades(@Query() q: OptionSymbolsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.latestTrades, q);
  }

  @Serves(R.conditions)
  conditions(@Param() p: TickTypeParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.conditions, { ...q, ticktype: p.ticktype });
  }

  @Serves(R.exchanges)
  exchanges(@Query() q: FreshnessQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.exchanges, q);
  }
}
