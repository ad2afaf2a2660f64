import { Controller, Param, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import {
  AssetParamDto,
  AssetsQueryDto,
  CalendarQueryDto,
  CorporateActionsQueryDto,
  MostActivesQueryDto,
  MoversQueryDto,
  NewsQueryDto,
} from './dto/reference-query.dto.js';
import { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { PassThroughService } from './pass-through/pass-through.service.js';
import { Serves } from './pass-through/pass-through-route.js';
import { REFERENCE_ROUTES as R } from './reference.routes.js';

/** News, corporate actions, screeners, assets and the calendar: each handler serves one route of REFERENCE_ROUTES. */
@ApiTags('reference')
@Controller()
export class ReferenceController {
  constructor(private readonly passThrough: PassThroughService) {}

  @Serves(R.news)
  news(@Query() q: NewsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.news, q);
  }

  @Serves(R.corporateActions)
  corporateActions(@Query() q: CorporateActionsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.corporateActions, q);
  }

  @Serves(R.mostActives)
  mostActives(@Query() q: MostActivesQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.mostActives, q);
  }

  @Serves(R.movers)
  movers(@Query() q: MoversQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.movers, q);
  }

  @Serves(R.assets)
  assets(@Query() q: AssetsQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.assets, q);
  }

  @Serves(R.asset)
  asset(@Param() p: AssetParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.asset, { ...q, ...p });
  }

  @Serves(R.calendar)
  calendar(@Query() q: CalendarQueryDto): Promise<Attributed<unknown>> {
    return this.passThrough.serve(R.calendar, q);
  }
}
