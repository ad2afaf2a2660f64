/**
 * One loopback HTTP listener that remembers its sockets, so stop() can end keep-alive and hung
 * connections at once instead of waiting for clients to let go. An optional upgrade hook takes
 * WebSocket handshakes (the data host's market-data streams); plain HTTP is unaffected by it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

const LOOPBACK = '127.0.0.1';

export class Listener {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private boundPort: number | undefined;

  constructor(
    private readonly name: string,
    private readonly onRequest: (request: IncomingMessage, response: ServerResponse) => void,
    private readonly onUpgrade?: UpgradeHandler,
  ) {}

  async start(port: number): Promise<void> {
    if (this.server !== undefined) throw new Error(`${this.name} listener already started`);
    const server = createServer(this.onRequest);
    if (this.onUpgrade !== undefined) server.on('upgrade', this.onUpgrade);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LOOPBACK, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address: AddressInfo | string | null = server.address();
    if (address === null || typeof address === 'string') throw new Error(`${this.name} listener has no TCP address`);
    this.server = server;
    this.boundPort = address.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    this.boundPort = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error === undefined ? resolve() : reject(error))),
    );
  }

  get url(): string {
    if (this.boundPort === undefined) throw new Error(`${this.name} listener is not started`);
    return `http://${LOOPBACK}:${this.boundPort}`;
  }
}
