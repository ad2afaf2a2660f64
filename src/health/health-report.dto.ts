import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class HealthIndicatorDto {
  @ApiProperty({ enum: ['up', 'degraded', 'down'] })
  status!: string;
  @ApiPropertyOptional({ description: 'Why a check is down (never hosts or credentials).' })
  message?: string;
  @ApiPropertyOptional({ description: 'Milliseconds the check took.' })
  responseTime?: number;
  @ApiPropertyOptional({ description: 'true when the result was reused (the Alpaca check runs at most every 30 s).' })
  cachedResponse?: boolean;
}

const BY_CHECK = {
  type: 'object',
  additionalProperties: { $ref: '#/components/schemas/HealthIndicatorDto' },
  example: {
    redis: { status: 'up', responseTime: 1 },
    alpaca: { status: 'down', message: 'Alpaca clock call failed: UPSTREAM_API_UNAVAILABLE', responseTime: 3 },
  },
} as const;

/** The report of @nestjs/terminus, unchanged. */
export class HealthReportDto {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'] })
  status!: string;
  @ApiProperty({ ...BY_CHECK, description: 'Checks that are up or degraded.' })
  info!: Record<string, HealthIndicatorDto>;
  @ApiProperty({ ...BY_CHECK, description: 'Checks that are down.' })
  error!: Record<string, HealthIndicatorDto>;
  @ApiProperty({ ...BY_CHECK, description: 'Every check.' })
  details!: Record<string, HealthIndicatorDto>;
}

export class HealthMetadataDto {
  @ApiProperty({ example: 'req_3f2c9a…' })
  request_id!: string;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
}

/** Both 200 and 503 carry this shape. */
export class HealthEnvelopeDto {
  @ApiProperty({ type: HealthReportDto })
  data!: HealthReportDto;
  @ApiProperty({ type: HealthMetadataDto })
  metadata!: HealthMetadataDto;
}
