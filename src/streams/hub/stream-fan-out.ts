import type { OutboundFrame } from '../stream-protocol.js';
import type { StreamSession } from './stream-session.js';

/**
 * Sessions handed a frame per slice before the event loop gets a turn: one synchronous loop over a
 * thousand sessions wrote the last client 40–60 ms after the first (issue 25), with nothing else
 * (upstream reads, client frames) served meanwhile.
 */
export const FAN_OUT_SLICE = 200;

interface Job {
  readonly sessions: readonly StreamSession[];
  readonly frame: OutboundFrame;
  next: number;
}

/**
 * The fan-out of data frames to sessions, in slices: the first slice is delivered at once, the
 * rest on later turns of the event loop (`defer`, setImmediate in production). Jobs run strictly
 * in the order they were queued, so a client never gets upstream frame N+1 before N. Anything that
 * must come after the frames already queued (a subscription change and its ack, a gap, a close,
 * order events) calls `flush()` first, which delivers them all now: the order clients see is
 * exactly that of a synchronous loop. Each session's own queue bounds, drops and slow-consumer
 * close apply per delivery as before (StreamSession.deliver).
 */
export class FanOut {
  private readonly jobs: Job[] = [];
  private scheduled = false;

  constructor(
    private readonly slice: number = FAN_OUT_SLICE,
    private readonly defer: (run: () => void) => void = (run) => void setImmediate(run),
  ) {}

  /** Queues the frame for these sessions (after everything queued before it). */
  enqueue(sessions: readonly StreamSession[], frame: OutboundFrame): void {
    if (sessions.length === 0) return;
    this.jobs.push({ sessions, frame, next: 0 });
    if (!this.scheduled) this.run();
  }

  /** Delivers everything still queued, now. */
  flush(): void {
    this.drain(Number.POSITIVE_INFINITY);
  }

  /** Deliveries still queued (for tests and leak checks). */
  pending(): number {
    let n = 0;
    for (const job of this.jobs) n += job.sessions.length - job.next;
    return n;
  }

  private run(): void {
    this.drain(this.slice);
    if (this.jobs.length > 0 && !this.scheduled) {
      this.scheduled = true;
      this.defer(() => {
        this.scheduled = false;
        this.run();
      });
    }
  }

  private drain(budget: number): void {
    let left = budget;
    while (left > 0) {
      const job = this.jobs[0];
      if (job === undefined) return;
      const end = Math.min(job.sessions.length, job.next + left);
      left -= end - job.next;
      // `next` moves before each delivery: a delivery that re-enters (a close that flushes) does not repeat it.
      while (job.next < end) {
        const session = job.sessions[job.next];
        job.next += 1;
        session?.deliver(job.frame);
      }
      if (job.next >= job.sessions.length && this.jobs[0] === job) this.jobs.shift();
    }
  }
}
