import { applyDecorators, type Type } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';

export class CacheMetadataDto {
  @ApiProperty({ enum: ['HIT', 'MISS', 'BYPASS', 'STREAM'] })
  status!: string;
  @ApiProperty({ description: 'Seconds since the data was fetched from its source (0 when read for this answer).' })
  age_seconds!: number;
}

export class SuccessMetadataDto {
  @ApiProperty({ example: 'req_3f2c9a…' })
  request_id!: string;
  @ApiProperty({ format: 'date-time', description: 'Response time.' })
  timestamp!: string;
  @ApiProperty({
    enum: [
      'alpaca_real_time',
      'alpaca_options_real_time',
      'alpaca_options_chain',
      'alpaca_historical',
      'alpaca_options_contracts',
      'alpaca_trading',
      'alpaca_news',
      'alpaca_corporate_actions',
      'alpaca_screener',
      'alpaca_reference',
      'gateway_audit',
      'gateway_trading_halt',
    ],
    description:
      "alpaca_reference: condition and exchange codes, assets and the trading calendar. gateway_audit: the gateway's own audit trail (/audit routes), not Alpaca data. " +
      "gateway_trading_halt: the trading halts (/admin/trading/halt), the gateway's own record.",
  })
  data_source!: string;
  @ApiProperty({
    enum: ['alpaca', 'non_alpaca_host', 'gateway'],
    description:
      "non_alpaca_host when the configured upstream is not Alpaca (e.g. the emulator); gateway when the data is the gateway's own record.",
  })
  provider!: string;
  @ApiProperty({
    example: 'data.alpaca.markets',
    description:
      'The upstream host; for provider gateway, the store (audit_store:jsonl or audit_store:postgres; halt_store:file or halt_store:postgres).',
  })
  provider_host!: string;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'iex' })
  feed!: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Newest upstream timestamp in the data, exactly as Alpaca sent it.',
  })
  data_timestamp!: string | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Seconds between data_timestamp and the response.',
  })
  data_freshness_seconds!: number | null;
  @ApiPropertyOptional({ enum: ['open', 'closed', 'unknown'], nullable: true, description: "From Alpaca's /v2/clock." })
  market_status!: string | null;
  @ApiProperty({ type: CacheMetadataDto })
  cache!: CacheMetadataDto;
  @ApiProperty({
    type: [String],
    description: "Alpaca's X-Request-ID of the upstream call(s); empty when no upstream call was made.",
  })
  upstream_request_ids!: string[];
  @ApiPropertyOptional({
    enum: ['paper', 'live', 'non_alpaca_host'],
    description: "Trading answers only: the Alpaca account's mode, from the configured trading host.",
  })
  trading_mode?: string;
  account?: string;
  @ApiPropertyOptional({
    description:
      'Market data only: {checked: true, flags: [...]} — what the gateway noticed about the values (crossed_quote, locked_quote, non_positive_price, ' +
      'non_positive_size, future_timestamp, stale_timestamp, delta_out_of_range, negative_gamma, negative_vega, negative_implied_volatility); ' +
      'per item (by symbol) in `items` for batches. Information, never an error: the values are exactly as Alpaca sent them.',
    example: { checked: true, flags: [] },
  })
  data_quality?: Record<string, unknown>;
}

/** Documents a 200 answer as the success envelope around `model`. */
export function ApiEnvelope(model: Type<unknown>, description = 'Success envelope.'): MethodDecorator {
  return applyDecorators(
    ApiExtraModels(model, SuccessMetadataDto),
    ApiOkResponse({
      description,
      headers: {
        'X-Request-Id': { description: 'Request id (echoes a sane incoming one).', schema: { type: 'string' } },
        'X-Data-Source': { description: 'Same as metadata.data_source.', schema: { type: 'string' } },
        'X-Cache-Status': { description: 'HIT, MISS, BYPASS or STREAM.', schema: { type: 'string' } },
        'X-Data-Freshness': { description: 'Seconds since data_timestamp.', schema: { type: 'string' } },
      },
      schema: {
        type: 'object',
        required: ['data', 'metadata'],
        properties: { data: { $ref: getSchemaPath(model) }, metadata: { $ref: getSchemaPath(SuccessMetadataDto) } },
      },
    }),
  );
}
