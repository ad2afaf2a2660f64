import type { IncomingMessage } from 'node:http';
import { OnGatewayConnection, OnGatewayDisconnect, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { MAX_CLIENT_FRAME_BYTES } from '../../streams/stream-protocol.js';
import { MarketDataFace } from './market-data-face.service.js';
import { TradeUpdatesFace } from './trade-updates-face.service.js';

/*
 * The face's WebSocket paths, one gateway per path family. A decorator's path is fixed, and the
 * stock and options feeds are configuration, so a gateway takes its whole family (`/v2/*`, the
 * StreamWsAdapter routes `/*` paths) and MarketDataFace serves the configured feed of it and
 * answers any other one in Alpaca's words. All share the ws adapter of /api/v1/stream (its origin
 * check, its HTTP server); the gateways only hand sockets to the services.
 */
const WS_OPTIONS = { maxPayload: MAX_CLIENT_FRAME_BYTES, perMessageDeflate: false } as const;

/** `/v2/{feed}`: stocks (the configured ALPACA_STOCK_FEED; iex, sip, delayed_sip, test otherwise refused). */
@WebSocketGateway({ path: '/v2/*', ...WS_OPTIONS })
export class StocksFaceGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  constructor(private readonly face: MarketDataFace) {}

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    this.face.connect(socket, req, 'stocks');
  }

  handleDisconnect(socket: WebSocket): void {
    this.face.disconnect(socket);
  }
}

/** `/v1beta1/{feed}`: options (the configured ALPACA_OPTIONS_FEED); news, boats, overnight and the other options feed refused. */
@WebSocketGateway({ path: '/v1beta1/*', ...WS_OPTIONS })
export class OptionsFaceGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  constructor(private readonly face: MarketDataFace) {}

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    this.face.connect(socket, req, 'options');
  }

  handleDisconnect(socket: WebSocket): void {
    this.face.disconnect(socket);
  }
}

/** `/v1beta3/crypto/{loc}`: the gateway carries no crypto; refused in Alpaca's words rather than a bare 404. */
@WebSocketGateway({ path: '/v1beta3/*', ...WS_OPTIONS })
export class CryptoFaceGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  constructor(private readonly face: MarketDataFace) {}

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    this.face.connect(socket, req, 'crypto');
  }

  handleDisconnect(socket: WebSocket): void {
    this.face.disconnect(socket);
  }
}

/** `/stream`: the trading stream (trade_updates). */
@WebSocketGateway({ path: '/stream', ...WS_OPTIONS })
export class TradeUpdatesFaceGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  constructor(private readonly face: TradeUpdatesFace) {}

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    this.face.connect(socket, req);
  }

  handleDisconnect(socket: WebSocket): void {
    this.face.disconnect(socket);
  }
}
