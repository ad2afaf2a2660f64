import type { Writable } from 'node:stream';
import { RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module.js';
import type { AppConfig } from './core/config/app-config.js';
import { Clock } from './core/time/clock.js';
import { responseSigner } from './core/signing/response-signer.js';
import { WinstonLogger } from './core/logging/winston-logger.js';
import { Tracing, type TracingOptions } from './core/telemetry/tracing.js';
import { RequestLifecycle } from './core/lifecycle/request-lifecycle.js';
import { JsonBodyParser } from './core/http/json-body.parser.js';
import { emptySegmentRefusal } from './core/http/exact-path.js';
import { ALPACA_FACE_ROOTS } from './core/http/face-paths.js';
import { METRICS_PATH } from './health/metrics.controller.js';
import { ASYNCAPI_PATH, asyncApiDocument } from './streams/asyncapi.js';
import { StreamWsAdapter } from './streams/stream-ws.adapter.js';
import { GlobalExceptionFilter } from './core/errors/global-exception.filter.js';
import { pathOf } from './core/http/request-path.js';
import { RouteTable } from './core/errors/route-table.js';
import { stampErrorExampleEndpoints } from './core/errors/error-examples.js';
import type { NextFunction, Request, Response } from 'express';

export const API_PREFIX = 'api/v1';
/** Headers browser clients may read (CORS). */
const EXPOSED_HEADERS = [
  'X-Request-Id',
  'X-Data-Source',
  'X-Cache-Status',
  'X-Data-Freshness',
  'X-Error-Code',
  'X-Error-Type',
  'Retry-After',
  'Allow',
  'X-RateLimit-Limit',
  'X-RateLimit-Remaining',
  'X-RateLimit-Reset',
  'Content-Digest',
  'Signature-Input',
  'Signature',
  'Date',
];
/**
 * The gateway's public signing keys as a JWK set, each under its own kid (the JWK thumbprint):
 * RESPONSE_SIGNING_KEY's (response signatures) and AUDIT_SIGNING_KEY's (audit checkpoints, so an
 * auditor verifies them with the public half only); empty while neither is set.
 */
export const JWKS_PATH = '/.well-known/jwks.json';

export interface CreateAppOptions {
  /** Where log lines go (tests capture them); stdout/stderr by default. */
  logSink?: Writable;
  /** What "now" is for ages and expiry (tests move it instead of sleeping); the system clock by default. */
  clock?: Clock;
  /** Tracing overrides (tests pass an in-memory span exporter, which turns tracing on). */
  tracing?: TracingOptions;
}

function setupSwagger(app: NestExpressApplication, config: AppConfig): void {
  const doc = new DocumentBuilder()
    .setTitle('opitios-alpaca gateway')
    .setDescription(
      'Real Alpaca market data and trading behind one gateway. Every answer carries its data source, feed, ' +
        `upstream timestamp, freshness and cache state; every error is a typed catalog entry. Data host: ${config.alpaca.dataHost} ` +
        `(${config.alpaca.provider}). Real-time data: the WebSocket /api/v1/stream (or SSE at /api/v1/stream/events), ` +
        `described by the AsyncAPI document at [${ASYNCAPI_PATH}](${ASYNCAPI_PATH}).`,
    )
    .setVersion('1')
    .addBearerAuth({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      description: 'Token from POST /api/v1/auth/token.',
    })
    .addApiKey(
      { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'API key created with npm run apikey.' },
      'api-key',
    )
    .build();
  const document = SwaggerModule.createDocument(app, doc);
  stampErrorExampleEndpoints(document);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}

const DOCS_PATH = /^\/docs(\/|$)/;

/**
 * JSON answers get the headers OWASP's REST Security Cheat Sheet lists for API responses (a CSP
 * that loads nothing and forbids framing, X-Frame-Options DENY, nosniff, HSTS) plus
 * Referrer-Policy and Cross-Origin-Resource-Policy; helmet's document-only headers (COOP,
 * Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options, X-Permitted-Cross-Domain-
 * Policies, X-XSS-Protection) protect HTML pages, and a page-sized CSP on every quote was more
 * header than body. Swagger UI (/docs) is an HTML page: it keeps helmet's defaults, minus
 * `upgrade-insecure-requests` (opened over plain HTTP on a non-loopback name, a cluster-internal
 * service or a VPN host, the browser would rewrite the UI's own scripts to https: a blank page).
 * Helmet runs on every request: on Node 26 precomputing its headers once measured no cheaper
 * (figure 1c, 388 against 334 us of CPU per cached quote, cheaper in 2 of 5 rounds, 2026-12-07).
 */
function securityHeaders(): (req: Request, res: Response, next: NextFunction) => void {
  const api = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    frameguard: { action: 'deny' },
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  const docs = helmet({ contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } } });
  return (req, res, next) => (DOCS_PATH.test(req.path) ? docs : api)(req, res, next);
}

