import { timingSafeEqual } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { Clock } from '../../core/time/clock.js';
import { ApiKeyStore, keyIdOf, sha256Hex, type ApiKeyRecord } from './api-key-store.js';
import type { Principal } from '../../core/identity/principal.js';

/** Compared against when no record matches, so unknown and wrong keys cost the same work. */
const DUMMY_HASH = sha256Hex('opitios-alpaca:no-such-key');
const API_KEY_CHALLENGE = 'ApiKey realm="opitios-alpaca", header="X-API-Key"';

/**
 * Verifies X-API-Key values against the hashed key file. The file is re-read when it changes
 * (checked at most every API_KEYS_RELOAD_MS), so a revocation by the CLI takes effect without a
 * restart, for the key and for every token issued from it. Throttling of failures is the
 * caller's (AuthLockoutService, per client address).
 */
@Injectable()
export class ApiKeyService implements OnModuleInit {
  private readonly store: ApiKeyStore;
  private byId = new Map<string, ApiKeyRecord>();
  private loadedMtime: number | null | undefined = undefined;
  private checkedAt = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly logger: WinstonLogger,
    private readonly clock: Clock,
  ) {
    this.store = new ApiKeyStore(config.apiKeysFile);
  }

  /** Reads the key file once at boot (a lookup before then reads it too: nothing was loaded yet). */
  onModuleInit(): void {
    this.refresh(true);
  }

  authenticate(key: string, ip: string): Principal {
    const keyId = keyIdOf(key);
    this.refresh(false);
    const record = keyId === null ? undefined : this.byId.get(keyId);
    // Same work whatever the outcome: one hash, one constant-time comparison.
    const presented = Buffer.from(sha256Hex(key), 'hex');
    const expected = Buffer.from(record?.hash ?? DUMMY_HASH, 'hex');
    const matches = timingSafeEqual(presented, expected);
    if (record === undefined || !matches || record.revoked_at !== null) {
      throw new AppError('INVALID_API_KEY', { headers: { 'WWW-Authenticate': API_KEY_CHALLENGE } });
    }
    return {
      kind: 'api_key',
      sub: `key:${record.id}`,
      roles: [...record.roles],
      keyId: record.id,
      ip,
      riskPolicy: record.risk_policy ?? null,
      accounts: record.accounts ?? null,
    };
  }

  /**
   * The risk policy (null: the default) and the accounts (null: unbound) an active key names now,
   * for the tokens issued from it.
   */
  bindingOf(keyId: string): { riskPolicy: string | null; accounts: readonly string[] | null } {
    this.refresh(false);
    const record = this.byId.get(keyId);
    return { riskPolicy: record?.risk_policy ?? null, accounts: record?.accounts ?? null };
  }

  /**
   * Why a principal bound to API key `keyId` with `roles` no longer holds (the key is gone, revoked,
   * or no longer grants one of those roles), or null while it does. `holder` words the reason: a
   * token issued from the key, or a stream connection authenticated with it.
   */
  bindingProblem(keyId: string, roles: readonly string[], holder: 'token' | 'connection' = 'token'): string | null {
    this.refresh(false);
    const record = this.byId.get(keyId);
    const key = holder === 'token' ? 'the API key this token was issued for' : 'the API key of this connection';
    if (record === undefined) return `${key} does not exist`;
    if (record.revoked_at !== null) return `${key} was revoked`;
    if (!roles.every((r) => (record.roles as readonly string[]).includes(r))) {
      return holder === 'token'
        ? "the API key's roles changed since this token was issued"
        : "the API key's roles changed since this connection authenticated";
    }
    return null;
  }

  private refresh(force: boolean): void {
    const now = this.clock.now();
    if (!force && now - this.checkedAt < this.config.apiKeysReloadMs) return;
    this.checkedAt = now;
    try {
      const mtime = this.store.mtimeMs();
      if (!force && mtime === this.loadedMtime) return;
      this.byId = new Map(this.store.load().map((r) => [r.id, r]));
      this.loadedMtime = mtime;
    } catch (e: unknown) {
      // Keep the last good set: a half-edited file must not lock everyone out or let anyone in.
      this.logger.event('error', 'api_keys_unreadable', {
        file: this.store.path,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
