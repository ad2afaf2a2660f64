import { Controller, Get, Res, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../core/identity/auth.decorators.js';
import { SkipRateLimit } from '../core/identity/auth.decorators.js';
import { ApiErrors } from '../core/errors/api-errors.decorator.js';
import { GatewayMetrics } from '../core/metrics/gateway-metrics.js';
import { MetricsTokenGuard } from './metrics-token.guard.js';

/** Served at /metrics, outside the /api/v1 prefix (createApp excludes it), where Prometheus looks. */
export const METRICS_PATH = 'metrics';

@ApiTags('operations')
@Public()
@SkipRateLimit()
@Controller(METRICS_PATH)
export class MetricsController {
  constructor(private readonly metrics: GatewayMetrics) {}

  /**
   * Prometheus text, not JSON: written straight to the response (@Res) so the success envelope is
   * not wrapped around it.
   */
  @Get()
  @UseGuards(MetricsTokenGuard)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Prometheus metrics (text exposition format). Public unless METRICS_TOKEN is set; then send it as a bearer token.',
  })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text format 0.0.4.',
    schema: {
      type: 'string',
      example: 'opitios_http_requests_total{method="GET",route="/api/v1/stocks/:symbol/quote",status="200"} 3',
    },
  })
  @ApiErrors('AUTHENTICATION_REQUIRED', 'INVALID_TOKEN')
  async scrape(@Res() res: Response): Promise<void> {
    const text = await this.metrics.render();
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    res.send(text);
  }
}
