import { OutboundFrame, OutboundMessage } from '../stream-protocol.js';
import { FanOut } from './stream-fan-out.js';
import { StreamSession, type StreamSink } from './stream-session.js';

class ListSink implements StreamSink {
  readonly transport = 'ws';
  readonly got: number[] = [];
  send(frame: OutboundFrame, written: () => void): void {
    this.got.push(Number((JSON.parse(frame.ws().toString('utf8')) as Array<{ n: number }>)[0]?.n));
    written();
  }
  close(): void {}
}

const frame = (n: number): OutboundFrame => OutboundFrame.of(OutboundMessage.of({ type: 'quote', n }));

describe('FanOut', () => {
  const make = (count: number): { sessions: StreamSession[]; sinks: ListSink[] } => {
    const sinks = Array.from({ length: count }, () => new ListSink());
    const sessions = sinks.map(
      (sink) =>
        new StreamSession(
          sink,
          '127.0.0.1',
          { messages: 100, bytes: 100_000, slowCloseMs: 1000 },
          () => 0,
          () => undefined,
        ),
    );
    return { sessions, sinks };
  };

  it('delivers the first slice at once and the rest on later turns, in the order queued', () => {
    const deferred: Array<() => void> = [];
    const fanOut = new FanOut(3, (run) => void deferred.push(run));
    const { sessions, sinks } = make(7);
    fanOut.enqueue(sessions, frame(1));
    fanOut.enqueue(sessions.slice(0, 2), frame(2));
    fanOut.enqueue(sessions, frame(3));
    expect(sinks.map((s) => s.got.length)).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(fanOut.pending()).toBe(7 + 2 + 7 - 3);
    expect(deferred).toHaveLength(1);
    while (deferred.length > 0) deferred.shift()?.();
    expect(fanOut.pending()).toBe(0);
    expect(sinks.map((s) => s.got)).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 3],
      [1, 3],
      [1, 3],
      [1, 3],
      [1, 3],
    ]);
  });

  it('flush delivers everything queued now; a later turn then finds nothing to do', () => {
    const deferred: Array<() => void> = [];
    const fanOut = new FanOut(1, (run) => void deferred.push(run));
    const { sessions, sinks } = make(3);
    fanOut.enqueue(sessions, frame(1));
    fanOut.enqueue(sessions, frame(2));
    fanOut.flush();
    expect(sinks.map((s) => s.got)).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    deferred.shift()?.();
    expect(deferred).toHaveLength(0);
    fanOut.enqueue(sessions, frame(3));
    expect(sinks.map((s) => s.got.length)).toEqual([3, 2, 2]);
  });
});
