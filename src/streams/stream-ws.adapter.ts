import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';

type VerifyClient = (
  info: { origin: string; secure: boolean; req: IncomingMessage },
  done: (accept: boolean, code?: number, message?: string) => void,
) => void;

/** `https://App.example.com/` and `https://app.example.com` are one origin. */
function normalizeOrigin(origin: string): string {
  return origin.trim().replace(/\/+$/, '').toLowerCase();
}

/**
 * Whether a WebSocket upgrade's `Origin` may open the stream: any when CORS_ORIGINS is unset or
 * `*`; none given (bots, curl, servers: only browsers send one) always; else only a listed origin.
 * A page elsewhere cannot then ride a browser user's cookies or credentials into the stream
 * (cross-site WebSocket hijacking), the same rule CORS applies to the REST routes.
 */
export function upgradeOriginAllowed(origin: string | undefined, allowed: readonly string[]): boolean {
  if (allowed.length === 0 || allowed.includes('*')) return true;
  if (origin === undefined || origin === '') return true;
  const wanted = normalizeOrigin(origin);
  return allowed.some((o) => normalizeOrigin(o) === wanted);
}

/** A WebSocket server as the adapter registers it: its path, and the upgrade it takes over. */
interface RoutedServer {
  path: string;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, done: (ws: unknown) => void): void;
  emit(event: 'connection', ws: unknown, req: IncomingMessage): boolean;
}

/** A gateway path ending in `/*` takes every path under it (`/v2/*`: `/v2/iex`, `/v2/sip`…). */
const WILDCARD_SUFFIX = '/*';

/**
 * The server an upgrade of `pathname` goes to: the one registered with exactly that path, else the
 * one whose `/*` path covers it (the longest such prefix), else none.
 */
export function routeUpgrade<T extends { path: string }>(pathname: string, servers: readonly T[]): T | undefined {
  const exact = servers.find((s) => s.path === pathname);
  if (exact !== undefined) return exact;
  let best: T | undefined;
  for (const s of servers) {
    if (!s.path.endsWith(WILDCARD_SUFFIX)) continue;
    const prefix = s.path.slice(0, -1);
    if (
      pathname.startsWith(prefix) &&
      pathname.length > prefix.length &&
      (best === undefined || s.path.length > best.path.length)
    )
      best = s;
  }
  return best;
}

function refuseUpgrade(socket: Duplex, status: 400 | 404): void {
  socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * The `ws` adapter of the client stream: Nest's WsAdapter (frames are read by the gateways
 * themselves), with upgrades from a browser page of an origin outside CORS_ORIGINS refused with HTTP
 * 403 before any socket exists (every gateway's server is built by create() below, so every path
 * gets the check). Upgrades are routed here rather than by Nest's listener for two reasons: a
 * gateway may take a family of paths (`/v2/*`: the Alpaca-compatible face serves Alpaca's
 * `/v2/{feed}` and answers the feeds it does not carry in Alpaca's own words, where a decorator's
 * path is a fixed string), and an upgrade of a path nobody serves gets HTTP 404 instead of a
 * dropped connection (the face's paths when ALPACA_FACE=false, a mistyped URL).
 */
export class StreamWsAdapter extends WsAdapter {
  private readonly upgradeListeners = new Map<
    number,
    { server: http.Server; listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void }
  >();

  constructor(
    app: INestApplicationContext,
    private readonly allowedOrigins: readonly string[],
  ) {
    super(app, { messageParser: () => undefined });
  }

  override create(
    port: number,
    options: Record<string, unknown> & { namespace?: string; server?: unknown; path?: string } = {},
  ): unknown {
    const verifyClient: VerifyClient = ({ req }, done) => {
      if (upgradeOriginAllowed(req.headers.origin, this.allowedOrigins)) done(true);
      else done(false, 403, 'Origin not allowed');
    };
    return super.create(port, { ...options, verifyClient });
  }

  protected override ensureHttpServerExists(
    port: number,
    httpServer: http.Server = http.createServer(),
  ): http.Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    this.httpServersRegistry.set(port, httpServer);
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      let pathname: string;
      try {
        pathname = new URL(req.url ?? '/', 'ws://upgrade.invalid').pathname;
      } catch {
        return refuseUpgrade(socket, 400);
      }
      const servers = (this.wsServersRegistry.get(port) ?? []) as RoutedServer[];
      const target = routeUpgrade(pathname, servers);
      if (target === undefined) return refuseUpgrade(socket, 404);
      target.handleUpgrade(req, socket, head, (ws) => target.emit('connection', ws, req));
    };
    httpServer.on('upgrade', listener);
    this.upgradeListeners.set(port, { server: httpServer, listener });
    return httpServer;
  }

  override async dispose(): Promise<void> {
    for (const { server, listener } of this.upgradeListeners.values()) server.off('upgrade', listener);
    this.upgradeListeners.clear();
    await super.dispose();
  }
}
