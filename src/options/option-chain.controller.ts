import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import { ChainQueryDto } from './dto/chain-query.dto.js';
import { ContractsQueryDto } from './dto/contracts-query.dto.js';
import { UnderlyingParamDto } from './dto/option-params.dto.js';
import { OptionChainResultDto, OptionContractsResultDto } from './dto/option-responses.dto.js';
import { OptionChainService } from './option-chain.service.js';
import { OptionContractsService } from './option-contracts.service.js';
import type { OptionChainResult, OptionContractsResult } from './options-results.models.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

@ApiTags('options')
@Controller('options')
export class OptionChainController {
  constructor(
    private readonly chainService: OptionChainService,
    private readonly contractsService: OptionContractsService,
  ) {}

  @Get('contracts')
  @ApiOperation({
    summary: "Alpaca's option contracts (trading host), one page per call; follow page_info.next_page_token for more.",
    description:
      'Source: Alpaca `GET /v2/options/contracts`; every filter is passed exactly as given. Note: when expiration_date_lte ' +
      'is omitted Alpaca defaults it to the next weekend, so only contracts expiring before then are listed. Decimals ' +
      "(strike_price, multiplier, size, open_interest, close_price) are Alpaca's strings; open_interest and close_price " +
      '(and their dates) are null when Alpaca has none. An empty page is a 200 with no contracts.',
  })
  @ApiEnvelope(OptionContractsResultDto)
  @Authenticated('options:read', { errors: ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE'], upstream: true })
  contracts(@Query() q: ContractsQueryDto): Promise<Attributed<OptionContractsResult>> {
    return this.contractsService.contracts(q);
  }

  @Get(':underlying/chain')
  @ApiOperation({
    summary:
      'One page of the option chain of an underlying, with how many contracts carry greeks and implied volatility.',
    description:
      'Source: Alpaca `GET /v1beta1/options/snapshots/{underlying}` on the configured options feed. Filters go to Alpaca ' +
      'exactly (option_type → type, min_strike/max_strike → strike_price_gte/lte); nothing is filtered or capped here. ' +
      'Walk the chain by sending page_info.next_page_token back as page_token until has_more is false. Contracts are sorted ' +
      'within the page by expiration, strike, then type. A first page with no contracts is 404 OPTIONS_CHAIN_UNAVAILABLE.',
  })
  @ApiEnvelope(OptionChainResultDto)
  @Authenticated('options:read', {
    errors: ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE', 'OPTIONS_CHAIN_UNAVAILABLE'],
    upstream: true,
  })
  chain(@Param() p: UnderlyingParamDto, @Query() q: ChainQueryDto): Promise<Attributed<OptionChainResult>> {
    return this.chainService.chain(p.underlying, q);
  }
}
