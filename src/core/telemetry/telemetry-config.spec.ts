import { validateConfig, ConfigValidationError } from '../config/validate-config.js';
import { Tracing, traceIdOf } from './tracing.js';

const REQUIRED = { APCA_API_KEY_ID: 'key-id-0001', APCA_API_SECRET_KEY: 'secret-key-0001', JWT_SECRET: 'j'.repeat(32) };
const telemetry = (env: Record<string, string> = {}) => validateConfig({ ...REQUIRED, ...env }).telemetry;

describe('tracing configuration (standard OTEL_* variables)', () => {
  it('is off when nothing is set, and then creates no tracer at all', () => {
    expect(telemetry()).toEqual({
      exporter: null,
      otlpTracesUrl: null,
      serviceName: 'opitios-alpaca',
      propagateUpstream: false,
    });
    expect(new Tracing(telemetry()).tracer).toBeNull();
  });

  it('turns on with an OTLP endpoint (traces at /v1/traces) or a traces endpoint, and OTEL_SDK_DISABLED wins', () => {
    expect(telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toMatchObject({
      exporter: 'otlp',
      otlpTracesUrl: 'http://collector:4318/v1/traces',
    });
    expect(telemetry({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/custom' })).toMatchObject({
      exporter: 'otlp',
      otlpTracesUrl: 'http://c:4318/custom',
    });
    expect(telemetry({ OTEL_TRACES_EXPORTER: 'otlp' })).toMatchObject({
      exporter: 'otlp',
      otlpTracesUrl: 'http://localhost:4318/v1/traces',
    });
    expect(telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_SDK_DISABLED: 'true' }).exporter).toBeNull();
    expect(
      telemetry({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', OTEL_TRACES_EXPORTER: 'none' }).exporter,
    ).toBeNull();
    expect(telemetry({ OTEL_SERVICE_NAME: 'gw-2', TRACE_PROPAGATE_UPSTREAM: 'true' })).toMatchObject({
      serviceName: 'gw-2',
      propagateUpstream: true,
    });
  });

  it('refuses values it cannot use, naming the variable', () => {
    try {
      telemetry({ OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
      throw new Error('expected a refusal');
    } catch (e: unknown) {
      expect(e).toBeInstanceOf(ConfigValidationError);
      const problems = (e as ConfigValidationError).problems.join('\n');
      expect(problems).toMatch(/OTEL_TRACES_EXPORTER/);
      expect(problems).toMatch(/OTEL_EXPORTER_OTLP_ENDPOINT/);
    }
  });

  it('reads the trace id of a well-formed traceparent only', () => {
    expect(traceIdOf('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(traceIdOf('00-00000000000000000000000000000000-00f067aa0ba902b7-01')).toBeNull();
    expect(traceIdOf('garbage')).toBeNull();
    expect(traceIdOf(undefined)).toBeNull();
  });
});
