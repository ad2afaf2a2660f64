import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { RawData, WebSocket } from 'ws';
import type { StreamEndpoint } from '../../alpaca/stream/market-stream.port.js';
import { toBuffer } from '../../alpaca/stream/stream-wire.js';
import type { PresentedCredentials } from '../../auth/tokens/credential-verifier.service.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { StreamAccess } from '../../streams/stream-access.service.js';
import { StreamFrameLimiter } from '../../streams/stream-frame-limiter.js';
import { StreamHub } from '../../streams/hub/stream-hub.service.js';
import { CLOSE_CODES, OutboundFrame, type OutboundMessage } from '../../streams/stream-protocol.js';
import {
  ALPACA_ERRORS,
  alpacaError,
  alpacaErrorOfAppError,
  AUTHENTICATED,
  CONNECTED,
  decodeClientFrame,
  parseFaceFrame,
  subscriptionAck,
  type AlpacaError,
} from './alpaca-stream-protocol.js';
import { ALPACA_JSON, ALPACA_MSGPACK } from './alpaca-stream-render.js';
import { FaceConnection } from './face-connection.js';
import { MarketDataSink } from './face-sinks.js';

/** The path families the face's gateways take (one `@WebSocketGateway` each). */
export type MarketDataFamily = 'stocks' | 'options' | 'crypto';

const MSGPACK = /^application\/msgpack\b/i;

/** Credentials on the upgrade, Alpaca's way (`APCA-API-KEY-ID` + `APCA-API-SECRET-KEY`) or a gateway token; null when none. */
export function upgradeCredentials(req: IncomingMessage): PresentedCredentials | null {
  const keyId = req.headers['apca-api-key-id'];
  const secret = req.headers['apca-api-secret-key'];
  if (typeof keyId === 'string' && typeof secret === 'string') return { apiKey: secret, keyId };
  const authorization = req.headers['authorization'];
  if (typeof authorization === 'string') return { token: /^Bearer\s+(\S+)$/i.exec(authorization)?.[1] ?? '' };
  return null;
}

class MarketDataConnection extends FaceConnection {
  /** The hub endpoint served, or null: a feed or stream the gateway does not carry (409 at auth). */
  endpoint: StreamEndpoint | null = null;
}

/**
 * Alpaca's market-data streams on the gateway (docs/alpaca-compat-streams.md): `/v2/{feed}` for the
 * configured stock feed and `/v1beta1/{feed}` for the configured options feed, each a session of
 * the one StreamHub, so every face client rides the fleet's one upstream socket per endpoint and
 * gets only its own symbols. Only translates: Alpaca's frames in, the hub's frames out in Alpaca's
 * format (MarketDataSink), refusals as Alpaca's error codes. Another feed of those families, or a
 * crypto stream, greets and then answers the auth with Alpaca's 409 `insufficient subscription`
 * (what Alpaca says of a feed the plan lacks), never an empty success.
 */
@Injectable()
export class MarketDataFace {
  private readonly connections = new WeakMap<WebSocket, MarketDataConnection>();

  constructor(
    private readonly hub: StreamHub,
    private readonly access: StreamAccess,
    private readonly frames: StreamFrameLimiter,
    private readonly logger: WinstonLogger,
    private readonly config: AppConfig,
  ) {}

  /** The endpoint a path serves (the configured feed of its family), or null. */
  servedEndpoint(family: MarketDataFamily, path: string): StreamEndpoint | null {
    if (family === 'stocks' && path === `/v2/${this.config.alpaca.stockFeed}`) return 'stocks';
    if (family === 'options' && path === `/v1beta1/${this.config.alpaca.optionsFeed}`) return 'options';
    return null;
  }

