import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket, RawData } from 'ws';
import { AppConfig } from '../core/config/app-config.js';
import { AppError } from '../core/errors/app-error.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { StreamAccess } from './stream-access.service.js';
import { StreamFrameLimiter } from './stream-frame-limiter.js';
import { StreamHub } from './hub/stream-hub.service.js';
import {
  CLOSE_CODES,
  errorMessage,
  MAX_CLIENT_FRAME_BYTES,
  OutboundFrame,
  OutboundMessage,
  parseClientFrame,
  type ClientAction,
} from './stream-protocol.js';
import type { StreamSession, StreamSink } from './hub/stream-session.js';

const OPEN = 1;
const CONNECTED = OutboundMessage.of({ type: 'connected' });

/**
 * A `ws` socket as the hub's sink: each frame's one shared Buffer is written as it is (ws frames
 * a Buffer without copying it; only the few header bytes are per socket).
 */
class WsSink implements StreamSink {
  readonly transport = 'ws';

  constructor(private readonly socket: WebSocket) {}

  send(frame: OutboundFrame, written: () => void): void {
    if (this.socket.readyState !== OPEN) return written();
    this.socket.send(frame.ws(), { binary: false }, written);
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === OPEN) this.socket.close(code, reason.slice(0, 120));
    else this.socket.terminate();
  }
}

interface Connection {
  session: StreamSession;
  requestId: string;
  authTimer: NodeJS.Timeout | null;
  /** Error replies sent while unauthenticated: at most one (an anonymous flood earns no replies). */
  errorsBeforeAuth: number;
  /** Still counted among its address's unauthenticated sockets. */
  waiting: boolean;
}

/**
 * The client WebSocket at /api/v1/stream (docs/contract.md "Streams"). Only translates: frames in are
 * counted (StreamFrameLimiter), parsed and handed to StreamAccess (auth) or StreamHub
 * (subscriptions); what the hub sends goes out through WsSink. Errors are `error` messages; the
 * socket is closed only for authentication (4401), a slow consumer (4408, by the session), frames
 * past the rate (4429), a refused connection (1008) and shutdown (1001).
 */
