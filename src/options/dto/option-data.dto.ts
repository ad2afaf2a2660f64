import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';
import { withErrorCode } from '../../core/errors/validation.js';
import { PureValidation } from '../../core/validation/memoizing-validation.pipe.js';
import { TIMEFRAME_PATTERN } from '../../market-data/dto/bars-query.dto.js';
import { RangeQueryDto } from '../../market-data/dto/history-query.dto.js';
import { BatchSummaryDto, PageInfoDto } from '../../market-data/dto/pass-through-responses.dto.js';
import { BarDto } from '../../market-data/dto/stock-responses.dto.js';
import { OptionQuoteDto, OptionTradeDto } from './option-responses.dto.js';

/* Requests and Swagger models of the option pass-through routes. */

@PureValidation()
export class OptionBarsQueryDto extends RangeQueryDto {
  @ApiProperty({
    description: 'Bar size, Alpaca grammar: 1-59Min|T, 1-23Hour|H, 1Day|D, 1Week|W, 1/2/3/4/6/12Month|M.',
    example: '1Day',
  })
  @IsString()
  @Matches(TIMEFRAME_PATTERN, {
    message: 'timeframe must follow Alpaca grammar, e.g. 1Min, 15Min, 1Hour, 1Day, 1Week, 1Month',
  })
  timeframe!: string;
}

/** `?symbols=A,B`: OCC symbols, each checked part by part (INVALID_OPTION_SYMBOL names every bad one). */
@PureValidation()
export class OptionSymbolsQueryDto extends FreshnessQueryDto {
  @ApiProperty({
    description: "Comma-separated OCC symbols, at most 100 (Alpaca's limit); duplicates collapse.",
    example: 'AAPL240426C00162500,AAPL240419P00140000',
  })
  @IsString(withErrorCode('INVALID_OPTION_SYMBOL'))
  symbols!: string;
}

export class OptionBarsPageDto {
  @ApiProperty({ example: 'AAPL240419P00140000' }) option_symbol!: string;
  @ApiProperty({ type: [BarDto] }) bars!: BarDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

export class OptionTradesPageDto {
  @ApiProperty({ example: 'AAPL240419P00140000' }) option_symbol!: string;
  @ApiProperty({ type: [OptionTradeDto] }) trades!: OptionTradeDto[];
  @ApiProperty({ type: PageInfoDto }) page_info!: PageInfoDto;
}

class BatchErrorDto {
  @ApiProperty({ example: 'OPTION_DATA_UNAVAILABLE' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ example: 'data_unavailable' }) type!: string;
}

class SymbolledOptionQuoteDto extends OptionQuoteDto {
  @ApiProperty({ example: 'AAPL240419P00140000' }) symbol!: string;
}

class SymbolledOptionTradeDto extends OptionTradeDto {
  @ApiProperty({ example: 'AAPL240419P00140000' }) symbol!: string;
}

class OptionQuoteItemDto {
  @ApiProperty() symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: SymbolledOptionQuoteDto, nullable: true }) data!: SymbolledOptionQuoteDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

class OptionTradeItemDto {
  @ApiProperty() symbol!: string;
  @ApiProperty({ enum: ['success', 'error'] }) status!: string;
  @ApiProperty({ type: SymbolledOptionTradeDto, nullable: true }) data!: SymbolledOptionTradeDto | null;
  @ApiProperty({ type: BatchErrorDto, nullable: true }) error!: BatchErrorDto | null;
}

export class OptionLatestQuotesDto {
  @ApiProperty({ type: [OptionQuoteItemDto] }) quotes!: OptionQuoteItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}

export class OptionLatestTradesDto {
  @ApiProperty({ type: [OptionTradeItemDto] }) trades!: OptionTradeItemDto[];
  @ApiProperty({ type: BatchSummaryDto }) summary!: BatchSummaryDto;
}
