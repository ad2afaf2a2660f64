import { Injectable } from '@nestjs/common';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { RedisService } from '../../core/redis/redis.service.js';

/** What the fleet knows of an idempotency key before this instance sends anything. */
export type Claim =
  /** This request holds the key now: nobody sent another body under it (within the ledger's memory). */
  | { kind: 'claimed' }
  /** The key was first used with this very body; `orderId` once its order is known. */
  | { kind: 'same'; orderId: string | null }
  /** The key was first used with another body: 409, nothing sent. */
  | { kind: 'conflict'; orderId: string | null }
  /** No shared ledger (no REDIS_URL, or Redis away): Alpaca's copy of the order decides. */
  | { kind: 'unknown' };

const TTL_MS = 24 * 3_600_000;
const PREFIX = 'opitios:idem:';

interface Entry {
  /** The fingerprint of the body first sent under the key. */
  f: string;
  o: string | null;
}

function parse(raw: string): Entry | null {
  try {
    const v: unknown = JSON.parse(raw);
    if (typeof v !== 'object' || v === null) return null;
    const { f, o } = v as Record<string, unknown>;
    return typeof f === 'string' && (typeof o === 'string' || o === null) ? { f, o } : null;
  } catch {
    // Not ours (another writer of the key space): treated as no ledger entry.
    return null;
  }
}

/** Deletes the key only while it still holds this claim (another body may have claimed it since). */
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Which body each idempotency key was first sent with, shared by every instance through Redis
 * (SET NX, so of two different bodies arriving at once on two instances exactly one is sent).
 * Alpaca's client_order_id uniqueness still guarantees one order per key; this decides whether a
 * repeat is the same order (replay) or another (409) before anything is sent, which Alpaca's copy
 * of an order cannot always show (bracket exits, legs). Without Redis each instance remembers its
 * own keys (IdempotencyMemory) and Alpaca's copy decides across instances.
 */
@Injectable()
export class IdempotencyLedger {
  constructor(
    private readonly redis: RedisService,
    private readonly logger: WinstonLogger,
  ) {}

  async claim(namespace: string, key: string, fingerprint: string): Promise<Claim> {
    const redis = this.redis.client();
    if (redis === null) return { kind: 'unknown' };
    const k = `${PREFIX}${namespace}:${key}`;
    try {
      const set = await redis.set(k, JSON.stringify({ f: fingerprint, o: null } satisfies Entry), 'PX', TTL_MS, 'NX');
      if (set === 'OK') return { kind: 'claimed' };
      const raw = await redis.get(k);
      const entry = raw === null ? null : parse(raw);
      if (entry === null) return { kind: 'unknown' };
      return entry.f === fingerprint ? { kind: 'same', orderId: entry.o } : { kind: 'conflict', orderId: entry.o };
    } catch (e: unknown) {
      this.logger.event('warn', 'idempotency_ledger_unavailable', {
        error: e instanceof Error ? e.message : String(e),
      });
      return { kind: 'unknown' };
    }
  }

  /** The key's order is known: later repeats anywhere are answered with it. */
  async settle(namespace: string, key: string, fingerprint: string, orderId: string): Promise<void> {
    const redis = this.redis.client();
    if (redis === null) return;
    try {
      await redis.set(
        `${PREFIX}${namespace}:${key}`,
        JSON.stringify({ f: fingerprint, o: orderId } satisfies Entry),
        'PX',
        TTL_MS,
      );
    } catch (e: unknown) {
      // The claim stays (with no order id): a repeat still compares bodies, then asks Alpaca.
      this.logger.event('warn', 'idempotency_ledger_unavailable', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }

  /** Nothing was placed under the key (Alpaca refused the body): a corrected body may use it. */
  async release(namespace: string, key: string, fingerprint: string): Promise<void> {
    const redis = this.redis.client();
    if (redis === null) return;
    try {
      await redis.eval(
        RELEASE,
        1,
        `${PREFIX}${namespace}:${key}`,
        JSON.stringify({ f: fingerprint, o: null } satisfies Entry),
      );
    } catch (e: unknown) {
      this.logger.event('warn', 'idempotency_ledger_unavailable', {
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
