import { z } from 'zod';
import { flag, optionalOneOf, optionalUrl, text } from './fields.js';

export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;

/** The OTLP collector's default (OpenTelemetry's spec) when `OTEL_TRACES_EXPORTER=otlp` names no endpoint. */
const DEFAULT_OTLP_TRACES_URL = 'http://localhost:4318/v1/traces';

/**
 * Tracing (OpenTelemetry): the standard variables the gateway reads itself, plus one of ours. The
 * OTLP exporter reads the rest of the standard set (e.g. OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT) on its own.
 */
export const telemetrySection = z
  .object({
    /** `true` turns tracing off whatever else is set (OpenTelemetry's own switch). */
    OTEL_SDK_DISABLED: flag(false),
    /** `otlp` (default once an endpoint is set), `console` (spans as log lines, for a look), `none`. */
    OTEL_TRACES_EXPORTER: optionalOneOf(TRACES_EXPORTERS),
    /** OTLP/HTTP collector base URL; traces go to `<url>/v1/traces`. Setting it turns tracing on. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl(),
    /** The full traces URL, when it is not `<OTEL_EXPORTER_OTLP_ENDPOINT>/v1/traces`. Setting it turns tracing on. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl(),
    OTEL_SERVICE_NAME: text('opitios-alpaca'),
    /**
     * Ours (not an OpenTelemetry name): `true` sends W3C `traceparent` to Alpaca's hosts on every
     * upstream call, so a trace can continue there. Off by default: Alpaca is a third party.
     */
    TRACE_PROPAGATE_UPSTREAM: flag(false),
  })
  .transform((v) => {
    // Tracing is on only when asked for: an OTLP endpoint or an explicit exporter, and not
    // OTEL_SDK_DISABLED. Unset, nothing is created (no provider, no spans, no exporter).
    const endpoint =
      v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (v.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
        ? undefined
        : `${v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
    const wanted = v.OTEL_TRACES_EXPORTER ?? (endpoint === undefined ? 'none' : 'otlp');
    const exporter: 'otlp' | 'console' | null = v.OTEL_SDK_DISABLED || wanted === 'none' ? null : wanted;
    return {
      /** Tracing (OpenTelemetry). `exporter` null: off, and nothing is recorded or paid for. */
      telemetry: {
        exporter,
        /** Where OTLP/HTTP spans are posted (`exporter` otlp). */
        otlpTracesUrl: exporter === 'otlp' ? (endpoint ?? DEFAULT_OTLP_TRACES_URL) : null,
        serviceName: v.OTEL_SERVICE_NAME,
        /** Send `traceparent` to Alpaca's hosts (TRACE_PROPAGATE_UPSTREAM). */
        propagateUpstream: v.TRACE_PROPAGATE_UPSTREAM,
      },
    };
  });
