import { jest } from '@jest/globals';
import { Writable } from 'node:stream';
import { LineTransport, MESSAGE } from './line-transport.js';
import { WinstonLogger } from './winston-logger.js';
import { runInScope } from '../telemetry/request-scope.js';

class Capture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.lines.push(
      ...chunk
        .toString('utf8')
        .split('\n')
        .filter((l) => l !== ''),
    );
    done();
  }
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

const SECRET = 'sk-live-0123456789abcdef';

function logger(level: 'info' | 'warn' = 'info', sink = new Capture()): { log: WinstonLogger; sink: Capture } {
  const log = new WinstonLogger({ log: { format: 'json', level }, secrets: () => [SECRET, 'short'] }, sink);
  return { log, sink };
}

describe('WinstonLogger', () => {
  it('writes one JSON line per event with level, message, timestamp and the fields', () => {
    const { log, sink } = logger();
    log.event('info', 'http_request', { status: 200, route: '/api/v1/stocks/:symbol/quote' });
    expect(sink.lines).toHaveLength(1);
    expect(sink.json()[0]).toEqual({
      level: 'info',
      message: 'http_request',
      status: 200,
      route: '/api/v1/stocks/:symbol/quote',
      timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/) as unknown,
    });
  });

  it('redacts configured secrets wherever they appear, and leaves short ones alone', () => {
    const { log, sink } = logger();
    log.event('warn', `upstream said ${SECRET}`, {
      headers: { authorization: `Bearer ${SECRET}` },
      list: [SECRET],
      note: 'a short word',
    });
    const [line] = sink.lines;
    expect(line).not.toContain(SECRET);
    expect(JSON.parse(line ?? '{}')).toEqual(
      expect.objectContaining({
        message: 'upstream said [REDACTED]',
        headers: { authorization: 'Bearer [REDACTED]' },
        list: ['[REDACTED]'],
        note: 'a short word',
      }),
    );
  });

  it('leaves the objects it was given untouched when it redacts a copy of them', () => {
    const { log, sink } = logger();
    const headers = { authorization: `Bearer ${SECRET}`, accept: 'application/json' };
    const list = ['plain', SECRET];
    log.event('warn', 'upstream_request', { headers, list });
    expect(headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(list[1]).toBe(SECRET);
    expect(sink.json()[0]).toEqual(
      expect.objectContaining({
        headers: { authorization: 'Bearer [REDACTED]', accept: 'application/json' },
        list: ['plain', '[REDACTED]'],
      }),
    );
  });

  it('still writes a record JSON.stringify refuses: a BigInt as its digits, a cycle marked', () => {
    const { log, sink } = logger();
    const cyclic: Record<string, unknown> = { name: 'node' };
    cyclic['self'] = cyclic;
    log.event('info', 'odd_values', { volume: 12345678901234567890n });
    log.event('info', 'cyclic', { cyclic });
    const [big, cycle] = sink.json();
    expect(big).toEqual(expect.objectContaining({ message: 'odd_values', volume: '12345678901234567890' }));
    expect(cycle).toEqual(expect.objectContaining({ message: 'cyclic', cyclic: { name: 'node', self: '[Circular]' } }));
  });

  it("adds the request id and trace id of the request being served to every line, keeping a line's own", () => {
    const { log, sink } = logger();
    const scope = {
      requestId: 'req_abc',
      clientRequestId: null,
      span: null,
      tracer: null,
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      upstreamAttempts: 0,
      cache: null,
    };
    runInScope(scope, () => {
      log.event('info', 'upstream_call', { status: 200 });
      log.warn('from Nest');
      log.event('info', 'http_request', { request_id: 'req_own' });
    });
    log.event('info', 'boot');
    expect(sink.json().map((l) => [l['message'], l['request_id'], l['trace_id']])).toEqual([
      ['upstream_call', 'req_abc', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['from Nest', 'req_abc', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['http_request', 'req_own', '4bf92f3577b34da6a3ce929d0e0e4736'],
      ['boot', undefined, undefined],
    ]);
  });

  it('drops events below the configured level', () => {
    const { log, sink } = logger('warn');
    log.event('info', 'not written');
    log.event('debug', 'not written either');
    log.event('error', 'written');
    expect(sink.json().map((l) => l['message'])).toEqual(['written']);
  });
});

describe('LineTransport', () => {
  it('sends the listed levels to the error stream and the rest to the output stream', () => {
    const out = new Capture();
    const err = new Capture();
    const transport = new LineTransport({ out, err, errLevels: ['error'] });
    const next = jest.fn();
    transport.log({ level: 'info', [MESSAGE]: '{"a":1}' }, next);
    transport.log({ level: 'error', [MESSAGE]: '{"b":2}' }, next);
    expect(out.lines).toEqual(['{"a":1}']);
    expect(err.lines).toEqual(['{"b":2}']);
    expect(next).toHaveBeenCalledTimes(2);
  });
});
