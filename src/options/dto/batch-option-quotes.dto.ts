import { ApiProperty } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsString } from 'class-validator';
import { FreshnessQueryDto } from '../../core/cache/freshness-query.dto.js';

export class BatchOptionQuotesDto extends FreshnessQueryDto {
  @ApiProperty({
    description:
      "OCC symbols to quote (lower case accepted; duplicates collapse). At most 100 per request (Alpaca's per-call limit); " +
      'more is 400 REQUEST_SIZE_EXCEEDED. Any invalid symbol fails the whole request with INVALID_OPTION_SYMBOL naming each.',
    example: ['AAPL240426C00162500', 'AAPL240426C00152500'],
    type: [String],
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  option_symbols!: string[];
}
