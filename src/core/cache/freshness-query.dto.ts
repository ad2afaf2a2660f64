import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNumber, IsOptional, Max, Min } from 'class-validator';
import { PureValidation } from '../validation/memoizing-validation.pipe.js';

const MAX_AGE_LIMIT_SECONDS = 604800;

/** `?max_age_seconds=N`: a cached copy older than N seconds is refetched from Alpaca. */
@PureValidation()
export class FreshnessQueryDto {
  @ApiPropertyOptional({
    description: 'Oldest acceptable cached copy, in seconds; older copies are refetched (0 = always fresh).',
    minimum: 0,
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value,
  )
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(MAX_AGE_LIMIT_SECONDS)
  max_age_seconds?: number;
}
