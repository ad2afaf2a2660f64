import { randomUUID } from 'node:crypto';
import { createConnection, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { RedisService } from '../../../src/core/redis/redis.service.js';
import { eventually, startGateway, type Gateway } from '../../e2e/support/harness.js';
import { DisposableRedis, freePort } from '../redis-server.js';

/** Short, so the suite can watch the shared entry expire; long enough for two requests before it does. */
const QUOTE_TTL_S = '2';
const SYMBOL = 'MSFT';
const QUOTE_PATH = `/api/v1/stocks/${SYMBOL}/quote`;

/** One command as MONITOR saw it, with the connection that sent it. */
interface Seen {
  source: string;
  args: string[];
}

/** A MONITOR line: `+<time> [<db> <source>] "<command>" "<arg>" ...` (arguments quoted, escaped). */
const MONITOR_LINE = /^\+\d+\.\d+ \[\d+ (\S+)\] (.*)$/;
const QUOTED = /"((?:[^"\\]|\\.)*)"/g;

/**
 * Every command a private redis-server executes, in order, read from MONITOR over a plain RESP2
 * socket (ioredis 6 loses track of its command queue in monitor mode), so a test can count what
 * one connection sent between two markers instead of trusting the client's own account.
 */
class CommandLog {
  private readonly seen: Seen[] = [];
  private readonly waiters = new Map<string, (index: number) => void>();
  private buffered = '';

  private constructor(
    private readonly monitor: Socket,
    private readonly probe: Redis,
  ) {
    monitor.setEncoding('utf8');
    monitor.on('data', (chunk: string) => {
      const lines = (this.buffered + chunk).split('\r\n');
      this.buffered = lines.pop() ?? '';
      for (const line of lines) this.note(line);
    });
  }

  static async open(port: number): Promise<CommandLog> {
    const monitor = createConnection({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      monitor.once('error', reject);
      monitor.once('data', (first: Buffer) =>
        first.toString('utf8').startsWith('+OK') ? resolve() : reject(new Error(first.toString('utf8'))),
      );
      monitor.write('MONITOR\r\n');
    });
    return new CommandLog(monitor, new Redis({ host: '127.0.0.1', port }));
  }

  private note(line: string): void {
    const match = MONITOR_LINE.exec(line);
    if (match === null) return;
    const args = [...(match[2] ?? '').matchAll(QUOTED)].map((m) => unquote(m[1] ?? ''));
    this.seen.push({ source: match[1] ?? '', args });
    const waiter = args[0]?.toLowerCase() === 'echo' ? this.waiters.get(args[1] ?? '') : undefined;
    if (waiter !== undefined) waiter(this.seen.length - 1);
  }

  /**
   * Sends a marker and resolves once MONITOR has shown it: Redis executes commands one at a time and
   * MONITOR reports them in that order, so everything executed before the marker has been seen.
   */
  async mark(): Promise<number> {
    const marker = `mark-${randomUUID()}`;
    const seenAt = new Promise<number>((resolve) => this.waiters.set(marker, resolve));
    await this.probe.echo(marker);
    return seenAt;
  }

  /** What `source` sent after marker index `from` and before marker index `to`. */
  between(from: number, to: number, source: string): Seen[] {
    return this.seen.slice(from + 1, to).filter((s) => s.source === source);
  }

  async close(): Promise<void> {
    this.monitor.destroy();
    await this.probe.quit();
  }
}

