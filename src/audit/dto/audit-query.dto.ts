import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { withErrorCode } from '../../core/errors/validation.js';
import { toInt } from '../../core/validation/query-transforms.js';
import { IsUpstreamTime } from '../../core/validation/time-range.validator.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit.types.js';

export const MAX_AUDIT_PAGE = 1000;

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Records at or after this time (RFC-3339 or YYYY-MM-DD).' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  since?: string;

  @ApiPropertyOptional({ description: 'Records at or before this time.' })
  @IsOptional()
  @IsUpstreamTime(withErrorCode('INVALID_DATE_RANGE'))
  until?: string;

  @ApiPropertyOptional({ description: 'Actor `sub` (e.g. key:<id>).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_AUDIT_PAGE, default: 100 })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(MAX_AUDIT_PAGE)
  limit?: number;

  @ApiPropertyOptional({ description: 'page_info.next_cursor of the previous page.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  cursor?: number;
}
