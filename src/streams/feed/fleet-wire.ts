import { z } from 'zod';
import type { UpstreamStreamProblem, UpstreamStreamStatus } from '../../alpaca/stream/market-stream.port.js';
import type { FeedData, FeedStream, StatusInfo } from './stream-feed.js';

/*
 * What instances of a fleet write to Redis for each other: the lease and wants keys, the relay
 * channel and the JSON on it. Read back through zod: a message of another version, or garbage
 * someone published, is dropped instead of reaching the hub as a trusted object.
 */

const PREFIX = 'opitios:stream:';

export const fleetKeys = {
  lease: (e: FeedStream): string => `${PREFIX}{${e}}:leader`,
  wants: (e: FeedStream): string => `${PREFIX}{${e}}:wants`,
  channel: (e: FeedStream): string => `${PREFIX}${e}:relay`,
};

/** An instance's wanted symbols per channel, as stored in the wants hash. */
export type Wanted = Partial<Record<string, string[]>>;
export interface WantsEntry {
  at: number;
  wanted: Wanted;
}

export type Relay =
  | { kind: 'data'; leader: string; receivedAt: string; messages: FeedData[] }
  | { kind: 'status'; leader: string; status: UpstreamStreamStatus; info: StatusInfo }
  | { kind: 'refused'; leader: string; problem: UpstreamStreamProblem }
  | { kind: 'wants'; from: string };

const STATUSES = [
  'connecting',
  'live',
  'reconnecting',
  'failed',
  'closed',
] as const satisfies readonly UpstreamStreamStatus[];
const PROBLEM_CODES = [
  'UPSTREAM_STREAM_UNAVAILABLE',
  'UPSTREAM_SUBSCRIPTION_REQUIRED',
  'UPSTREAM_AUTHENTICATION_FAILED',
  'STREAM_SYMBOL_LIMIT',
  'UPSTREAM_INVALID_RESPONSE',
] as const satisfies ReadonlyArray<UpstreamStreamProblem['code']>;

const problemSchema = z.object({
  code: z.enum(PROBLEM_CODES),
  message: z.string(),
  details: z
    .object({ upstream_code: z.number().optional(), upstream_message: z.string().optional() })
    .catchall(z.unknown()),
});

/**
 * A relayed message is the leader's own FeedData, already parsed from Alpaca's wire by the
 * adapter: only its envelope is checked here (the fan-out reads `type`, `symbol` and `data`), not
 * every field of every message type on the hot path.
 */
const feedDataSchema = z.custom<FeedData>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    'type' in v &&
    typeof v.type === 'string' &&
    (!('symbol' in v) || typeof v.symbol === 'string' || v.symbol === null) &&
    'data' in v &&
    typeof v.data === 'object' &&
    v.data !== null,
);

const relaySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('data'), leader: z.string(), receivedAt: z.string(), messages: z.array(feedDataSchema) }),
  z.object({
    kind: z.literal('status'),
    leader: z.string(),
    status: z.enum(STATUSES),
    info: z.object({
      gap: z.object({ from: z.string(), to: z.string(), reason: z.string() }).optional(),
      problem: problemSchema.optional(),
    }),
  }),
  z.object({ kind: z.literal('refused'), leader: z.string(), problem: problemSchema }),
  z.object({ kind: z.literal('wants'), from: z.string() }),
]) satisfies z.ZodType<Relay>;

const wantsEntrySchema = z.object({
  at: z.number(),
  wanted: z.record(z.string(), z.array(z.string())),
}) satisfies z.ZodType<WantsEntry>;

function parseJson<T>(schema: z.ZodType<T>, text: string): T | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = schema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** A relay message from the channel, or null when it is not one (not JSON, or not of this shape). */
export function parseRelay(text: string): Relay | null {
  return parseJson(relaySchema, text);
}

/** An instance's entry from the wants hash, or null when it is not one. */
export function parseWantsEntry(text: string): WantsEntry | null {
  return parseJson(wantsEntrySchema, text);
}
