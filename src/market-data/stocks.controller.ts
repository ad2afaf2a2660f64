import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Attributed } from '../core/attribution/provenance.js';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import type { StockQuote, StockSnapshot, StockTrade } from '../alpaca/stocks/market-data.models.js';
import { FreshnessQueryDto } from '../core/cache/freshness-query.dto.js';
import { BarsQueryDto } from './dto/bars-query.dto.js';
import { BatchQuotesDto } from './dto/batch-quotes.dto.js';
import { SymbolParamDto } from './dto/symbol-param.dto.js';
import {
  BarsResultDto,
  BatchQuotesResultDto,
  StockQuoteDto,
  StockSnapshotDto,
  StockTradeDto,
} from './dto/stock-responses.dto.js';
import { StockBarsService, type BarsResult } from './stock-bars.service.js';
import { StockQuotesService, type BatchResult, type Symbolled } from './stock-quotes.service.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

@ApiTags('stocks')
@Controller('stocks')
export class StocksController {
  constructor(
    private readonly quotes: StockQuotesService,
    private readonly barsService: StockBarsService,
  ) {}

  @Get(':symbol/quote')
  @ApiOperation({ summary: 'Latest quote (NBBO on the configured feed) for one symbol.' })
  @ApiEnvelope(StockQuoteDto)
  @Authenticated('market:read', { errors: ['INVALID_SYMBOL_FORMAT', 'SYMBOL_NOT_FOUND'], upstream: true })
  quote(@Param() p: SymbolParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<Symbolled<StockQuote>>> {
    return this.quotes.quote(p.symbol, q.max_age_seconds);
  }

  @Get(':symbol/trade')
  @ApiOperation({ summary: 'Latest trade for one symbol.' })
  @ApiEnvelope(StockTradeDto)
  @Authenticated('market:read', { errors: ['INVALID_SYMBOL_FORMAT', 'SYMBOL_NOT_FOUND'], upstream: true })
  trade(@Param() p: SymbolParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<Symbolled<StockTrade>>> {
    return this.quotes.trade(p.symbol, q.max_age_seconds);
  }

  @Get(':symbol/snapshot')
  @ApiOperation({
    summary:
      'Snapshot: latest trade and quote, minute, daily and previous daily bar; missing members are null with availability false.',
  })
  @ApiEnvelope(StockSnapshotDto)
  @Authenticated('market:read', { errors: ['INVALID_SYMBOL_FORMAT', 'SYMBOL_NOT_FOUND'], upstream: true })
  snapshot(@Param() p: SymbolParamDto, @Query() q: FreshnessQueryDto): Promise<Attributed<Symbolled<StockSnapshot>>> {
    return this.quotes.snapshot(p.symbol, q.max_age_seconds);
  }

  @Get(':symbol/bars')
  @ApiOperation({ summary: 'Historical bars, one Alpaca page per call; follow page_info.next_page_token for more.' })
  @ApiEnvelope(BarsResultDto)
  @Authenticated('history:read', {
    errors: ['INVALID_SYMBOL_FORMAT', 'INVALID_DATE_RANGE', 'HISTORICAL_DATA_UNAVAILABLE'],
    upstream: true,
  })
  bars(@Param() p: SymbolParamDto, @Query() q: BarsQueryDto): Promise<Attributed<BarsResult>> {
    return this.barsService.bars(p.symbol, q);
  }

  @Post('quotes/batch')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Latest quotes for many symbols in one upstream call per 100; per-symbol success or SYMBOL_NOT_FOUND.',
  })
  @ApiEnvelope(BatchQuotesResultDto)
  @Authenticated('market:read', {
    errors: ['INVALID_SYMBOL_FORMAT', 'REQUEST_SIZE_EXCEEDED', 'PAYLOAD_TOO_LARGE'],
    upstream: true,
  })
  batch(@Body() body: BatchQuotesDto): Promise<Attributed<BatchResult>> {
    return this.quotes.batch(body.symbols, body.max_age_seconds);
  }
}
