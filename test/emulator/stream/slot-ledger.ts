/**
 * The 406 slots an unclean drop leaves behind. FORUM-406 (§5): Alpaca keeps "partially dead"
 * connections for ~90 s, so a new socket with the same key on the same endpoint is refused until
 * then. Clean closes never land here: they free their slot at once (OBS).
 */
import type { StreamClock, StreamEndpoint } from './stream.types.js';

interface SlotHold {
  keyId: string;
  endpoint: StreamEndpoint;
  until: number;
}

export class SlotLedger {
  private holds: SlotHold[] = [];

  constructor(
    private readonly clock: StreamClock,
    private readonly holdMs: number,
  ) {}

  hold(keyId: string, endpoint: StreamEndpoint): void {
    this.holds.push({ keyId, endpoint, until: this.clock.now() + this.holdMs });
  }

  /** Slots still held for this key on this endpoint. */
  held(keyId: string, endpoint: StreamEndpoint): number {
    const now = this.clock.now();
    this.holds = this.holds.filter((hold) => hold.until > now);
    return this.holds.filter((hold) => hold.keyId === keyId && hold.endpoint === endpoint).length;
  }

  clear(): void {
    this.holds = [];
  }
}
