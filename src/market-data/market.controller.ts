import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Roles } from '../core/identity/auth.decorators.js';
import { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import { ApiErrors, AUTH_ERRORS, UPSTREAM_ERRORS } from '../core/errors/api-errors.decorator.js';
import type { MarketClock } from '../alpaca/stocks/market-data.models.js';
import { MarketClockDto } from './dto/stock-responses.dto.js';
import { MarketClockService } from './market-clock.service.js';

@ApiTags('market')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Roles('market:read')
@Controller('market')
export class MarketController {
  constructor(private readonly clockService: MarketClockService) {}

  @Get('clock')
  @ApiOperation({ summary: "Alpaca's market clock; cached until the next open or close it announces." })
  @ApiEnvelope(MarketClockDto)
  @ApiErrors(...AUTH_ERRORS, ...UPSTREAM_ERRORS)
  async clock(): Promise<Attributed<MarketClock>> {
    const { clock, cache } = await this.clockService.clock();
    return new Attributed(clock.value, clock.provenance, cache, clock.value.is_open ? 'open' : 'closed');
  }
}