/**
 * Builds the application exactly as production runs it; main.ts and the e2e tests both call this.
 * The JSON body parser is ours (CoreModule), so the built-in one is off.
 */
export async function createApp(config: AppConfig, options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const logger = new WinstonLogger(config, options.logSink);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({
      config,
      logger,
      clock: options.clock,
      tracing: new Tracing(config.telemetry, options.tracing),
    }),
    {
      bodyParser: false,
      logger,
    },
  );
  app.disable('x-powered-by');
  // Market data carries Cache-Control max-age; hashing every body for an ETag buys clients nothing.
  app.set('etag', false);
  // One plain Express middleware in front of everything, so that every path (also /docs, unknown
  // ones and CORS preflights) gets security headers, an id, a log line and its metrics, and a body
  // is parsed only when there is one; a bad body is a catalog error like any other.
  const headers = securityHeaders();
  const lifecycle = app.get(RequestLifecycle);
  const jsonBody = app.get(JsonBodyParser);
  const filter = app.get(GlobalExceptionFilter);
  // Opt-in RFC 9421 signatures: the wrapper must be on the response before anything can answer.
  const signing = config.responseSigning === null ? null : responseSigner(config.responseSigning, app.get(Clock));
  app.use((req: Request, res: Response, next: NextFunction) => {
    // Helmet's middlewares set their headers and call on synchronously.
    headers(req, res, () => {
      // The rest of the pipeline runs inside the request's scope (its id and trace on every log line).
      lifecycle.run(req, res, () => {
        if (signing !== null) signing(req, res);
        const emptySegment = emptySegmentRefusal(pathOf(req));
        if (emptySegment !== null) return filter.respond(req, res, emptySegment);
        if (!jsonBody.applies(req)) return next();
        jsonBody.parse(req, res).then(
          () => next(),
          (e: unknown) => filter.respond(req, res, e),
        );
      });
    });
  });
  const cors = config.corsOrigins.length > 0;
  if (cors) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      exposedHeaders: EXPOSED_HEADERS,
    });
  }
  // X-Forwarded-For names the client only behind the proxies TRUST_PROXY names (never all hops).
  app.set('trust proxy', config.trustProxy);
  // Prometheus scrapes /metrics by convention. Signals are main.ts' job (GracefulShutdown drains first).
  // The Alpaca-compatible face answers at Alpaca's own paths, outside the prefix.
  const face = config.alpacaFace
    ? ALPACA_FACE_ROOTS.map((p) => ({ path: `${p}/{*rest}`, method: RequestMethod.ALL }))
    : [];
  app.setGlobalPrefix(API_PREFIX, { exclude: [{ path: METRICS_PATH, method: RequestMethod.GET }, ...face] });
  // The client stream (/api/v1/stream) on the same server; StreamGateway reads its own frames.
  // Upgrades from a browser page of an origin outside CORS_ORIGINS are refused (403).
  app.useWebSocketAdapter(new StreamWsAdapter(app, config.corsOrigins));
  await app.init();
  // After the API routes, so an API request does not walk past the documentation's routes first.
  setupSwagger(app, config);
  const asyncApi = JSON.stringify(asyncApiDocument());
  // A route (GET, and HEAD through Express), so that the route table below knows it.
  const express = app.getHttpAdapter().getInstance();
  express.get(ASYNCAPI_PATH, (_req: Request, res: Response) => {
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.send(asyncApi);
  });
  const published = [config.responseSigning, config.audit.signingKey].flatMap((k) => (k === null ? [] : [k.publicJwk]));
  // One key set for both keys: the same key configured twice is published once.
  const jwks = JSON.stringify({ keys: published.filter((k, i) => published.findIndex((o) => o.kid === k.kid) === i) });
  express.get(JWKS_PATH, (_req: Request, res: Response) => {
    res.setHeader('Content-Type', 'application/jwk-set+json');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.send(jwks);
  });
  // Every route is in place now: read them once, so a routing miss answers 405 with Allow on a
  // known path and 404 elsewhere. The CORS layer answers OPTIONS on every path before routing.
  const routes = RouteTable.fromExpress(express, { everyPath: cors ? ['OPTIONS'] : [] });
  filter.useRoutes(routes);
  // Nest answers misses under the prefix (through the filter); anything else would get Express's HTML page.
  app.use((req: Request, res: Response) => filter.respond(req, res, routes.miss(req.method, pathOf(req))));
  return app;
}
