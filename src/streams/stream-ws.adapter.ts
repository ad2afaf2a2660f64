import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';

type VerifyClient = (info: { origin: string; secure: boolean; req: IncomingMessage }, done: (accept: boolean, code?: number, message?: string) => void) => void;

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

/**
 * The `ws` adapter of the client stream: Nest's WsAdapter (frames are read by StreamGateway
 * itself), with upgrades from a browser page of an origin outside CORS_ORIGINS refused with HTTP
 * 403 before any socket exists.
 */
export class StreamWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly allowedOrigins: readonly string[],
  ) {
    super(app, { messageParser: () => undefined });
  }

  override create(port: number, options: Record<string, unknown> & { namespace?: string; server?: unknown; path?: string } = {}): unknown {
    const verifyClient: VerifyClient = ({ req }, done) => {
      if (upgradeOriginAllowed(req.headers.origin, this.allowedOrigins)) done(true);
      else done(false, 403, 'Origin not allowed');
    };
    return super.create(port, { ...options, verifyClient });
  }
}
