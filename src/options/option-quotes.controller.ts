import { Body, Controller, Query, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import { BatchOptionQuotesDto } from './dto/batch-option-quotes.dto.js';
import { OptionSymbolParamDto } from './dto/option-params.dto.js';
import { OptionBatchResultDto, OptionQuoteResultDto } from './dto/option-responses.dto.js';
import { OptionQuotesService } from './option-quotes.service.js';
import type { OptionBatchResult, OptionQuoteResult } from './options-results.models.js';
import { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

@ApiTags('options')
@Controller('options')
export class OptionQuotesController {
  constructor(private readonly quotes: OptionQuotesService) {}

  @Post('quotes/batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Snapshots of up to 100 contracts in one upstream call; per-contract success or OPTION_DATA_UNAVAILABLE.',
    description:
      'Source: Alpaca `GET /v1beta1/options/snapshots` on the configured options feed (metadata.feed). Greeks and implied ' +
      'volatility are exactly what Alpaca sent, or null with greeks_available / iv_available false: never computed.',
  })
  @ApiEnvelope(OptionBatchResultDto)
  @Authenticated('options:read', {
    errors: ['INVALID_OPTION_SYMBOL', 'REQUEST_SIZE_EXCEEDED', 'PAYLOAD_TOO_LARGE'],
    upstream: true,
  })
  batch(@Body() body: BatchOptionQuotesDto): Promise<Attributed<OptionBatchResult>> {
    return this.quotes.batch(body.option_symbols, body.max_age_seconds);
  }

  @Get(':option_symbol/quote')
  @ApiOperation({
    summary: 'One contract: terms decoded from the OCC symbol, latest quote and trade, greeks and implied volatility.',
    description:
      'Source: Alpaca `GET /v1beta1/options/snapshots?symbols=…` on the configured options feed (there is no single-contract ' +
      'path). Members Alpaca did not send are null with their availability flag false; no value is ever computed or defaulted. ' +
      'No snapshot for the contract is 404 OPTION_DATA_UNAVAILABLE with the decoded terms in details.',
  })
  @ApiEnvelope(OptionQuoteResultDto)
  @Authenticated('options:read', { errors: ['INVALID_OPTION_SYMBOL', 'OPTION_DATA_UNAVAILABLE'], upstream: true })
  quote(@Param() p: OptionSymbolParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<OptionQuoteResult>> {
    return this.quotes.quote(p.option_symbol, q.max_age_seconds);
  }
}
