import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { WireBody } from '../../core/attribution/wire-body.js';
import { AppError } from '../../core/errors/app-error.js';
import { Authenticated } from '../../core/identity/authenticated.decorator.js';
import { MostActivesQueryDto, MoversQueryDto, NewsQueryDto } from '../../market-data/dto/reference-query.dto.js';
import { PassThroughService } from '../../market-data/pass-through/pass-through.service.js';
import { REFERENCE_ROUTES as RR } from '../../market-data/reference.routes.js';
import { CorporateActionsQuery } from '../http/market-queries.js';
import { refuseUnserved } from '../http/served-params.js';
import { wireCorporateActions, wireMostActives, wireMovers, wireNewsArticle } from '../wire/reference-wire.js';

/** Alpaca's market types; the gateway serves the stock screeners only. */
const MARKET_TYPES = ['stocks', 'crypto'];

/**
 * Alpaca's news, screeners and corporate actions at Alpaca's paths, through /api/v1's pass-through
 * routes (same call, same cache entry), answered in Alpaca's bodies.
 */
@ApiExcludeController()
@Controller()
export class AlpacaReferenceController {
  constructor(private readonly passThrough: PassThroughService) {}

  @Get('v1beta1/news')
  @Authenticated('market:read')
  async news(@Query() q: NewsQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(RR.news, q);
    return new WireBody({ news: r.data.items.map(wireNewsArticle), next_page_token: r.data.next_page_token }, r);
  }

  @Get('v1beta1/screener/stocks/most-actives')
  @Authenticated('market:read')
  async mostActives(@Query() q: MostActivesQueryDto): Promise<WireBody> {
    const r = await this.passThrough.model(RR.mostActives, q);
    return new WireBody(wireMostActives(r.data), r);
  }

  @Get('v1beta1/screener/:market_type/movers')
  @Authenticated('market:read')
  async movers(@Param('market_type') marketType: string, @Query() q: MoversQueryDto): Promise<WireBody> {
    if (marketType !== 'stocks') {
      // Crypto is not served by this gateway at all (as its other crypto paths); anything else is no market type of Alpaca's.
      const known = MARKET_TYPES.includes(marketType);
      throw new AppError(known ? 'ROUTE_NOT_FOUND' : 'INVALID_PARAMETER', {
        message: known
          ? `The ${marketType} screener is not served by this gateway; it serves stocks.`
          : 'market_type must be stocks (crypto is not served by this gateway).',
        details: { parameter: 'market_type', served: 'stocks' },
      });
    }
    const r = await this.passThrough.model(RR.movers, q);
    return new WireBody(wireMovers(r.data), r);
  }

  @Get('v1/corporate-actions')
  @Authenticated('history:read')
  async corporateActions(@Query() q: CorporateActionsQuery): Promise<WireBody> {
    // Alpaca's default region is us, which is what /api/v1 asks for.
    if (q.region !== undefined && q.region !== 'us') refuseUnserved(q, ['region']);
    refuseUnserved(q, ['cusips', 'ids']);
    const r = await this.passThrough.model(RR.corporateActions, q);
    return new WireBody(
      { corporate_actions: wireCorporateActions(r.data.corporate_actions), next_page_token: r.data.next_page_token },
      r,
    );
  }
}
