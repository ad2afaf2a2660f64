import type { OnApplicationShutdown } from '@nestjs/common';
import {
  defaultTextMapGetter,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { TelemetryConfig } from '../config/app-config.js';
import { ATTR } from './spans.js';

const TRACER_NAME = 'opitios-alpaca';
/** `00-<trace id>-<span id>-<flags>`, lower-case hex (W3C Trace Context). */
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;
const NO_TRACE = '00000000000000000000000000000000';

export interface TracingOptions {
  /**
   * Spans go here instead of the configured exporter, synchronously as each one ends (tests read
   * them back from an in-memory exporter). Setting it turns tracing on whatever the config says.
   */
  exporter?: SpanExporter;
}

/** The trace id of a well-formed incoming `traceparent`, else null. */
export function traceIdOf(traceparent: string | string[] | undefined): string | null {
  if (typeof traceparent !== 'string') return null;
  const m = TRACEPARENT.exec(traceparent);
  return m === null || m[1] === NO_TRACE ? null : (m[1] ?? null);
}

/**
 * OpenTelemetry tracing, created once per application from the standard OTEL_* variables. Off
 * (the default): no provider, no tracer, and every span site is one null check. On: a provider of
 * this application's own (never registered as the process-wide global, so several apps in one test
 * process keep their spans apart), every request sampled (the service promises 100 % tracing),
 * spans batched to the OTLP/HTTP collector. Parents are passed explicitly through the request scope
 * rather than OpenTelemetry's global context manager (see README, "Tracing").
 */
export class Tracing implements OnApplicationShutdown {
  readonly tracer: Tracer | null;
  private readonly provider: BasicTracerProvider | null;
  private readonly propagator = new W3CTraceContextPropagator();

  constructor(
    private readonly config: TelemetryConfig,
    options: TracingOptions = {},
  ) {
    const processor = Tracing.processor(config, options);
    if (processor === null) {
      this.provider = null;
      this.tracer = null;
      return;
    }
    this.provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': config.serviceName }),
      sampler: new AlwaysOnSampler(),
      spanProcessors: [processor],
    });
    this.tracer = this.provider.getTracer(TRACER_NAME);
  }

  private static processor(config: TelemetryConfig, options: TracingOptions): SpanProcessor | null {
    if (options.exporter !== undefined) return new SimpleSpanProcessor(options.exporter);
    if (config.exporter === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter());
    if (config.exporter === 'otlp' && config.otlpTracesUrl !== null)
      return new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpTracesUrl }));
    return null;
  }

  get enabled(): boolean {
    return this.tracer !== null;
  }

  /** The server span of a request, continuing the client's trace when it sent a `traceparent`. */
  startServerSpan(
    method: string,
    path: string,
    headers: Record<string, string | string[] | undefined>,
    requestId: string,
  ): Span | null {
    if (this.tracer === null) return null;
    const parent =
      headers['traceparent'] === undefined
        ? ROOT_CONTEXT
        : this.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
    return this.tracer.startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { [ATTR.method]: method, [ATTR.path]: path, [ATTR.requestId]: requestId } },
      parent,
    );
  }

  /** Names the span after the route template once routing is known, and ends it. */
  endServerSpan(
    span: Span,
    method: string,
    route: string,
    outcome: { status: number | null; errorCode: string | null; cache: string | null; aborted: boolean },
  ): void {
    const { status, errorCode, cache, aborted } = outcome;
    span.updateName(`${method} ${route}`);
    span.setAttribute(ATTR.route, route);
    if (status !== null) span.setAttribute(ATTR.statusCode, status);
    if (errorCode !== null) span.setAttribute(ATTR.errorCode, errorCode);
    if (cache !== null) span.setAttribute(ATTR.cacheResult, cache);
    if (aborted) {
      span.setAttribute(ATTR.clientAborted, true);
      span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client went away before the answer' });
    } else if (status !== null && status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end();
  }

  /** W3C headers for an upstream call, when TRACE_PROPAGATE_UPSTREAM is on and there is a span. */
  upstreamHeaders(span: Span | null): Record<string, string> | undefined {
    if (span === null || !this.config.propagateUpstream) return undefined;
    const carrier: Record<string, string> = {};
    this.propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    return carrier;
  }

  /** Exports what is still buffered before the process exits. */
  async onApplicationShutdown(): Promise<void> {
    await this.provider?.shutdown();
  }
}
