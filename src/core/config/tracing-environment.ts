import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsNotEmpty, IsOptional, IsString, IsUrl } from 'class-validator';
import { HTTP_URL, toBool } from './env-transforms.js';

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;


/**
 * The tracing part of EnvironmentVariables (which extends it): the standard OpenTelemetry variables
 * the gateway reads itself, plus one of ours. The OTLP exporter reads the rest of the standard set
 * (e.g. OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT) on its own.
 */
export class TracingVariables {
  /** `true` turns tracing off whatever else is set (OpenTelemetry's own switch). */
  @IsOptional() @Transform(toBool) @IsBoolean()
  OTEL_SDK_DISABLED: boolean = false;

  /** `otlp` (default once an endpoint is set), `console` (spans as log lines, for a look), `none`. */
  @IsOptional() @IsIn(TRACES_EXPORTERS)
  OTEL_TRACES_EXPORTER?: (typeof TRACES_EXPORTERS)[number];

  /** OTLP/HTTP collector base URL; traces go to `<url>/v1/traces`. Setting it turns tracing on. */
  @IsOptional() @IsUrl(HTTP_URL)
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. Setting it turns tracing on. */
  @IsOptional() @IsUrl(HTTP_URL)
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;

  @IsOptional() @IsString() @IsNotEmpty()
  OTEL_SERVICE_NAME: string = 'opitios-alpaca';

  /**
   * Ours (not an OpenTelemetry name): `true` sends W3C `traceparent` to Alpaca's hosts on every
   * upstream call, so a trace can continue there. Off by default: Alpaca is a third party.
   */
  @IsOptional() @Transform(toBool) @IsBoolean()
  TRACE_PROPAGATE_UPSTREAM: boolean = false;
}
