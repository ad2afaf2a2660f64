import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators.js';
import { ApiErrors, AUTH_ERRORS } from '../core/errors/api-errors.decorator.js';
import { assertOrderedRange } from '../market-data/time-range.js';
import { AuditService } from './audit.service.js';
import type { AuditRecord, VerifyResult } from './audit.types.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';

const DEFAULT_PAGE = 100;

function toIso(value: string | undefined, endOfDay: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`;
  return new Date(Date.parse(value.replace(/(\.\d{3})\d+/, '$1'))).toISOString();
}

@ApiTags('audit')
@ApiBearerAuth()
@ApiSecurity('api-key')
@Roles('audit:read')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Audit records in sequence order, filtered; walk with page_info.next_cursor.' })
  @ApiOkResponse({ description: 'Inside the success envelope: {events: [...], page_info: {has_more, next_cursor}}.' })
  @ApiErrors('INVALID_DATE_RANGE', ...AUTH_ERRORS)
  async events(@Query() q: AuditQueryDto): Promise<{ events: AuditRecord[]; page_info: { has_more: boolean; next_cursor: number | null } }> {
    assertOrderedRange(q.since, q.until);
    const limit = q.limit ?? DEFAULT_PAGE;
    // One extra record tells whether another page exists.
    const found = await this.audit.query({
      since: toIso(q.since, false),
      until: toIso(q.until, true),
      actor: q.actor,
      action: q.action,
      cursor: q.cursor,
      limit: limit + 1,
    });
    const events = found.slice(0, limit);
    const hasMore = found.length > limit;
    return { events, page_info: { has_more: hasMore, next_cursor: hasMore ? (events[events.length - 1]?.seq ?? null) : null } };
  }

  @Get('verify')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Checks the whole hash chain and reports the first broken link, if any.' })
  @ApiOkResponse({ description: 'Inside the success envelope: {ok, records_checked, first_broken, last_hash}.' })
  @ApiErrors(...AUTH_ERRORS)
  verify(): Promise<VerifyResult> {
    return this.audit.verify();
  }
}
