import type { IncomingMessage } from 'node:http';
import { Injectable } from '@nestjs/common';
import type { RawData, WebSocket } from 'ws';
import { toBuffer } from '../../alpaca/stream/stream-wire.js';
import type { PresentedCredentials } from '../../auth/tokens/credential-verifier.service.js';
import { AppConfig } from '../../core/config/app-config.js';
import { AppError } from '../../core/errors/app-error.js';
import { grants } from '../../core/identity/roles.js';
import { WinstonLogger } from '../../core/logging/winston-logger.js';
import { ORDERS_PERMISSION } from '../../streams/orders/order-channel.js';
import { StreamAccess } from '../../streams/stream-access.service.js';
import { StreamFrameLimiter } from '../../streams/stream-frame-limiter.js';
import { StreamHub } from '../../streams/hub/stream-hub.service.js';
import { CLOSE_CODES, OutboundFrame } from '../../streams/stream-protocol.js';
import { ALPACA_ERRORS, alpacaErrorOfAppError, alpacaMessage } from './alpaca-stream-protocol.js';
import { TRADE_UPDATES_JSON, tradeStreamError, UNAUTHORIZED } from './alpaca-stream-render.js';
import { FaceConnection } from './face-connection.js';
import { TradeUpdatesSink } from './face-sinks.js';
import { isRecord } from '../../core/validation/is-record.js';

/** The one stream the trading socket has. */
const TRADE_UPDATES = 'trade_updates';
const AUTHORIZED = alpacaMessage({ stream: 'authorization', data: { status: 'authorized', action: 'authenticate' } });
const UNAUTHORIZED_MESSAGE = alpacaMessage(UNAUTHORIZED);
const UNAUTHORIZED_LISTEN = alpacaMessage({
  stream: 'authorization',
  data: { status: 'unauthorized', action: 'listen' },
});

function errorMessage(text: string): ReturnType<typeof alpacaMessage> {
  return alpacaMessage(tradeStreamError(text));
}

type TradeAction =
  | { action: 'authenticate'; credentials: PresentedCredentials | null }
  | { action: 'listen'; streams: string[] }
  | { action: 'invalid' };

/**
 * A frame of the trading stream: JSON in a text frame or, as Alpaca's paper host sends its own, a
 * binary one. `authenticate` carries `key_id` + `secret_key` (a gateway key id and key), or
 * `oauth_token` (a gateway token), as Alpaca's clients send them.
 */
export function parseTradeFrame(bytes: Buffer): TradeAction {
  let frame: unknown;
  try {
    frame = JSON.parse(bytes.toString('utf8'));
  } catch {
    return { action: 'invalid' };
  }
  if (!isRecord(frame) || !isRecord(frame['data'])) return { action: 'invalid' };
  const data = frame['data'];
  if (frame['action'] === 'authenticate') {
    const { key_id: keyId, secret_key: secret, oauth_token: token } = data;
    if (typeof keyId === 'string' && typeof secret === 'string')
      return { action: 'authenticate', credentials: { apiKey: secret, keyId } };
    if (typeof token === 'string') return { action: 'authenticate', credentials: { token } };
    return { action: 'authenticate', credentials: null };
  }
  if (frame['action'] === 'listen') {
    const streams = data['streams'];
    if (!Array.isArray(streams) || !streams.every((s): s is string => typeof s === 'string'))
      return { action: 'invalid' };
    return { action: 'listen', streams };
  }
  return { action: 'invalid' };
}

/**
 * Alpaca's trading stream (`/stream`) on the gateway: authenticate, listen to `trade_updates`, then
 * the account's order events from the fleet's one trading socket (the hub's `orders` channel), one
 * JSON object per text frame. Trader and admin only (the orders channel's permission): any other
 * role is `unauthorized`, like a bad key, and the socket is closed.
 */
@Injectable()
export class TradeUpdatesFace {
  private readonly connections = new WeakMap<WebSocket, FaceConnection>();

  constructor(
    private readonly hub: StreamHub,
    private readonly access: StreamAccess,
    private readonly frames: StreamFrameLimiter,
    private readonly logger: WinstonLogger,
    private readonly config: AppConfig,
  ) {}