describe('an L2 hit costs one Redis round trip', () => {
  // Left undefined when beforeAll fails part way, so afterAll closes only what was opened.
  let redis: DisposableRedis | undefined;
  let log: CommandLog | undefined;
  let commands: Redis | undefined;
  let subscriber: Redis | undefined;
  let a: Gateway | undefined;
  let b: Gateway | undefined;
  const expired: string[] = [];

  beforeAll(async () => {
    // A private server: its MONITOR shows only these gateways, and the shared Redis is never touched.
    redis = new DisposableRedis(await freePort());
    await redis.start();
    const env = { REDIS_URL: redis.url, CACHE_TTL_QUOTE_OPEN_S: QUOTE_TTL_S, CACHE_TTL_QUOTE_CLOSED_S: QUOTE_TTL_S };
    a = await startGateway(env);
    b = await startGateway(env);
    // Both instances read the same emulator state; only the first must be asked.
    b.emulator.fixtures = a.emulator.fixtures;
    log = await CommandLog.open(redis.port);
    commands = new Redis(redis.url);
    // Redis tells when it has dropped an expired key, which it does only after the key's PX instant.
    await commands.config('SET', 'notify-keyspace-events', 'Ex');
    subscriber = new Redis(redis.url);
    await subscriber.subscribe('__keyevent@0__:expired');
    subscriber.on('message', (_channel: string, key: string) => expired.push(key));
  });

  afterAll(async () => {
    await log?.close();
    await commands?.quit();
    await subscriber?.quit();
    await a?.close();
    await b?.close();
    await redis?.kill();
  });

  it('reads the shared entry once, and its copy in process expires with it', async () => {
    const [gw1, gw2, monitor, redisCommands] = [opened(a), opened(b), opened(log), opened(commands)];
    const first = await gw1.http().get(QUOTE_PATH).expect(200);
    expect(first.body.metadata.cache.status).toBe('MISS');
    const stored = await redisCommands.keys(`opitios:cache:*quote*${SYMBOL}`);
    expect(stored).toHaveLength(1);
    const entryKey = stored[0] ?? '';

    // The connection instance 2 sends its commands on, as Redis names it in MONITOR.
    const client = gw2.app.get(RedisService).client();
    if (client === null) throw new Error('instance 2 has no Redis client');
    const info = String(await client.call('CLIENT', 'INFO'));
    const source = /\baddr=(\S+)/.exec(info)?.[1] ?? '';
    expect(source).toMatch(/^127\.0\.0\.1:\d+$/);

    // Instance 2 has never seen the quote: an L1 miss, answered from L2.
    const before = await monitor.mark();
    const hit = await gw2.http().get(QUOTE_PATH).expect(200);
    const after = await monitor.mark();
    expect(hit.body.metadata.cache.status).toBe('HIT');
    expect(hit.body.data).toEqual(first.body.data);
    expect(gw2.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(0);
    const cacheCommands = monitor
      .between(before, after, source)
      .filter((s) => s.args.some((x) => x.startsWith('opitios:cache:')));
    expect(cacheCommands.map(({ args: [command = '', ...rest] }) => [command.toLowerCase(), ...rest])).toEqual([
      ['get', entryKey],
    ]);

    // The copy is now in process: the next lookup does not go to Redis at all.
    const from = await monitor.mark();
    const local = await gw2.http().get(QUOTE_PATH).expect(200);
    const to = await monitor.mark();
    expect(local.body.metadata.cache.status).toBe('HIT');
    expect(monitor.between(from, to, source).filter((s) => s.args.some((x) => x.startsWith('opitios:cache:')))).toEqual(
      [],
    );

    // Once Redis has expired the shared entry, the copy in process is gone too.
    await eventually(() => expect(expired).toContain(entryKey), 10_000);
    const gone = await gw2.http().get(QUOTE_PATH).expect(200);
    expect(gone.body.metadata.cache.status).toBe('MISS');
    expect(gw2.emulator.requestsTo('/v2/stocks/quotes/latest')).toHaveLength(1);
  }, 20_000);
});

/** An argument as MONITOR escapes it (sdscatrepr: \\n, \\r, \\t, \\a, \\b, \\xHH, \\", \\\\), back to its text. */
function unquote(text: string): string {
  const named: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b' };
  return text.replace(/\\(x[0-9a-f]{2}|.)/g, (_all, e: string) =>
    e.length === 3 ? String.fromCharCode(parseInt(e.slice(1), 16)) : (named[e] ?? e),
  );
}

/** What beforeAll opened; it fails the test (not the cleanup) when beforeAll did not get that far. */
function opened<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('the suite did not start');
  return value;
}
