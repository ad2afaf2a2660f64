import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { StockConditionsQueryDto, TickTypeParamDto } from '../../market-data/dto/reference-query.dto.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import { STOCK_DATA_ROUTES as SR } from '../../market-data/stock-data.routes.js';
import { OPTION_DATA_ROUTES as OR } from '../../options/option-data.routes.js';

/**
 * Alpaca's condition and exchange code tables (stocks and options) at Alpaca's paths: the same
 * pass-through routes and cache entries as /api/v1's, answered as Alpaca's flat maps (code → name).
 */
@ApiExcludeController()
@Controller()
export class AlpacaCodesController {
  constructor(private readonly passThrough: PassThroughService) {}

  @Get('v2/stocks/meta/conditions/:ticktype')
  @Authenticated('market:read')
  async stockConditions(@Param() p: TickTypeParamDto, @Query() q: StockConditionsQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(SR.conditions, { ...q, ticktype: p.ticktype });
    return new WireBody({ ...r.data }, r);
  }

  @Get('v2/stocks/meta/exchanges')
  @Authenticated('market:read')
  async stockExchanges(@Query() q: FreshnessQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(SR.exchanges, q);
    return new WireBody({ ...r.data }, r);
  }

  @Get('v1beta1/options/meta/conditions/:ticktype')
  @Authenticated('market:read')
  async optionConditions(@Param() p: TickTypeParamDto, @Query() q: FreshnessQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(OR.conditions, { ...q, ticktype: p.ticktype });
    return new WireBody({ ...r.data }, r);
  }

  @Get('v1beta1/options/meta/exchanges')
  @Authenticated('market:read')
  async optionExchanges(@Query() q: FreshnessQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(OR.exchanges, q);
    return new WireBody({ ...r.data }, r);
  }
}
