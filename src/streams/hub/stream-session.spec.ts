import { OutboundFrame, OutboundMessage } from '../stream-protocol.js';
import { StreamSession, type StreamSink } from './stream-session.js';

/** A sink whose writes complete only when the test says so (a client that does not read). */
class HeldSink implements StreamSink {
  readonly transport = 'ws';
  readonly sent: string[] = [];
  readonly pending: Array<() => void> = [];
  closed: { code: number; reason: string } | null = null;

  send(frame: OutboundFrame, written: () => void): void {
    this.sent.push(frame.ws().toString('utf8'));
    this.pending.push(written);
  }

  flush(): void {
    for (const done of this.pending.splice(0)) done();
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
  }
}

const tick = (n: number): OutboundMessage => OutboundMessage.of({ type: 'quote', symbol: 'AAPL', n });

describe('StreamSession send queue', () => {
  let now = 0;
  let droppedTotal = 0;
  const make = (sink: HeldSink, limits = { messages: 4, bytes: 10_000, slowCloseMs: 1000 }): StreamSession =>
    new StreamSession(
      sink,
      '127.0.0.1',
      limits,
      () => now,
      (n) => (droppedTotal += n),
    );

  beforeEach(() => {
    now = 0;
    droppedTotal = 0;
  });

  it('queues up to the message bound, drops and counts beyond it', () => {
    const sink = new HeldSink();
    const session = make(sink);
    for (let i = 0; i < 10; i += 1) session.deliver(new OutboundFrame([tick(i)]));
    expect(sink.sent).toHaveLength(4);
    expect(droppedTotal).toBe(6);
  });

  it('drops on the byte bound too', () => {
    const sink = new HeldSink();
    const session = make(sink, { messages: 1000, bytes: tick(0).json.length * 2, slowCloseMs: 1000 });
    for (let i = 0; i < 5; i += 1) session.deliver(new OutboundFrame([tick(i)]));
    expect(sink.sent).toHaveLength(2);
    expect(droppedTotal).toBe(3);
  });

  it('reports the count once the client catches up, then delivers again', () => {
    const sink = new HeldSink();
    const session = make(sink);
    for (let i = 0; i < 7; i += 1) session.deliver(new OutboundFrame([tick(i)]));
    sink.flush();
    expect(sink.sent.at(-1)).toBe('[{"type":"dropped","count":3}]');
    sink.flush();
    session.deliver(new OutboundFrame([tick(99)]));
    expect(sink.sent.at(-1)).toBe('[{"type":"quote","symbol":"AAPL","n":99}]');
  });

  it('control messages are never dropped', () => {
    const sink = new HeldSink();
    const session = make(sink);
    for (let i = 0; i < 4; i += 1) session.deliver(new OutboundFrame([tick(i)]));
    session.control(OutboundMessage.of({ type: 'gap', stream: 'stocks' }));
    expect(sink.sent.at(-1)).toBe('[{"type":"gap","stream":"stocks"}]');
  });

  it('control messages count against the queue: past twice its bounds, unread replies close the client with 4408', () => {
    const sink = new HeldSink();
    const session = make(sink);
    const error = (): OutboundMessage => OutboundMessage.of({ type: 'error', code: 'INVALID_PARAMETER' });
    for (let i = 0; i < 8; i += 1) session.control(error());
    expect(sink.closed).toBeNull();
    session.control(error());
    expect(sink.closed).toEqual({ code: 4408, reason: 'slow consumer: replies not read' });
    for (let i = 0; i < 1000; i += 1) session.control(error());
    expect(sink.sent).toHaveLength(8);
  });

  it('a client that stays behind past slowCloseMs is closed with 4408', () => {
    const sink = new HeldSink();
    const session = make(sink);
    for (let i = 0; i < 5; i += 1) session.deliver(new OutboundFrame([tick(i)]));
    now = 999;
    session.deliver(new OutboundFrame([tick(5)]));
    expect(sink.closed).toBeNull();
    now = 1001;
    session.deliver(new OutboundFrame([tick(6)]));
    expect(sink.closed).toEqual({ code: 4408, reason: 'slow consumer: stayed behind' });
    session.deliver(new OutboundFrame([tick(7)]));
    expect(sink.sent).toHaveLength(4);
  });

  it('a batch goes out as one frame of several messages, from their serialized bytes', () => {
    const sink = new HeldSink();
    make(sink).deliver(new OutboundFrame([tick(1), tick(2)]));
    expect(sink.sent).toEqual(['[{"type":"quote","symbol":"AAPL","n":1},{"type":"quote","symbol":"AAPL","n":2}]']);
    expect(JSON.parse(sink.sent[0] ?? '')).toHaveLength(2);
  });

  it('serializes a message once, whatever the number of sessions', () => {
    const message = tick(1);
    const a = new HeldSink();
    const b = new HeldSink();
    make(a).deliver(new OutboundFrame([message]));
    make(b).deliver(new OutboundFrame([message]));
    expect(message.ws()).toBe(message.ws());
    expect(a.sent[0]).toBe(b.sent[0]);
  });
});
