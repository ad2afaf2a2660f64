import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiEnvelope } from '../core/attribution/api-envelope.decorator.js';
import type { Attributed } from '../core/attribution/provenance.js';
import { assertOrderedRange } from '../core/validation/time-range.js';
import { AuditService } from './audit.service.js';
import type { AuditPage, VerifyResult } from './audit.types.js';
import { AuditQueryDto } from './dto/audit-query.dto.js';
import { AuditPageDto, AuditVerifyDto } from './dto/audit-responses.dto.js';
import { Authenticated } from '../core/identity/authenticated.decorator.js';

const DEFAULT_PAGE = 100;

function toIso(value: string | undefined, endOfDay: boolean): string | undefined {
  if (value === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`;
  return new Date(Date.parse(value.replace(/(\.\d{3})\d+/, '$1'))).toISOString();
}

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get('events')
  @ApiOperation({
    summary:
      'Audit records in sequence order, filtered; walk with page_info.next_cursor. metadata.data_source is gateway_audit; never cached.',
  })
  @ApiEnvelope(AuditPageDto)
  @Authenticated('audit:read', { errors: ['INVALID_DATE_RANGE'] })
  events(@Query() q: AuditQueryDto): Promise<Attributed<AuditPage>> {
    assertOrderedRange(q.since, q.until);
    return this.audit.page({
      since: toIso(q.since, false),
      until: toIso(q.until, true),
      actor: q.actor,
      action: q.action,
      account: q.account,
      cursor: q.cursor,
      limit: q.limit ?? DEFAULT_PAGE,
    });
  }

  @Get('verify')
  @ApiOperation({
    summary:
      'Checks the whole hash chain and reports the first broken link, if any. metadata.data_source is gateway_audit; never cached.',
  })
  @ApiEnvelope(AuditVerifyDto)
  @Authenticated('audit:read')
  verify(): Promise<Attributed<VerifyResult>> {
    return this.audit.verified();
  }
}
