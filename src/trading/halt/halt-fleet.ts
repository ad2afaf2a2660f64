import type { Redis } from 'ioredis';
import {
  parseHalt,
  parseState,
  sortHalts,
  type Applied,
  type Halt,
  type HaltChange,
  type HaltState,
} from './halt-scope.js';

/** A hash: `v` → the state's version, `h:<scope>` → that halt as JSON. No TTL: it lives as long as Redis keeps it. */
export const HALTS_KEY = 'opitios:trading:halts';
/** Every change of the state, published whole (`{"version", "halts"}`), so a listener needs no read to apply it. */
export const HALTS_CHANNEL = 'opitios:trading:halts:changed';

/**
 * Replaces the whole state unless Redis holds this version or a newer one (ARGV[2] '0'): a stale
 * writer (an instance that missed a change) can never undo a newer state. ARGV[2] '1': replaced
 * whatever Redis holds (PostgreSQL's state, which outranks it). Returns 1 when written.
 */
const REPLACE = `
local cur = redis.call('HGET', KEYS[1], 'v')
if ARGV[2] == '0' and cur and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'v', ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 1`;

/**
 * One change applied where the fleet holds its state (no PostgreSQL): atomic, versioned. Returns
 * {the scope's halt before it (or false), the hash after it}, or nil when Redis holds no state
 * (lost or never written: the caller writes its own first, then tries again). A resume of a scope
 * not halted changes nothing.
 */
const APPLY = `
if not redis.call('HGET', KEYS[1], 'v') then return nil end
local old = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[1] == 'halt' then
  redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
elseif redis.call('HDEL', KEYS[1], ARGV[2]) == 0 then
  return {false, redis.call('HGETALL', KEYS[1])}
end
redis.call('HINCRBY', KEYS[1], 'v', 1)
return {old, redis.call('HGETALL', KEYS[1])}`;

function fieldOf(scope: string): string {
  return `h:${scope}`;
}

function parseHaltText(text: string): Halt | null {
  try {
    return parseHalt(JSON.parse(text));
  } catch {
    return null;
  }
}

/** The hash as HGETALL gives it (a flat list or an object), or null when it holds no state. */
export function stateFromHash(hash: Record<string, string> | string[] | null): HaltState | null {
  if (hash === null) return null;
  const entries: Array<[string, string]> = Array.isArray(hash)
    ? Array.from({ length: Math.floor(hash.length / 2) }, (_, i): [string, string] => [
        hash[2 * i] ?? '',
        hash[2 * i + 1] ?? '',
      ])
    : Object.entries(hash);
  const map = new Map(entries);
  const v = map.get('v');
  if (v === undefined || !/^\d+$/.test(v)) return null;
  const halts: Halt[] = [];
  for (const [field, value] of map) {
    // A field that is not a halt (another writer of the key space) is left out, never guessed.
    const halt = field.startsWith('h:') ? parseHaltText(value) : null;
    if (halt !== null) halts.push(halt);
  }
  return { version: Number(v), halts: sortHalts(halts) };
}

/** A published state, or null when the message is not one. */
export function stateFromMessage(text: string): HaltState | null {
  try {
    return parseState(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * The fleet's copy of the halts in Redis and its notifications. Commands go through the gateway's
 * one connection (they fail fast while Redis is away); the subscription has its own connection,
 * which ioredis re-subscribes after every reconnect.
 */
export class HaltFleet {
  private subscriber: Redis | null = null;

  constructor(private readonly redis: Redis) {}

  /** Listens for published states; `ready` runs after every (re)connection of the subscription, when messages may have been missed. */
  listen(onState: (state: HaltState) => void, ready: () => void, onError: (e: Error) => void): void {
    const sub = this.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, lazyConnect: false });
    this.subscriber = sub;
    sub.on('error', onError);
    sub.on('ready', ready);
    sub.on('message', (channel: string, text: string) => {
      if (channel !== HALTS_CHANNEL) return;
      const state = stateFromMessage(text);
      if (state !== null) onState(state);
    });
    sub.subscribe(HALTS_CHANNEL).catch((e: unknown) => onError(e instanceof Error ? e : new Error(String(e))));
  }

  async read(): Promise<HaltState | null> {
    return stateFromHash(await this.redis.hgetall(HALTS_KEY));
  }

  /**
   * Writes the state unless Redis holds this version or a newer one (`force`: whatever it holds),
   * then tells every instance (each takes it only when newer than its own). True when written.
   */
  async publish(state: HaltState, options: { force?: boolean } = {}): Promise<boolean> {
    const fields = state.halts.flatMap((h) => [fieldOf(h.scope), JSON.stringify(h)]);
    const written =
      (await this.redis.eval(
        REPLACE,
        1,
        HALTS_KEY,
        String(state.version),
        options.force === true ? '1' : '0',
        ...fields,
      )) === 1;
    await this.redis.publish(HALTS_CHANNEL, JSON.stringify(state));
    return written;
  }

  /**
   * Makes the change in Redis (the fleet's authority without PostgreSQL) and tells every instance.
   * `seed`: this instance's state, written first when Redis holds none.
   */
  async apply(change: HaltChange, seed: HaltState): Promise<Applied> {
    const args =
      change.op === 'halt'
        ? ['halt', fieldOf(change.halt.scope), JSON.stringify(change.halt)]
        : ['resume', fieldOf(change.scope), ''];
    let raw = await this.redis.eval(APPLY, 1, HALTS_KEY, ...args);
    if (raw === null) {
      await this.publish(seed);
      raw = await this.redis.eval(APPLY, 1, HALTS_KEY, ...args);
    }
    const [old, hash] = Array.isArray(raw) ? (raw as unknown[]) : [];
    const state = stateFromHash(Array.isArray(hash) ? hash.map(String) : null);
    if (state === null) throw new Error('Redis holds no trading halt state after the change');
    await this.redis.publish(HALTS_CHANNEL, JSON.stringify(state));
    return { state, previous: typeof old === 'string' ? parseHaltText(old) : null };
  }

  close(): void {
    this.subscriber?.disconnect();
    this.subscriber = null;
  }
}
