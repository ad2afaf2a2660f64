import { WinstonLogger } from '../core/logging/winston-logger.js';
import { runOutsideScope } from '../core/telemetry/request-scope.js';
import type { Clock } from '../core/time/clock.js';
import { signCheckpoint } from './audit-checkpoint.js';
import type { AuditKeys } from './audit-keys.js';
import type { AuditStore } from './store/audit.store.js';

/**
 * Signs the chain's head every `every` records this instance wrote, every `seconds` while the
 * chain grew, and at shutdown; each checkpoint goes to the store's checkpoint file or table and,
 * as a copy out of the store's reach, to the log stream. Off without AUDIT_SIGNING_KEY.
 */
export class AuditCheckpointer {
  private sinceLast = 0;
  private lastSeq = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: AuditStore,
    private readonly keys: AuditKeys,
    private readonly settings: { every: number; seconds: number },
    private readonly logger: WinstonLogger,
    private readonly clock: Clock,
  ) {}

  get enabled(): boolean {
    return this.keys.signing !== null;
  }

  start(): void {
    if (!this.enabled) {
      this.logger.event('warn', 'audit_checkpoints_off', {
        reason: 'AUDIT_SIGNING_KEY is not set: a removed tail of the audit trail would go unnoticed',
      });
      return;
    }
    this.timer = setInterval(() => void this.checkpoint('interval'), this.settings.seconds * 1000);
    this.timer.unref();
  }

  /** Called after each record this instance wrote. */
  noteAppended(): void {
    if (!this.enabled) return;
    this.sinceLast += 1;
    if (this.sinceLast < this.settings.every) return;
    // Counted from the trigger: the checkpoint may cover a later head (records keep coming while it is written).
    this.sinceLast = 0;
    // Signs the chain's head, not the request whose record happened to be the n-th: it names none.
    runOutsideScope(() => void this.checkpoint('count'));
  }

  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.enabled) await this.checkpoint('shutdown');
  }

  /** One at a time; never throws (a failed checkpoint is logged, the next one covers it). */
  checkpoint(reason: 'count' | 'interval' | 'shutdown'): Promise<void> {
    this.running = this.running.then(() => this.write(reason));
    return this.running;
  }

  private async write(reason: string): Promise<void> {
    try {
      const head = await this.store.head();
      if (head === null || head.seq === this.lastSeq) return;
      const cp = signCheckpoint(head, new Date(this.clock.now()), this.keys);
      if (cp === null) return;
      await this.store.saveCheckpoint(cp);
      this.lastSeq = head.seq;
      this.logger.event('info', 'audit_checkpoint', {
        reason,
        seq: cp.seq,
        hash: cp.hash,
        time: cp.time,
        kid: cp.kid,
        signature: cp.signature,
      });
    } catch (e: unknown) {
      this.logger.event('error', 'audit_checkpoint_failed', {
        reason,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
