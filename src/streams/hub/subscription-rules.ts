import type { StreamEndpoint } from '../../alpaca/stream/market-stream.port.js';
import { AppError } from '../../core/errors/app-error.js';
import type { Principal } from '../../core/identity/principal.js';
import { grants } from '../../core/identity/roles.js';
import {
  CHANNEL_SOURCE,
  errorMessage,
  normalizeChannelSymbols,
  type ChannelLists,
  type ClientChannel,
  type OutboundMessage,
} from '../stream-protocol.js';
import type { StreamSession } from './stream-session.js';

/*
 * What a subscription request must pass before anything changes (all or nothing): its symbols
 * normalized, a permission for each channel, the per-connection limit, and the plan's limit of
 * streamed symbols per endpoint for the whole fleet.
 */

export function normalizeLists(lists: ChannelLists): ChannelLists {
  const out: ChannelLists = {};
  for (const [channel, raw] of Object.entries(lists) as Array<[ClientChannel, string[]]>)
    out[channel] = normalizeChannelSymbols(channel, raw);
  return out;
}

export function checkChannelPermissions(principal: Principal, wanted: ChannelLists): void {
  for (const channel of Object.keys(wanted) as ClientChannel[]) {
    const permission = CHANNEL_SOURCE[channel].permission;
    if (!grants(principal.roles, permission)) {
      throw new AppError('INSUFFICIENT_PERMISSIONS', {
        message: `The ${channel} channel needs the "${permission}" permission.`,
        details: { channel, required_permission: permission, your_roles: principal.roles },
      });
    }
  }
}

export function checkConnectionLimit(session: StreamSession, wanted: ChannelLists, perConnection: number): void {
  const added = new Set<string>();
  for (const [channel, symbols] of Object.entries(wanted) as Array<[ClientChannel, string[]]>) {
    for (const s of symbols) if (!session.subscription[channel].has(s)) added.add(`${channel}:${s}`);
  }
  if (session.symbolCount() + added.size > perConnection) {
    throw new AppError('STREAM_SYMBOL_LIMIT', {
      message: `At most ${perConnection} subscriptions per connection.`,
      details: {
        scope: 'connection',
        limit: perConnection,
        subscribed: session.symbolCount(),
        requested_new: added.size,
      },
    });
  }
}

/** Distinct symbols per endpoint (over its channels) after adding `wanted`, against the plan's limit; `streamed` is what the fleet streams now. */
export function checkPlanLimit(
  wanted: ChannelLists,
  max: number,
  streamed: (endpoint: StreamEndpoint) => Set<string>,
): void {
  for (const endpoint of ['stocks', 'options'] as const) {
    const symbols = streamed(endpoint);
    const before = symbols.size;
    for (const [channel, list] of Object.entries(wanted) as Array<[ClientChannel, string[]]>) {
      if (CHANNEL_SOURCE[channel].endpoint === endpoint) for (const s of list) symbols.add(s);
    }
    if (symbols.size > max && symbols.size > before) {
      throw new AppError('STREAM_SYMBOL_LIMIT', {
        message: `Alpaca's plan allows ${max} streamed symbols on the ${endpoint} stream (for the whole fleet); this would make ${symbols.size}.`,
        details: { scope: 'upstream_plan', stream: endpoint, limit: max, would_be: symbols.size },
      });
    }
  }
}

/** What a client is told when the fleet's union cut symbols it held (another instance took the last places). */
export function planCutMessage(endpoint: StreamEndpoint, max: number, lists: ChannelLists): OutboundMessage {
  const symbols = [...new Set(Object.values(lists).flat())];
  return errorMessage(
    new AppError('STREAM_SYMBOL_LIMIT', {
      message: `Alpaca's plan allows ${max} streamed symbols on the ${endpoint} stream for the whole fleet; another instance took the last places at the same moment, so ${symbols.slice(0, 10).join(', ')} ${symbols.length === 1 ? 'was' : 'were'} unsubscribed.`,
      details: { scope: 'upstream_plan', stream: endpoint, limit: max, unsubscribed: lists },
    }),
  );
}
