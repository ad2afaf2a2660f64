import { Controller, Get, Header, UseFilters } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../core/identity/auth.decorators.js';
import { SkipRateLimit } from '../core/identity/auth.decorators.js';
import { HealthEnvelopeDto, HealthIndicatorDto } from './health-report.dto.js';
import { ReadinessReportFilter } from './readiness-report.filter.js';
import { ReadinessService, type HealthDetails } from './readiness.service.js';

/** Kubernetes probes. Public and never rate limited; neither calls a trading or account endpoint. */
@ApiTags('health')
@ApiExtraModels(HealthIndicatorDto)
@Public()
@SkipRateLimit()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get('live')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Liveness: the process answers. Touches no dependency, so a slow Alpaca or Redis never gets the pod restarted.',
  })
  @ApiOkResponse({ type: HealthEnvelopeDto, description: 'Alive: `data.status` is `ok`.' })
  live(): Promise<HealthCheckResult> {
    return this.readiness.live();
  }

  @Get('ready')
  @Header('Cache-Control', 'no-store')
  @UseFilters(ReadinessReportFilter)
  @ApiOperation({
    summary:
      'Readiness: Redis and PostgreSQL (when configured), Alpaca reachable (GET /v2/clock, at most every 30 s), and every check ' +
      'other modules registered (circuit breakers, audit store).',
  })
  @ApiOkResponse({ type: HealthEnvelopeDto, description: 'Ready: every check is up.' })
  @ApiServiceUnavailableResponse({
    type: HealthEnvelopeDto,
    description:
      "Not ready (or shutting down): `data` is terminus' report, failing checks under `data.error` with a message.",
  })
  ready(): Promise<HealthCheckResult> {
    return this.readiness.ready();
  }

  @Get('details')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      'Every dependency, also those readiness does not depend on: `ok`, `degraded` (an optional one such as Redis is down; ' +
      'this instance still serves) or `down` (a required one is; readiness fails too). Always 200.',
  })
  @ApiOkResponse({
    description:
      '{"data": {"status": "ok|degraded|down", "checks": {"<name>": {"status": "up|down", "required": bool, "message"?: "…"}}}, "metadata": {…}}',
  })
  details(): Promise<HealthDetails> {
    return this.readiness.details();
  }
}