  connect(socket: WebSocket, req: IncomingMessage): void {
    const path = new URL(req.url ?? '/', 'ws://upgrade.invalid').pathname;
    const sink = new TradeUpdatesSink(socket, TRADE_UPDATES_JSON);
    const client = this.access.clientAddress(req);
    if (!this.access.admitUnauthenticated(client)) {
      sink.send(OutboundFrame.of(errorMessage(ALPACA_ERRORS.connectionLimit.msg)), () => undefined);
      sink.close(CLOSE_CODES.policy, 'too many unauthenticated connections');
      return;
    }
    const session = this.hub.open(sink, client);
    // Alpaca's trading stream is one account's: the upgrade's X-Alpaca-Account, else the key's first.
    session.accountHeader = this.access.accountHeader(req);
    session.oneAccount = true;
    const connection = new FaceConnection(session, path, this.access, (e) => this.failed(e));
    this.connections.set(socket, connection);
    socket.on('message', (data: RawData) => connection.enqueue(() => this.onFrame(connection, toBuffer(data))));
    // No greeting on this stream: the client speaks first (docs/alpaca-wire.md "Trade-updates stream").
    connection.authTimer = setTimeout(() => {
      if (connection.authenticated || session.closed) return;
      this.refuse(connection, UNAUTHORIZED_MESSAGE, CLOSE_CODES.authentication, 'authentication timeout');
    }, this.config.stream.authTimeoutMs);
    connection.authTimer.unref();
  }

  disconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    connection.settled();
    this.hub.close(connection.session);
  }

  private async onFrame(connection: FaceConnection, bytes: Buffer): Promise<void> {
    const { session } = connection;
    if (session.closed) return;
    if (!this.frames.admit(session, () => session.control(errorMessage(ALPACA_ERRORS.rateLimited.msg)))) return;
    const action = parseTradeFrame(bytes);
    if (action.action === 'invalid') {
      if (connection.authenticated || connection.errorsBeforeAuth++ === 0)
        session.control(errorMessage(ALPACA_ERRORS.invalidSyntax.msg));
      return;
    }
    if (action.action === 'authenticate') return this.authenticate(connection, action.credentials);
    if (!connection.authenticated) {
      if (connection.errorsBeforeAuth++ === 0) session.control(UNAUTHORIZED_LISTEN);
      return;
    }
    // The list replaces the set (docs/alpaca-wire.md "Trade-updates stream"); names other than trade_updates are left out of the ack.
    const listening = action.streams.includes(TRADE_UPDATES);
    try {
      if (listening) this.hub.subscribe(session, {}, true);
      else this.hub.unsubscribe(session, {}, true);
    } catch (e: unknown) {
      if (!(e instanceof AppError)) this.failed(e);
      session.control(errorMessage(e instanceof AppError ? e.message : ALPACA_ERRORS.internal.msg));
      return;
    }
    session.control(alpacaMessage({ stream: 'listening', data: { streams: listening ? [TRADE_UPDATES] : [] } }));
  }

  private async authenticate(connection: FaceConnection, credentials: PresentedCredentials | null): Promise<void> {
    const { session } = connection;
    if (credentials === null)
      return this.refuse(connection, UNAUTHORIZED_MESSAGE, CLOSE_CODES.authentication, 'no credentials');
    const refused = await this.access.bind(session, credentials, {
      route: `WS ${connection.path}`,
      path: connection.path,
      requestId: connection.requestId,
    });
    if (session.closed) return;
    if (refused !== null) {
      const error = alpacaErrorOfAppError(refused);
      if (error === ALPACA_ERRORS.connectionLimit)
        return this.refuse(connection, errorMessage(error.msg), CLOSE_CODES.policy, error.msg);
      if (error === ALPACA_ERRORS.internal)
        this.logger.event('error', 'alpaca_stream_auth_failed', { code: refused.code });
      return this.refuse(connection, UNAUTHORIZED_MESSAGE, CLOSE_CODES.authentication, refused.code);
    }
    // Authenticated, but following the account's orders takes trading:read (trader, admin).
    if (session.principal === null || !grants(session.principal.roles, ORDERS_PERMISSION)) {
      return this.refuse(
        connection,
        UNAUTHORIZED_MESSAGE,
        CLOSE_CODES.authentication,
        `the role needs ${ORDERS_PERMISSION}`,
      );
    }
    connection.settled();
    session.control(AUTHORIZED);
  }

  private refuse(
    connection: FaceConnection,
    message: ReturnType<typeof alpacaMessage>,
    code: number,
    reason: string,
  ): void {
    connection.session.control(message);
    connection.session.close(code, reason);
    connection.settled();
  }

  private failed(e: unknown): void {
    this.logger.event('error', 'alpaca_stream_frame_failed', { error: e instanceof Error ? e.message : String(e) });
  }
}
