import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { toInt } from '../../core/validation/query-transforms.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit.types.js';
import { OptionalInt, OptionalIn, OptionalUpstreamTime } from '../../core/validation/query-decorators.js';

export const MAX_AUDIT_PAGE = 1000;

export class AuditQueryDto {
  @OptionalUpstreamTime({ description: 'Records at or after this time (RFC-3339 or YYYY-MM-DD).' })
  since?: string;

  @OptionalUpstreamTime({ description: 'Records at or before this time.' })
  until?: string;

  @ApiPropertyOptional({ description: 'Actor `sub` (e.g. key:<id>).' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @OptionalIn(AUDIT_ACTIONS)
  action?: AuditAction;

  @OptionalInt(1, MAX_AUDIT_PAGE, { default: 100 })
  limit?: number;

  @ApiPropertyOptional({ description: 'page_info.next_cursor of the previous page.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  cursor?: number;
}