  connect(socket: WebSocket, req: IncomingMessage, family: MarketDataFamily): void {
    const path = new URL(req.url ?? '/', 'ws://upgrade.invalid').pathname;
    const endpoint = this.servedEndpoint(family, path);
    const contentType = req.headers['content-type'];
    const msgpack = typeof contentType === 'string' && MSGPACK.test(contentType);
    const renderer = msgpack ? ALPACA_MSGPACK : ALPACA_JSON;
    const sink = new MarketDataSink(socket, renderer, msgpack);
    const client = this.access.clientAddress(req);
    if (!this.access.admitUnauthenticated(client)) {
      // Refused before it costs a session (the same per-address count as /api/v1/stream).
      sink.send(OutboundFrame.of(alpacaError(ALPACA_ERRORS.connectionLimit)), () => undefined);
      sink.close(CLOSE_CODES.policy, 'too many unauthenticated connections');
      return;
    }
    const session = this.hub.open(sink, client);
    // A change the client did not ask for (the fleet's plan limit) is followed by Alpaca's ack, not ours.
    if (endpoint !== null) session.subscriptionReply = () => subscriptionAck(endpoint, session.subscription);
    const connection = new MarketDataConnection(session, path, this.access, (e) => this.failed(e));
    connection.endpoint = endpoint;
    this.connections.set(socket, connection);
    socket.on('message', (data: RawData, isBinary: boolean) =>
      connection.enqueue(() => this.onFrame(connection, toBuffer(data), isBinary)),
    );
    session.control(CONNECTED);
    if (endpoint === 'options' && !msgpack) {
      // Alpaca serves options in msgpack only (docs/alpaca-wire.md "Options stream").
      this.refuse(connection, ALPACA_ERRORS.msgpackOnly, CLOSE_CODES.policy);
      return;
    }
    const credentials = upgradeCredentials(req);
    if (credentials !== null) connection.enqueue(() => this.authenticate(connection, credentials));
    const timeoutMs = this.config.stream.authTimeoutMs;
    connection.authTimer = setTimeout(() => {
      if (connection.authenticated || session.closed) return;
      this.refuse(connection, ALPACA_ERRORS.authTimeout, CLOSE_CODES.authentication);
    }, timeoutMs);
    connection.authTimer.unref();
  }

  disconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    connection.settled();
    this.hub.close(connection.session);
  }

  private async onFrame(connection: MarketDataConnection, bytes: Buffer, isBinary: boolean): Promise<void> {
    const { session } = connection;
    if (session.closed) return;
    if (!this.frames.admit(session, () => this.reply(connection, alpacaError(ALPACA_ERRORS.rateLimited)))) return;
    const action = parseFaceFrame(decodeClientFrame(bytes, isBinary), connection.endpoint ?? 'stocks');
    if (action.action === 'error') return this.reply(connection, alpacaError(action.error));
    if (action.action === 'auth') {
      if (connection.authenticated) return this.reply(connection, alpacaError(ALPACA_ERRORS.alreadyAuthenticated));
      return this.authenticate(connection, { apiKey: action.secret, keyId: action.key });
    }
    if (!connection.authenticated || connection.endpoint === null)
      return this.reply(connection, alpacaError(ALPACA_ERRORS.notAuthenticated));
    try {
      if (action.action === 'subscribe') this.hub.subscribe(session, action.lists);
      else this.hub.unsubscribe(session, action.lists);
    } catch (e: unknown) {
      if (!(e instanceof AppError))
        this.logger.event('error', 'alpaca_stream_frame_failed', { error: e instanceof Error ? e.message : String(e) });
      return this.reply(
        connection,
        alpacaError(e instanceof AppError ? alpacaErrorOfAppError(e) : ALPACA_ERRORS.internal),
      );
    }
    session.control(subscriptionAck(connection.endpoint, session.subscription));
  }

  private async authenticate(connection: MarketDataConnection, credentials: PresentedCredentials): Promise<void> {
    const { session } = connection;
    if (session.closed) return;
    if (connection.endpoint === null) {
      // Nothing is served here: Alpaca's answer for a feed outside the plan, and the socket is let go.
      return this.refuse(connection, ALPACA_ERRORS.insufficientSubscription, CLOSE_CODES.policy);
    }
    const refused = await this.access.bind(session, credentials, {
      route: `WS ${connection.path}`,
      path: connection.path,
      requestId: connection.requestId,
    });
    if (session.closed) return;
    if (refused !== null) {
      const error = alpacaErrorOfAppError(refused);
      if (error === ALPACA_ERRORS.internal)
        this.logger.event('error', 'alpaca_stream_auth_failed', { code: refused.code });
      return this.refuse(
        connection,
        error,
        error === ALPACA_ERRORS.connectionLimit ? CLOSE_CODES.policy : CLOSE_CODES.authentication,
      );
    }
    connection.settled();
    session.control(AUTHENTICATED);
  }

  /** Alpaca's error, then the close: the refusals after which the socket serves nothing. */
  private refuse(connection: MarketDataConnection, error: AlpacaError, code: number): void {
    connection.session.control(alpacaError(error));
    connection.session.close(code, error.msg);
    // Closed, it no longer holds a place, even if its peer never answers the close frame.
    connection.settled();
  }

  /**
   * An error reply through the bounded queue. Before authentication only the first is sent: an
   * anonymous socket's bad frames cost a parse each, never a reply each (the auth timeout ends it).
   */
  private reply(connection: MarketDataConnection, message: OutboundMessage): void {
    if (!connection.authenticated) {
      if (connection.errorsBeforeAuth >= 1) return;
      connection.errorsBeforeAuth += 1;
    }
    connection.session.control(message);
  }

  private failed(e: unknown): void {
    this.logger.event('error', 'alpaca_stream_frame_failed', { error: e instanceof Error ? e.message : String(e) });
  }
}
