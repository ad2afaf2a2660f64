import { z } from 'zod';
import { flag, int, url } from './fields.js';

/** Streams: Alpaca's stream host and plan, the clients' caps and queues, upstream socket handling. */
export const streamsSection = z
  .object({
    /** Alpaca's market-data stream host; `/v2/{feed}` and `/v1beta1/{options feed}` are appended. */
    APCA_API_STREAM_URL: url('wss://stream.data.alpaca.markets', ['ws', 'wss']),
    /** Symbols the plan lets one stream connection hold (Basic/IEX: 30), over all channels of an endpoint. */
    ALPACA_STREAM_MAX_SYMBOLS: int(30, 1, 100000),
    /** Client connections (WebSocket and SSE together) one principal may hold on one instance. */
    STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: int(10, 1, 100000),
    /** Symbols (over all channels) one client connection may subscribe to. */
    STREAM_MAX_SYMBOLS_PER_CONNECTION: int(100, 1, 100000),
    /** A client's send queue: past either bound, messages are dropped and counted (a `dropped` message follows). */
    STREAM_CLIENT_QUEUE_MESSAGES: int(1000, 1, 1000000),
    STREAM_CLIENT_QUEUE_BYTES: int(1048576, 1024, 268435456),
    /** A client that keeps overflowing this long is closed with 4408. */
    STREAM_SLOW_CLIENT_CLOSE_MS: int(10000, 100, 600000),
    /**
     * With REDIS_URL: while Redis is unreachable, each instance opens its own upstream socket (true)
     * instead of telling its clients UPSTREAM_STREAM_UNAVAILABLE until Redis returns (false). On one
     * Alpaca account all but one such socket get 406, so only one instance's clients are served.
     */
    STREAM_FALLBACK_LOCAL: flag(false),
    /** A WebSocket client without credentials on the upgrade must send an auth frame within this long (then 4401). */
    STREAM_AUTH_TIMEOUT_MS: int(10000, 100, 600000),
    /**
     * WebSocket sockets one client address may hold before they authenticate; another one from that
     * address is closed at once (1008, RATE_LIMIT_EXCEEDED) until one authenticates or leaves.
     */
    STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS: int(20, 1, 100000),
    /**
     * Alpaca's account stream (`trade_updates` at APCA_API_BASE_URL's `/stream`), one socket for the
     * fleet, held at all times so that every fill, cancel, expiry, replace and rejection reaches the
     * audit trail and the `orders` channel. false: no such socket, the `orders` channel answers
     * UPSTREAM_STREAM_UNAVAILABLE and order events are not audited.
     */
    ALPACA_TRADE_UPDATES: flag(true),
    /** How long an upstream socket stays open after its last subscriber left (a quick resubscribe reuses it). */
    STREAM_UPSTREAM_LINGER_MS: int(5000, 0, 600000),
    /**
     * Client frames (auth, subscribe, unsubscribe, bad ones) one principal may send per second over
     * all its stream connections, in bursts of twice this; past it each frame is refused
     * (RATE_LIMIT_EXCEEDED), and a connection refused more than 10 times without a second's pause is
     * closed with 4429.
     */
    STREAM_CLIENT_FRAMES_PER_SECOND: int(20, 1, 1000000),
    /**
     * Upstream subscription changes are collected this long, then Alpaca is sent only the net
     * difference (at most one unsubscribe and one subscribe per window), whatever clients churn.
     */
    STREAM_UPSTREAM_COALESCE_MS: int(100, 0, 10000),
  })
  .transform((v) => ({
    stream: {
      /** Alpaca's stream host (wss://…), no trailing slash. */
      url: v.APCA_API_STREAM_URL.replace(/\/+$/, ''),
      maxUpstreamSymbols: v.ALPACA_STREAM_MAX_SYMBOLS,
      maxConnectionsPerPrincipal: v.STREAM_MAX_CONNECTIONS_PER_PRINCIPAL,
      maxSymbolsPerConnection: v.STREAM_MAX_SYMBOLS_PER_CONNECTION,
      clientQueueMessages: v.STREAM_CLIENT_QUEUE_MESSAGES,
      clientQueueBytes: v.STREAM_CLIENT_QUEUE_BYTES,
      slowClientCloseMs: v.STREAM_SLOW_CLIENT_CLOSE_MS,
      upstreamLingerMs: v.STREAM_UPSTREAM_LINGER_MS,
      upstreamCoalesceMs: v.STREAM_UPSTREAM_COALESCE_MS,
      clientFramesPerSecond: v.STREAM_CLIENT_FRAMES_PER_SECOND,
      authTimeoutMs: v.STREAM_AUTH_TIMEOUT_MS,
      maxUnauthenticatedPerAddress: v.STREAM_MAX_UNAUTHENTICATED_PER_ADDRESS,
      fallbackLocal: v.STREAM_FALLBACK_LOCAL,
      tradeUpdates: v.ALPACA_TRADE_UPDATES,
    },
  }));
