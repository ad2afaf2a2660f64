import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { ACCOUNT_NAME } from '../../core/config/alpaca-accounts.js';
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

  @ApiPropertyOptional({
    description:
      'Records that name this Alpaca account (orders, position writes, fills, refusals); records of anything else name none.',
    pattern: ACCOUNT_NAME.source,
    example: 'paper',
  })
  @IsOptional()
  @IsString()
  @Matches(ACCOUNT_NAME, { message: 'account must be an account name: 1-32 of a-z 0-9 _, starting with a letter' })
  account?: string;

  @OptionalInt(1, MAX_AUDIT_PAGE, { default: 100 })
  limit?: number;

  @ApiPropertyOptional({ description: 'page_info.next_cursor of the previous page.' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(0)
  cursor?: number;
}
