import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CATALOG } from './error-catalog.js';

const CODES = Object.keys(ERROR_CATALOG);

export class ErrorBodyDto {
  @ApiProperty({ enum: CODES, example: 'SYMBOL_NOT_FOUND' })
  code!: string;
  @ApiProperty({ example: 'Alpaca returned no data for ZZZZ on the iex feed.' })
  message!: string;
  @ApiProperty({
    enum: [
      'validation_error',
      'authentication_error',
      'authorization_error',
      'data_unavailable',
      'not_found',
      'conflict',
      'order_rejected',
      'rate_limit',
      'internal_error',
      'upstream_error',
    ],
  })
  type!: string;
  @ApiProperty({ enum: ['info', 'warning', 'error', 'critical'] })
  severity!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Code-specific context (fields at fault, upstream status and message, …).',
  })
  details!: Record<string, unknown>;
}

export class ErrorMetadataDto {
  @ApiProperty({ example: 'req_3f2c9a…' })
  request_id!: string;
  @ApiProperty({ format: 'date-time' })
  timestamp!: string;
  @ApiProperty({ example: '/api/v1/stocks/ZZZZ/quote' })
  endpoint!: string;
  @ApiProperty({ type: [String] })
  suggested_actions!: string[];
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Seconds to wait (also sent as Retry-After).' })
  retry_after!: number | null;
}

/** The error envelope every failure uses (docs/contract.md). */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: ErrorBodyDto })
  error!: ErrorBodyDto;
  @ApiProperty({ type: ErrorMetadataDto })
  metadata!: ErrorMetadataDto;
}
