import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import { ApiErrors, UPSTREAM_ERRORS } from '../core/errors/api-errors.decorator.js';
import type { MarketClock } from '../alpaca/market-data.models.js';
import { MarketClockDto } from './dto/stock-responses.dto.js';
import { MarketClockService } from './market-clock.service.js';

@ApiTags('market')
@Controller('market')
export class MarketController {
  constructor(private readonly clockService: MarketClockService) {}

  @Get('clock')
  @ApiOperation({ summary: "Alpaca's market clock; cached until the next open or close it announces." })
  @ApiEnvelope(MarketClockDto)
  @ApiErrors(...UPSTREAM_ERRORS)
  async clock(): Promise<Attributed<MarketClock>> {
    const { clock, cache } = await this.clockService.clock();
    return new Attributed(clock.value, clock.provenance, cache, clock.value.is_open ? 'open' : 'closed');
  }
}
