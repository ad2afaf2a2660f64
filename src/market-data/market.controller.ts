import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import type { MarketClock } from '../alpaca/stocks/market-data.models.js';
import { MarketClockDto } from './dto/stock-responses.dto.js';
import { MarketClockService } from './market-clock.service.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

@ApiTags('market')
@Controller('market')
export class MarketController {
  constructor(private readonly clockService: MarketClockService) {}

  @Get('clock')
  @ApiOperation({ summary: "Alpaca's market clock; cached until the next open or close it announces." })
  @ApiEnvelope(MarketClockDto)
  @Authenticated('market:read', { upstream: true })
  async clock(): Promise<Attributed<MarketClock>> {
    const { clock, cache } = await this.clockService.clock();
    return new Attributed(clock.value, clock.provenance, cache, clock.value.is_open ? 'open' : 'closed');
  }
}
