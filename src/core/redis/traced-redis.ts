import { Redis, type Command } from 'ioredis';
import { currentScope } from '../telemetry/request-scope.js';
import { ATTR, childSpan, dbSpanFailed, SpanKind } from '../telemetry/spans.js';

type Stream = Parameters<Redis['sendCommand']>[1];

const DEFAULT_HOST = 'localhost';
const DEFAULT_PORT = 6379;

/**
 * Commands that already have a span. ioredis sends a command through `sendCommand` again when it
 * resends it after a reconnect or flushes its offline queue; that is still one command.
 */
const spanned = new WeakSet<Command>();

/**
 * The Redis client when tracing is on (RedisService picks the plain `Redis` when it is off, so
 * then nothing here runs at all): one CLIENT span per command sent while serving a request, a
 * child of that request's server span. Outside a request (boot, the stream relay, timers) the
 * command goes straight through after one AsyncLocalStorage read.
 *
 * `sendCommand` is the one door every command passes: the command methods and `call` (ioredis's
 * Commander builds a Command and calls `this.sendCommand`); each command of a pipeline or
 * MULTI/EXEC, MULTI and EXEC included, when the pipeline is executed (Pipeline.exec hands its
 * queue to the connection's `sendCommand`); EVAL and EVALSHA, also for `defineCommand` scripts
 * (Script.execute sends EVALSHA, and EVAL again after NOSCRIPT, through it). A subclass rather
 * than a patched instance: ioredis's monitor mode replaces and then deletes an own `sendCommand`.
 *
 * The span names the command only: no key, no argument, no reply (keys embed principals).
 */
export class TracedRedis extends Redis {
  override sendCommand(command: Command, stream?: Stream): unknown {
    const scope = currentScope();
    if (scope === undefined || spanned.has(command)) return super.sendCommand(command, stream);
    const asked = command.name;
    const span = childSpan(
      asked.toUpperCase(),
      SpanKind.CLIENT,
      {
        [ATTR.dbSystem]: 'redis',
        [ATTR.dbOperation]: asked.toUpperCase(),
        [ATTR.dbNamespace]: String(this.options.db ?? 0),
        [ATTR.serverAddress]: this.options.host ?? DEFAULT_HOST,
        [ATTR.serverPort]: this.options.port ?? DEFAULT_PORT,
      },
      scope,
    );
    if (span === null) return super.sendCommand(command, stream);
    spanned.add(command);
    let sent: unknown;
    try {
      sent = super.sendCommand(command, stream);
    } catch (e: unknown) {
      dbSpanFailed(span, e, null);
      span.end();
      throw e;
    }
    // A script's command is written as EVAL when this connection has not loaded the script yet.
    if (command.name !== asked) {
      span.updateName(command.name.toUpperCase());
      span.setAttribute(ATTR.dbOperation, command.name.toUpperCase());
    }
    command.promise.then(
      () => span.end(),
      (e: unknown) => {
        dbSpanFailed(span, e, replyErrorCode(e));
        span.end();
      },
    );
    return sent;
  }
}

/** The prefix of an error Redis answered (ERR, WRONGTYPE, NOSCRIPT...); null for a client-side failure. */
function replyErrorCode(e: unknown): string | null {
  if (!(e instanceof Error) || e.name !== 'ReplyError') return null;
  return /^[A-Z]+/.exec(e.message)?.[0] ?? 'ERR';
}
