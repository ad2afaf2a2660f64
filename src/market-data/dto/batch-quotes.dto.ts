import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, IsArray, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';

/** One week: a larger max_age would mean "any age", which is what omitting it says. */
const MAX_AGE_LIMIT_SECONDS = 604800;

export class BatchQuotesDto {
  @ApiProperty({
    description:
      'Tickers to quote (normalised like the single-symbol routes; duplicates collapse). At most STOCK_BATCH_MAX_SYMBOLS (default 100).',
    example: ['AAPL', 'MSFT', 'BRK.B'],
    type: [String],
  })
  @IsArray()
  @ArrayNotEmpty()
  @IsString({ each: true })
  symbols!: string[];

  @ApiPropertyOptional({
    description: 'Oldest acceptable cached copy, in seconds; older copies are refetched (0 = always fresh).',
    minimum: 0,
    example: 5,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AGE_LIMIT_SECONDS)
  max_age_seconds?: number;
}