@WebSocketGateway({ path: '/api/v1/stream', maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false })
export class StreamGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly connections = new WeakMap<WebSocket, Connection>();

  constructor(
    private readonly hub: StreamHub,
    private readonly access: StreamAccess,
    private readonly frames: StreamFrameLimiter,
    private readonly logger: WinstonLogger,
    private readonly config: AppConfig,
  ) {}

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    const client = this.access.clientAddress(req);
    if (!this.access.admitUnauthenticated(client)) {
      const limit = this.config.stream.maxUnauthenticatedPerAddress;
      // Refused before it costs a session: one error, then the close (sockets holding an auth timer each are the cost).
      const sink = new WsSink(socket);
      const refusal = new AppError('RATE_LIMIT_EXCEEDED', {
        message: `At most ${limit} connections per client address may wait unauthenticated; authenticate those first.`,
        details: { reason: 'unauthenticated_connections', limit },
      });
      sink.send(OutboundFrame.of(errorMessage(refusal)), () => undefined);
      sink.close(CLOSE_CODES.policy, 'too many unauthenticated connections');
      return;
    }
    const session = this.hub.open(new WsSink(socket), client);
    session.accountHeader = this.access.accountHeader(req);
    const connection: Connection = {
      session,
      requestId: `ws_${randomUUID().replace(/-/g, '')}`,
      authTimer: null,
      errorsBeforeAuth: 0,
      waiting: true,
    };
    this.connections.set(socket, connection);
    socket.on('message', (data: RawData, isBinary: boolean) => void this.onFrame(connection, data, isBinary));
    session.control(CONNECTED);
    const credentials = this.access.fromHeaders(req);
    if (credentials !== null) {
      void this.authenticate(connection, credentials);
      return;
    }
    // Browsers cannot set headers on an upgrade: they authenticate with a first frame in time.
    const timeoutMs = this.config.stream.authTimeoutMs;
    connection.authTimer = setTimeout(() => {
      if (session.principal !== null) return;
      this.reply(
        connection,
        new AppError('AUTHENTICATION_REQUIRED', {
          message: `No credentials within ${timeoutMs / 1000} s: send an auth frame first.`,
        }),
      );
      session.close(CLOSE_CODES.authentication, 'authentication timeout');
      // Closed, it no longer holds a place, even if its peer never answers the close frame.
      this.stopWaiting(connection);
    }, timeoutMs);
    connection.authTimer.unref();
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.connections.get(socket);
    if (connection === undefined) return;
    if (connection.authTimer !== null) clearTimeout(connection.authTimer);
    this.stopWaiting(connection);
    this.hub.close(connection.session);
  }

  /** The connection no longer counts among its address's unauthenticated sockets (authenticated, or gone). */
  private stopWaiting(connection: Connection): void {
    if (!connection.waiting) return;
    connection.waiting = false;
    this.access.releaseUnauthenticated(connection.session.client);
  }

  private async authenticate(
    connection: Connection,
    credentials: Parameters<StreamAccess['authenticate']>[1],
  ): Promise<void> {
    const refused = await this.access.authenticate(connection.session, credentials, connection.requestId);
    if (connection.session.closed) return;
    if (refused !== null) {
      this.reply(connection, refused);
      const tooMany = refused.details['reason'] === 'stream_connections';
      if (connection.session.principal === null) {
        connection.session.close(tooMany ? CLOSE_CODES.policy : CLOSE_CODES.authentication, refused.code);
        this.stopWaiting(connection);
      }
      return;
    }
    this.stopWaiting(connection);
    if (connection.authTimer !== null) {
      clearTimeout(connection.authTimer);
      connection.authTimer = null;
    }
  }

  private async onFrame(connection: Connection, data: RawData, isBinary: boolean): Promise<void> {
    const { session } = connection;
    // Closed (4401, 4408, 4429…) but the socket not yet gone: frames already read or still arriving do nothing.
    if (session.closed) return;
    if (!this.frames.admit(session, () => this.reply(connection, this.frames.refusal()))) return;
    let action: ClientAction;
    try {
      if (isBinary) throw new AppError('INVALID_PARAMETER', { message: 'Frames are JSON text.' });
      action = parseClientFrame(
        Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'),
      );
    } catch (e: unknown) {
      this.reply(connection, e instanceof AppError ? e : new AppError('INVALID_PARAMETER'));
      return;
    }
    if (action.action === 'auth') {
      await this.authenticate(
        connection,
        action.token === undefined ? { apiKey: action.apiKey } : { token: action.token },
      );
      return;
    }
    if (session.principal === null) {
      this.reply(
        connection,
        new AppError('AUTHENTICATION_REQUIRED', {
          message: 'Authenticate first: an auth frame, or credentials on the upgrade.',
        }),
      );
      return;
    }
    try {
      if (action.action === 'subscribe') this.hub.subscribe(session, action.channels, action.orders === true);
      else this.hub.unsubscribe(session, action.channels, action.orders === true);
      session.control(session.subscriptionMessage());
    } catch (e: unknown) {
      if (!(e instanceof AppError))
        this.logger.event('error', 'stream_frame_failed', { error: e instanceof Error ? e.message : String(e) });
      this.reply(connection, e instanceof AppError ? e : new AppError('INTERNAL_SERVICE_ERROR'));
    }
  }

  /**
   * An error message to the client, through its bounded queue. Before authentication only the
   * first is sent: an anonymous socket's bad frames cost a parse each, never a reply each (it is
   * closed at the auth timeout either way).
   */
  private reply(connection: Connection, error: AppError): void {
    if (connection.session.principal === null) {
      if (connection.errorsBeforeAuth >= 1) return;
      connection.errorsBeforeAuth += 1;
    }
    connection.session.control(errorMessage(error));
  }
}
