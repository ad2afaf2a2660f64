/**
 * `npm run bench`: one run, four figures (the caching/resilience issue).
 *   1. cached authenticated quote vs a bare NestJS-express route returning the same JSON:
 *      throughput and p50/p99, as a ratio; beside it, the ratio of the same route shape with the
 *      Nest parts the design requires doing nothing (the framework's own floor);
 *   2. upstream calls per 1000 client requests, Zipf mix over 200 symbols, market-open TTLs;
 *   3. 100 concurrent identical cold requests → upstream calls;
 *   4. latency of a cold batch of 20 symbols;
 *   5. a trader's order p50, quiet and during a flood of bad tokens from one client; 5b. the same
 *      order with the pre-trade risk gate on (a policy of seven rules) against off, alternated rounds;
 *   1d. the Alpaca-compatible face's cached latest quote against /api/v1's;
 *   6. stream fan-out: N clients x M symbols, client messages per second, tick-to-client latency and
 *      CPU per client frame, against a bare `ws` broadcast server fed the same frames in the same run,
 *      and the same clients on the Alpaca-compatible face (`/v2/iex`, Alpaca's JSON messages).
 * Everything runs on loopback: the project's Alpaca emulator (BENCH_UPSTREAM_LATENCY_MS, default
 * 50 ms), the gateway, and a load generator in a child process so it does not share the servers'
 * event loop. Durations and counts are bounded; it stops by itself.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import {
  Controller,
  Get,
  Module,
  Param,
  Query,
  type CallHandler,
  type CanActivate,
  type NestInterceptor,
  type PipeTransform,
} from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { NestFactory } from '@nestjs/core';
import jwt from 'jsonwebtoken';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createApp } from '../src/app.factory.js';
import { validateConfig } from '../src/core/config/validate-config.js';
import { AlpacaEmulator } from '../test/emulator/alpaca-emulator.js';

const LATENCY_MS = Number(process.env['BENCH_UPSTREAM_LATENCY_MS'] ?? 50);
const DURATION_MS = Number(process.env['BENCH_DURATION_MS'] ?? 3000);
const WARMUP_MS = Number(process.env['BENCH_WARMUP_MS'] ?? 2000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
/** `on`: the gateway traces every request (spans made and handed to an exporter that drops them), to price tracing. */
const TRACING = process.env['BENCH_TRACING'] === 'on';
/** Figure 1b: the cached quote asked by this many principals (a token each), over this many connections. */
const PRINCIPALS = Number(process.env['BENCH_PRINCIPALS'] ?? 2000);
const PRINCIPAL_CONNECTIONS = Number(process.env['BENCH_PRINCIPAL_CONNECTIONS'] ?? 50);
/** Figure 1c (BENCH_COMPARE_DIST): alternating rounds of this build and the other (more than figure 1's: the differences are small). */
const COMPARE_ROUNDS = Number(process.env['BENCH_COMPARE_ROUNDS'] ?? 5);
const KEY_ID = 'bench-key-id-000000';
const SECRET = 'bench-secret-0000000000000000';
const JWT_SECRET = randomBytes(32).toString('hex');

interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  p50: number;
  p99: number;
}

/**
 * Child mode: hammer one URL for `durationMs` with `connections` keep-alive connections. `token`
 * is one token, or `@file`: a JSON array of tokens sent in turn (many principals).
 */
async function loadChild(url: string, token: string, durationMs: number, connections: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const tokens: string[] = token.startsWith('@')
    ? (JSON.parse(readFileSync(token.slice(1), 'utf8')) as string[])
    : [token];
  let next = 0;
  const latencies: number[] = [];
  let errors = 0;
  const started = Date.now();
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      const t0 = process.hrtime.bigint();
      const bearer = tokens[next++ % tokens.length] ?? '';
      const req = http.get(
        url,
        { agent, headers: bearer === '' ? {} : { Authorization: `Bearer ${bearer}` } },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
            if (res.statusCode !== 200) errors += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors += 1;
        resolve();
      });
    });
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() - started < durationMs) await one();
    }),
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { requests: latencies.length, errors, seconds: (Date.now() - started) / 1000, p50: at(0.5), p99: at(0.99) };
}

interface MeasuredLoad extends LoadResult {
  /** CPU time this process (where all the servers run) spent per request during the load: user + system. */
  cpuMicrosPerRequest: number;
}

/**
 * Runs the load from a child process and charges this process's CPU time to the requests it
 * served. Only the server under load is busy meanwhile (the emulator is idle on cached answers),
 * so CPU per request is the server's cost of one answer: steadier than throughput on a shared VM,
 * where the load generator and the server compete for the same two cores.
 */
function runLoad(
  url: string,
  token: string,
  durationMs = DURATION_MS,
  connections = CONCURRENCY,
): Promise<MeasuredLoad> {
  return new Promise((resolve, reject) => {
    const cpuBefore = process.cpuUsage();
    const child = fork(fileURLToPath(import.meta.url), ['load', url, token, String(durationMs), String(connections)], {
      stdio: 'inherit',
    });
    child.once('message', (m) => {
      const cpu = process.cpuUsage(cpuBefore);
      const result = m as LoadResult;
      resolve({ ...result, cpuMicrosPerRequest: (cpu.user + cpu.system) / Math.max(1, result.requests) });
    });
    child.once('error', reject);
  });
}

const tokens = new Map<string, string>();
function token(roles: string[]): string {
  const cached = tokens.get(roles.join());
  if (cached !== undefined) return cached;
  const signed = jwt.sign({ roles }, JWT_SECRET, {
    subject: 'bench',
    issuer: 'opitios-alpaca',
    audience: 'opitios-alpaca-api',
    expiresIn: 3600,
  });
  tokens.set(roles.join(), signed);
  return signed;
}

async function request(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: unknown; ms: number }> {
  const t0 = Date.now();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${token(['admin'])}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json(), ms: Date.now() - t0 };
}

/** Zipf(s=1) sampler over n ranks. */
function zipf(n: number): () => number {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const w of weights) cdf.push((acc += w / total));
  return () => {
    const u = Math.random();
    return cdf.findIndex((c) => c >= u);
  };
}

function symbolName(i: number): string {
  return `B${String.fromCharCode(65 + (Math.floor(i / 26) % 26))}${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 676))}`;
}

async function main(): Promise<void> {
  const emulator = new AlpacaEmulator({
    keyId: KEY_ID,
    secretKey: SECRET,
    latencyMs: LATENCY_MS,
    rateLimitPerMinute: 10_000_000,
  });
  await emulator.start();
  // 200 symbols for the Zipf mix, and 21 more that nothing touches before the cold runs.
  const all = Array.from({ length: 221 }, (_, i) => symbolName(i));
  const symbols = all.slice(0, 200);
  const coldSymbols = all.slice(200);
  const template = emulator.fixtures.stockQuotes['AAPL'];
  if (template === undefined) throw new Error('emulator has no AAPL quote');
  for (const [i, s] of all.entries()) emulator.fixtures.stockQuotes[s] = { ...template, bp: 100 + i, ap: 100.5 + i };

  const dataDir = mkdtempSync(join(tmpdir(), 'opitios-bench-'));
  // Figure 5b turns the risk gate on and off by rewriting this file (reloaded within API_KEYS_RELOAD_MS); no policy until then.
  const riskPolicyFile = join(dataDir, 'risk-policy.json');
  writeFileSync(riskPolicyFile, JSON.stringify({ policies: {} }));
  const env = {
    APCA_API_KEY_ID: KEY_ID,
    APCA_API_SECRET_KEY: SECRET,
    APCA_API_DATA_URL: emulator.dataUrl,
    APCA_API_BASE_URL: emulator.tradingUrl,
    JWT_SECRET,
    API_KEYS_FILE: join(dataDir, 'keys.json'),
    AUDIT_LOG_PATH: join(dataDir, 'audit.jsonl'),
    HOST: '127.0.0.1',
    PORT: '0',
    RISK_POLICY_FILE: riskPolicyFile,
    // The bench measures serving, not refusing: the per-client limits are raised (they still count).
    RATE_LIMIT_PREMIUM_PER_HOUR: '100000000',
    RATE_LIMIT_BURST_PER_SECOND: '100000000',
    RATE_LIMIT_AUTHENTICATED_PER_HOUR: '100000000',
    // Figure 5 and 5b send ~400 orders within a few minutes: past the default 200 trading calls a minute.
    ALPACA_TRADING_RATE_LIMIT_PER_MIN: '100000',
    // The fan-out figure: one principal holds every bench client, over more symbols than the free plan's 30.
    APCA_API_STREAM_URL: emulator.dataUrl.replace(/^http/, 'ws'),
    ALPACA_STREAM_MAX_SYMBOLS: '1000',
    STREAM_MAX_CONNECTIONS_PER_PRINCIPAL: '100000',
    // ...whose 1000 subscribe frames arrive at once: the frame limit is raised like the REST limits (it still counts every frame).
    STREAM_CLIENT_FRAMES_PER_SECOND: '100000',
  };
  const config = validateConfig(env);
  // Log lines are formatted as in production, then dropped instead of written to a terminal.
  const discard = new Writable({ write: (_c, _e, done) => done() });
  // Tracing on: every span is made and exported, to an exporter that drops it (the cost of tracing, not of a collector).
  const dropSpans: SpanExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
  const gateway = await createApp(config, { logSink: discard, tracing: TRACING ? { exporter: dropSpans } : undefined });
  await gateway.listen(0, '127.0.0.1');
  const gatewayPort = (gateway.getHttpServer().address() as { port: number }).port;

  // Warm AAPL, then capture the exact JSON a cached quote returns for the bare route.
  await request(gatewayPort, 'GET', '/api/v1/stocks/AAPL/quote');
  const sample = (await request(gatewayPort, 'GET', '/api/v1/stocks/AAPL/quote')).json;

  @Controller()
  class BareController {
    @Get('quote')
    quote(): unknown {
      return sample;
    }
  }
  @Module({ controllers: [BareController] })
  class BareModule {}
  const bare = await NestFactory.create(BareModule, { logger: false });
  await bare.listen(0, '127.0.0.1');
  const barePort = ((bare.getHttpServer() as http.Server).address() as { port: number }).port;

  // The pipeline floor: the same route shape with the parts the design requires (one global
  // interceptor, three global guards, a global pipe over a path and a query parameter, one
  // middleware), each doing nothing. What it loses against the bare route is the framework's
  // own cost, before any real work (auth, validation, rate limits, envelope, logging, metrics).
  @Controller('stocks')
  class FloorController {
    @Get(':symbol/quote')
    quote(@Param() params: object, @Query() query: object): unknown {
      return params === query ? null : sample;
    }
  }
  @Module({ controllers: [FloorController] })
  class FloorModule {}
  const floor = await NestFactory.create(FloorModule, { logger: false });
  floor.use((_req: http.IncomingMessage, _res: http.ServerResponse, next: () => void) => next());
  const allow: CanActivate = { canActivate: () => true };
  floor.useGlobalGuards(allow, allow, allow);
  const same: PipeTransform = { transform: (v: unknown) => v };
  floor.useGlobalPipes(same);
  const passThrough: NestInterceptor = {
    intercept: (_c, next: CallHandler): Observable<unknown> => next.handle().pipe(map((r: unknown) => r)),
  };
  floor.useGlobalInterceptors(passThrough);
  await floor.listen(0, '127.0.0.1');
  const floorPort = ((floor.getHttpServer() as http.Server).address() as { port: number }).port;

  const out: string[] = [];
  const line = (s: string): void => {
    out.push(s);
    process.stdout.write(`${s}\n`);
  };
  line(
    `opitios-alpaca bench — upstream latency ${LATENCY_MS} ms, ${CONCURRENCY} connections, ${DURATION_MS / 1000} s per run, tracing ${TRACING ? 'on' : 'off'}, node ${process.version}`,
  );

  // BENCH_ONLY=stream: the fan-out figure alone (section 6), for comparing stream changes quickly.
  if (process.env['BENCH_ONLY'] === 'stream') {
    await streamFanOut(gatewayPort, emulator, line);
    await Promise.all([bare.close(), floor.close(), gateway.close()]);
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }

  // 1. Cached quote vs bare Nest. Both servers are warmed first (the JIT compiles the hot paths
  // while the load runs; the first seconds would measure compilation, not serving), then measured
  // in alternating rounds so that a noisy neighbour hits both; the median round is the figure.
  const bareUrl = `http://127.0.0.1:${barePort}/quote`;
  const gwUrl = `http://127.0.0.1:${gatewayPort}/api/v1/stocks/AAPL/quote`;
  const floorUrl = `http://127.0.0.1:${floorPort}/stocks/AAPL/quote`;
  // All three get the same request, the gateway's Bearer token included (the others ignore it), so
  // the comparison is of what each server does with it, not of the size of what it receives.
  const premium = token(['premium']);
  await runLoad(bareUrl, premium, WARMUP_MS);
  await runLoad(gwUrl, premium, WARMUP_MS);
  await runLoad(floorUrl, premium, WARMUP_MS);
  const rps = (r: LoadResult): number => r.requests / r.seconds;
  const rounds: Array<{
    bare: MeasuredLoad;
    gw: MeasuredLoad;
    floor: MeasuredLoad;
    ratio: number;
    floorRatio: number;
  }> = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const bareRun = await runLoad(bareUrl, premium);
    const gwRun = await runLoad(gwUrl, premium);
    const floorRun = await runLoad(floorUrl, premium);
    rounds.push({
      bare: bareRun,
      gw: gwRun,
      floor: floorRun,
      ratio: rps(gwRun) / rps(bareRun),
      floorRatio: rps(floorRun) / rps(bareRun),
    });
  }
  const medianOf = (values: number[]): number =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  const median = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(rounds.length / 2)];
  if (median === undefined) throw new Error('BENCH_ROUNDS must be at least 1');
  const fmt = (r: MeasuredLoad): string =>
    `${rps(r).toFixed(0)} req/s  p50 ${r.p50.toFixed(2)} ms  p99 ${r.p99.toFixed(2)} ms  ${r.cpuMicrosPerRequest.toFixed(0)} us CPU/req  errors ${r.errors}`;
  line(
    `1. cached authenticated quote vs a bare NestJS route (warm-up ${WARMUP_MS / 1000} s each, ${ROUNDS} alternating rounds):`,
  );
  for (const [i, r] of rounds.entries()) {
    line(
      `   round ${i + 1}: bare ${fmt(r.bare)} | gateway ${fmt(r.gw)} | ratio ${r.ratio.toFixed(2)} | pipeline floor ratio ${r.floorRatio.toFixed(2)}`,
    );
  }
  line(`   median round: bare NestJS route:    ${fmt(median.bare)}`);
  line(`                 gateway cached quote: ${fmt(median.gw)}`);
  line(
    `   throughput ratio gateway/bare: ${median.ratio.toFixed(2)} (median of ${ROUNDS}; rounds ${rounds.map((r) => r.ratio.toFixed(2)).join(', ')})`,
  );
  line(
    `   pipeline floor (same route shape, interceptor + 3 guards + pipe + middleware doing nothing)/bare: ` +
      `${medianOf(rounds.map((r) => r.floorRatio)).toFixed(2)} (rounds ${rounds.map((r) => r.floorRatio.toFixed(2)).join(', ')})`,
  );
  const cpu = (pick: (r: (typeof rounds)[number]) => MeasuredLoad): number =>
    medianOf(rounds.map((r) => pick(r).cpuMicrosPerRequest));
  const [bareCpu, floorCpu, gwCpu] = [cpu((r) => r.bare), cpu((r) => r.floor), cpu((r) => r.gw)];
  line(
    `   server CPU per request (median of rounds): bare ${bareCpu.toFixed(0)} us, pipeline floor ${floorCpu.toFixed(0)} us, ` +
      `gateway ${gwCpu.toFixed(0)} us (bare/gateway ${(bareCpu / gwCpu).toFixed(2)}; the gateway's own work ${(gwCpu - floorCpu).toFixed(0)} us)`,
  );

  // 1b. The same cached quote asked by many principals, each with its own token (so its own
  // remembered verification, rate-limit windows and lockout state), as a fleet of internal clients
  // looks: prices the per-principal state. Every token is verified once first (long-lived tokens
  // are verified once, then remembered); the bare route gets the same rotation of tokens.
  const tokensFile = join(dataDir, 'principals.json');
  const principalTokens = Array.from({ length: PRINCIPALS }, (_, i) =>
    jwt.sign({ roles: ['premium'] }, JWT_SECRET, {
      subject: `bench-principal-${i}`,
      issuer: 'opitios-alpaca',
      audience: 'opitios-alpaca-api',
      expiresIn: 3600,
    }),
  );
  writeFileSync(tokensFile, JSON.stringify(principalTokens));
  const firstSightCpu = process.cpuUsage();
  for (let i = 0; i < principalTokens.length; i += PRINCIPAL_CONNECTIONS) {
    await Promise.all(
      principalTokens.slice(i, i + PRINCIPAL_CONNECTIONS).map(async (t) => {
        const res = await fetch(gwUrl, { headers: { Authorization: `Bearer ${t}` } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`a bench principal's first quote answered ${res.status}`);
      }),
    );
  }
  const firstSight = process.cpuUsage(firstSightCpu);
  // Client (fetch) and server share this process here: an upper bound on the server's cost of a token's first request.
  const firstSightMicros = (firstSight.user + firstSight.system) / principalTokens.length;
  const many = `@${tokensFile}`;
  await runLoad(bareUrl, many, WARMUP_MS, PRINCIPAL_CONNECTIONS);
  await runLoad(gwUrl, many, WARMUP_MS, PRINCIPAL_CONNECTIONS);
  const manyRounds: Array<{ bare: MeasuredLoad; gw: MeasuredLoad; ratio: number }> = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const bareRun = await runLoad(bareUrl, many, DURATION_MS, PRINCIPAL_CONNECTIONS);
    const gwRun = await runLoad(gwUrl, many, DURATION_MS, PRINCIPAL_CONNECTIONS);
    manyRounds.push({ bare: bareRun, gw: gwRun, ratio: rps(gwRun) / rps(bareRun) });
  }
  const manyMedian = [...manyRounds].sort((a, b) => a.ratio - b.ratio)[Math.floor(manyRounds.length / 2)];
  if (manyMedian === undefined) throw new Error('BENCH_ROUNDS must be at least 1');
  line(
    `1b. the same with ${PRINCIPALS} principals (a token each) over ${PRINCIPAL_CONNECTIONS} connections: throughput ratio gateway/bare ` +
      `${manyMedian.ratio.toFixed(2)} (median of ${ROUNDS}; rounds ${manyRounds.map((r) => r.ratio.toFixed(2)).join(', ')}); ` +
      `median round: bare ${fmt(manyMedian.bare)} | gateway ${fmt(manyMedian.gw)}; ` +
      `a token's first request (full verification; client in the same process) ${firstSightMicros.toFixed(0)} us CPU`,
  );

  // 1c. BENCH_COMPARE_DIST=<another compiled tree>: this build against that one (the same code
  // with one bench-driven choice undone, say), same config, 2000 principals, alternated rounds.
  const compareDist = process.env['BENCH_COMPARE_DIST'];
  if (compareDist !== undefined) {
    const otherFactory = (await import(
      join(compareDist, 'src/app.factory.js')
    )) as typeof import('../src/app.factory.js');
    const otherValidate = (await import(
      join(compareDist, 'src/core/config/validate-config.js')
    )) as typeof import('../src/core/config/validate-config.js');
    const variant = await otherFactory.createApp(otherValidate.validateConfig(env), { logSink: discard });
    await variant.listen(0, '127.0.0.1');
    const variantUrl = `http://127.0.0.1:${(variant.getHttpServer().address() as { port: number }).port}/api/v1/stocks/AAPL/quote`;
    await runLoad(variantUrl, premium);
    for (let i = 0; i < principalTokens.length; i += PRINCIPAL_CONNECTIONS) {
      await Promise.all(
        principalTokens
          .slice(i, i + PRINCIPAL_CONNECTIONS)
          .map(async (t) => (await fetch(variantUrl, { headers: { Authorization: `Bearer ${t}` } })).arrayBuffer()),
      );
    }
    await runLoad(variantUrl, many, WARMUP_MS, PRINCIPAL_CONNECTIONS);
    const pairs: Array<{ self: MeasuredLoad; other: MeasuredLoad }> = [];
    for (let i = 0; i < COMPARE_ROUNDS; i += 1) {
      const self = await runLoad(gwUrl, many, DURATION_MS, PRINCIPAL_CONNECTIONS);
      const other = await runLoad(variantUrl, many, DURATION_MS, PRINCIPAL_CONNECTIONS);
      pairs.push({ self, other });
    }
    const med = (pick: 'self' | 'other', f: (r: MeasuredLoad) => number): number =>
      medianOf(pairs.map((r) => f(r[pick])));
    const cheaper = pairs.filter((r) => r.self.cpuMicrosPerRequest < r.other.cpuMicrosPerRequest).length;
    line(
      `1c. this build against ${compareDist}, ${PRINCIPALS} principals, ${COMPARE_ROUNDS} alternating rounds: this ${med('self', rps).toFixed(0)} req/s ` +
        `${med('self', (r) => r.cpuMicrosPerRequest).toFixed(0)} us CPU/req | other ${med('other', rps).toFixed(0)} req/s ${med('other', (r) => r.cpuMicrosPerRequest).toFixed(0)} us CPU/req ` +
        `(medians; this build used less CPU in ${cheaper} of ${COMPARE_ROUNDS} rounds; CPU per round this/other ${pairs.map((r) => `${r.self.cpuMicrosPerRequest.toFixed(0)}/${r.other.cpuMicrosPerRequest.toFixed(0)}`).join(', ')})`,
    );
    await variant.close();
  }
  // 1d. The Alpaca-compatible face's cached latest quote (Alpaca's path and body, provenance in
  // headers) against /api/v1's, the same symbol out of the same cache entry, alternated rounds.
  const faceUrl = `http://127.0.0.1:${gatewayPort}/v2/stocks/AAPL/quotes/latest`;
  await runLoad(faceUrl, premium, WARMUP_MS);
  const facePairs: Array<{ face: MeasuredLoad; api: MeasuredLoad }> = [];
  for (let i = 0; i < COMPARE_ROUNDS; i += 1) {
    const face = await runLoad(faceUrl, premium);
    const api = await runLoad(gwUrl, premium);
    facePairs.push({ face, api });
  }
  const faceMed = (pick: 'face' | 'api', f: (r: MeasuredLoad) => number): number =>
    medianOf(facePairs.map((r) => f(r[pick])));
  line(
    `1d. the Alpaca-compatible face's cached latest quote (GET /v2/stocks/AAPL/quotes/latest) against /api/v1's, ${COMPARE_ROUNDS} alternating rounds: ` +
      `face ${faceMed('face', rps).toFixed(0)} req/s ${faceMed('face', (r) => r.cpuMicrosPerRequest).toFixed(0)} us CPU/req p99 ${faceMed('face', (r) => r.p99).toFixed(2)} ms | ` +
      `/api/v1 ${faceMed('api', rps).toFixed(0)} req/s ${faceMed('api', (r) => r.cpuMicrosPerRequest).toFixed(0)} us CPU/req p99 ${faceMed('api', (r) => r.p99).toFixed(2)} ms ` +
      `(face/api throughput ${(faceMed('face', rps) / faceMed('api', rps)).toFixed(2)}; rounds ${facePairs.map((r) => (rps(r.face) / rps(r.api)).toFixed(2)).join(', ')})`,
  );
  if (process.env['BENCH_ONLY'] === 'quote') {
    await Promise.all([bare.close(), floor.close(), gateway.close()]);
    await emulator.stop();
    rmSync(dataDir, { recursive: true, force: true });
    return;
  }

  // 2. Zipf mix over 200 symbols, 20 clients at a time, market-open TTLs: the first 1000 requests
  // (a cold cache) and then 5000 more (steady state, where refreshes ride along in shared calls).
  const draw = zipf(symbols.length);
  const zipfRun = async (n: number): Promise<{ calls: number; failed: number; seconds: number }> => {
    emulator.clearRequests();
    const queue = Array.from({ length: n }, () => symbols[draw()] ?? 'AAPL');
    let failed = 0;
    const t0 = Date.now();
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let s = queue.pop(); s !== undefined; s = queue.pop()) {
          if ((await request(gatewayPort, 'GET', `/api/v1/stocks/${s}/quote`)).status !== 200) failed += 1;
        }
      }),
    );
    return { calls: emulator.requestsTo('/v2/stocks/quotes/latest').length, failed, seconds: (Date.now() - t0) / 1000 };
  };
  const coldZipf = await zipfRun(1000);
  const steadyZipf = await zipfRun(5000);
  line(
    `2. Zipf mix over 200 symbols: cold start ${coldZipf.calls} upstream calls for the first 1000 requests; ` +
      `steady state ${((steadyZipf.calls / 5000) * 1000).toFixed(1)} per 1000 (${steadyZipf.calls} for 5000 in ${steadyZipf.seconds.toFixed(1)} s); ` +
      `${coldZipf.failed + steadyZipf.failed} non-200`,
  );

  // 3. 100 concurrent identical cold requests.
  emulator.clearRequests();
  const cold = coldSymbols[0] ?? 'BZZZ';
  const results = await Promise.all(
    Array.from({ length: 100 }, () => request(gatewayPort, 'GET', `/api/v1/stocks/${cold}/quote`)),
  );
  line(
    `3. 100 concurrent identical cold requests: ${emulator.requestsTo('/v2/stocks/quotes/latest').length} upstream call(s), ${results.filter((r) => r.status === 200).length} answered 200`,
  );

  // 4. Cold batch of 20 symbols.
  emulator.clearRequests();
  const batch = await request(gatewayPort, 'POST', '/api/v1/stocks/quotes/batch', {
    symbols: coldSymbols.slice(1, 21),
  });
  line(
    `4. cold batch of 20 symbols: ${batch.ms} ms (upstream latency ${LATENCY_MS} ms), ${emulator.requestsTo('/v2/stocks/quotes/latest').length} upstream call(s), status ${batch.status}`,
  );

  // 5. A trader's order latency, quiet and while one client floods the gateway with bad tokens
  // (from a child process, as fast as 32 connections go): refusals are throttled per client and
  // audited in aggregate, so orders must not queue behind their audit writes.
  emulator.setLatency(0);
  const auditLines = (): number =>
    readFileSync(join(dataDir, 'audit.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
  let orderNo = 0;
  const orderTimes = async (n: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < n; i += 1) {
      orderNo += 1;
      const t0 = process.hrtime.bigint();
      const res = await fetch(`http://127.0.0.1:${gatewayPort}/api/v1/orders`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${token(['trader'])}`,
          'Content-Type': 'application/json',
          'Idempotency-Key': `bench-order-${orderNo}`,
        },
        body: JSON.stringify({
          symbol: 'AAPL',
          qty: '1',
          side: 'buy',
          type: 'limit',
          limit_price: '150',
          time_in_force: 'gtc',
        }),
      });
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`bench order answered ${res.status}`);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return times.sort((a, b) => a - b);
  };
  const p50 = (sorted: number[]): number => sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  const quiet = await orderTimes(50);
  const auditBefore = auditLines();
  const flood = runLoad(`http://127.0.0.1:${gatewayPort}/api/v1/stocks/AAPL/quote`, 'not.a.token', DURATION_MS);
  const during = await orderTimes(50);
  const floodResult = await flood;
  const auditDuringFlood = auditLines() - auditBefore - 2 * 50;
  line(
    `5. trader order p50 quiet ${p50(quiet).toFixed(2)} ms, during a flood of ${floodResult.requests} bad-token requests from one client ` +
      `${p50(during).toFixed(2)} ms (x${(p50(during) / p50(quiet)).toFixed(2)}); ${auditDuringFlood} audit records for the flood ` +
      `(orders' own excluded), flood p50 ${floodResult.p50.toFixed(2)} ms, ${floodResult.requests - floodResult.errors} of them not refused`,
  );

  // 5b. The same order with the risk gate on against off, in alternating rounds (a noisy neighbour
  // hits both). On: a `default` policy of seven rules that the order passes (its symbol, type,
  // qty, notional at its limit price, price band against the cached latest trade, and the two
  // counters, in memory here); off: no policy. The gateway re-reads the file within
  // API_KEYS_RELOAD_MS (1 s), so each switch waits that long and then sends one order to load it.
  const GATE_ON = {
    default: {
      symbols_allowed: ['AAPL', 'MSFT'],
      order_types: ['limit'],
      max_order_qty: 100,
      max_order_notional: 100_000,
      price_band_pct: 20,
      max_orders_per_minute: 100_000,
      max_daily_notional: 1_000_000_000,
    },
  };
  const gate = async (on: boolean): Promise<void> => {
    writeFileSync(`${riskPolicyFile}.tmp`, JSON.stringify({ policies: on ? GATE_ON : {} }));
    renameSync(`${riskPolicyFile}.tmp`, riskPolicyFile);
    // The band is held against a trade no older than RISK_PRICE_MAX_AGE_SECONDS: the fixture's is stamped now.
    const trade = emulator.fixtures.stockTrades['AAPL'];
    if (trade !== undefined) trade.t = new Date().toISOString();
    await new Promise((r) => setTimeout(r, Number(config.apiKeysReloadMs) + 100));
    await orderTimes(1);
    // Proof the switch took: with the gate on, an order past max_order_qty is refused.
    const probe = await fetch(`http://127.0.0.1:${gatewayPort}/api/v1/orders`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token(['trader'])}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        symbol: 'AAPL',
        qty: '101',
        side: 'buy',
        type: 'limit',
        limit_price: '150',
        time_in_force: 'gtc',
      }),
    });
    await probe.arrayBuffer();
    if ((probe.status === 422) !== on)
      throw new Error(`risk gate ${on ? 'on' : 'off'}: an order past its max_order_qty answered ${probe.status}`);
  };
  const gateRounds: Array<{ on: number; off: number }> = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    await gate(true);
    const on = p50(await orderTimes(50));
    await gate(false);
    const off = p50(await orderTimes(50));
    gateRounds.push({ on, off });
  }
  const gateOn = medianOf(gateRounds.map((r) => r.on));
  const gateOff = medianOf(gateRounds.map((r) => r.off));
  line(
    `5b. trader order p50 with the risk gate on (7 rules) ${gateOn.toFixed(2)} ms, off ${gateOff.toFixed(2)} ms ` +
      `(+${(gateOn - gateOff).toFixed(2)} ms; median of ${ROUNDS} alternating rounds of 50: on/off ${gateRounds.map((r) => `${r.on.toFixed(2)}/${r.off.toFixed(2)}`).join(', ')})`,
  );

  // 6. Stream fan-out: N WebSocket clients (in a child process) each subscribed to the quotes of
  // M symbols; the emulator pushes frames of M quotes (one per symbol) at a fixed rate through the
  // gateway's one upstream socket. Offered client messages per second = rate × M × N.
  await streamFanOut(gatewayPort, emulator, line);

  await bare.close();
  await floor.close();
  await gateway.close();
  await emulator.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const STREAM_CLIENTS = Number(process.env['BENCH_STREAM_CLIENTS'] ?? 1000);
const STREAM_SYMBOLS = Number(process.env['BENCH_STREAM_SYMBOLS'] ?? 50);
/** 2 frames/s x 50 symbols x 1000 clients = 100k client messages/s; BENCH_STREAM_FRAMES_PER_S=4 is the 200k rate. */
const STREAM_FRAMES_PER_S = Number(process.env['BENCH_STREAM_FRAMES_PER_S'] ?? 2);
const STREAM_SECONDS = Number(process.env['BENCH_STREAM_SECONDS'] ?? 5);
/** Frames sent before the measured window (the JIT compiles the fan-out path on them), for both servers. */
const STREAM_WARMUP_S = Number(process.env['BENCH_STREAM_WARMUP_S'] ?? 1);
/** The clients are spread over this many child processes, so that one client event loop is not the bottleneck. */
const STREAM_CHILDREN = Number(process.env['BENCH_STREAM_CHILDREN'] ?? 4);
const FACE_TIMESTAMP_KEY = '"t":"';
const TIMESTAMP_KEY = '"timestamp":"';

interface FanOutResult {
  messages: number;
  frames: number;
  dropped: number;
  seconds: number;
  /** Tick-to-client latency of every data frame received in the window (ms), from the first message's timestamp. */
  latencies: number[];
  /** One data frame as received (the bare server is fed this text, timestamps replaced). */
  sample: string | null;
}

/**
 * Child mode: N stream clients of the gateway (`gateway`: credentials on the upgrade, then a
 * subscribe) or of the bare broadcast server (`bare`: nothing to send); reports when told to stop.
 */
async function streamChild(
  url: string,
  token: string,
  clients: number,
  symbols: string[],
  mode: string,
): Promise<void> {
  const { WebSocket } = await import('ws');
  const result: FanOutResult = { messages: 0, frames: 0, dropped: 0, seconds: 0, latencies: [], sample: null };
  let counting = false;
  let started = 0;
  // `/api/v1/stream` messages, or the Alpaca-compatible face's (`T` and `t` for type and timestamp).
  const face = mode === 'face';
  const [subscribed, data, timestampKey] = face
    ? ['[{"T":"subscription"', '{"T":"q"', FACE_TIMESTAMP_KEY]
    : ['[{"type":"subscription"', '{"type":"quote"', TIMESTAMP_KEY];
  const sockets = await Promise.all(
    Array.from(
      { length: clients },
      () =>
        new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
          const ws = new WebSocket(url, mode === 'bare' ? {} : { headers: { Authorization: `Bearer ${token}` } });
          ws.on('message', (raw: Buffer) => {
            const text = raw.toString('utf8');
            if (text.startsWith(subscribed)) return resolve(ws);
            if (face && text.startsWith('[{"T":"success","msg":"authenticated"'))
              return ws.send(JSON.stringify({ action: 'subscribe', quotes: symbols }));
            if (!counting || (!text.startsWith(`[${data}`) && !text.startsWith('[{"type":"dropped"'))) return;
            if (text.startsWith('[{"type":"dropped"')) {
              result.dropped += (JSON.parse(text) as Array<{ count: number }>)[0]?.count ?? 0;
              return;
            }
            // A frame carries the client's messages of one upstream frame; counted and timed without parsing.
            result.messages += text.split(data).length - 1;
            result.frames += 1;
            result.sample ??= text;
            const at = text.indexOf(timestampKey) + timestampKey.length;
            result.latencies.push(Date.now() - Date.parse(text.slice(at, text.indexOf('"', at))));
          });
          ws.on('open', () =>
            mode === 'gateway'
              ? ws.send(JSON.stringify({ action: 'subscribe', quotes: symbols }))
              : mode === 'bare'
                ? resolve(ws)
                : undefined,
          );
          ws.on('error', reject);
        }),
    ),
  );
  process.send?.({ ready: true });
  process.on('message', (m: { start?: boolean; stop?: boolean }) => {
    if (m.start === true) {
      counting = true;
      started = Date.now();
    }
    if (m.stop === true) {
      result.seconds = (Date.now() - started) / 1000;
      for (const ws of sockets) ws.terminate();
      process.send?.(result, () => process.exit(0));
    }
  });
}

/**
 * Child mode: the bare `ws` broadcast server the gateway is measured against. A WebSocketServer on
 * loopback (per-message deflate off, as the gateway's); what arrives on `/upstream` is sent as it
 * is to every other connected client: no auth, no subscriptions, no queue. Reports its own CPU
 * time over the window the parent marks, so both servers' CPU is measured the same way.
 */
async function bareStreamServer(): Promise<void> {
  const { WebSocketServer } = await import('ws');
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (ws, req) => {
    if (req.url !== '/upstream') return;
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      for (const client of wss.clients)
        if (client !== ws && client.readyState === 1) client.send(data, { binary: isBinary });
    });
  });
  let cpuBefore = process.cpuUsage();
  process.on('message', (m: { start?: boolean; stop?: boolean }) => {
    if (m.start === true) cpuBefore = process.cpuUsage();
    if (m.stop === true) {
      const cpu = process.cpuUsage(cpuBefore);
      process.send?.({ cpuMicros: cpu.user + cpu.system }, () => process.exit(0));
    }
  });
  process.send?.({ port: (wss.address() as { port: number }).port });
}

interface FanOutFigure {
  label: string;
  messages: number;
  offered: number;
  frames: number;
  dropped: number;
  msgsPerS: number;
  p50: number;
  p99: number;
  samples: number;
  cpuMicrosPerFrame: number;
  sample: string | null;
}

/**
 * One measured fan-out: STREAM_CHILDREN client processes connect to `url`; `publish(i)` sends
 * upstream frame i (its timestamp taken as it is sent) on a fixed schedule, warm-up first;
 * `cpu` measures the server's CPU over the window.
 */
async function fanOutRun(opts: {
  label: string;
  url: string;
  mode: 'gateway' | 'face' | 'bare';
  symbols: string[];
  ready: () => Promise<void>;
  publish: (timestamp: string) => void;
  cpu: { start: () => void; stop: () => Promise<number> };
}): Promise<FanOutFigure> {
  const perChild = Math.ceil(STREAM_CLIENTS / STREAM_CHILDREN);
  const children = Array.from({ length: STREAM_CHILDREN }, (_, i) =>
    fork(
      fileURLToPath(import.meta.url),
      [
        'streamload',
        opts.url,
        token(['viewer']),
        String(Math.min(perChild, STREAM_CLIENTS - i * perChild)),
        opts.symbols.join(','),
        opts.mode,
      ],
      {
        stdio: 'inherit',
      },
    ),
  );
  const nextMessage = <T>(child: ChildProcess): Promise<T> =>
    new Promise((resolve) => child.once('message', (m) => resolve(m as T)));
  await Promise.all(children.map((c) => nextMessage<{ ready: boolean }>(c)));
  await opts.ready();
  const schedule = async (frames: number): Promise<void> => {
    const started = Date.now();
    for (let i = 0; i < frames; i += 1) {
      const wait = started + (i * 1000) / STREAM_FRAMES_PER_S - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      opts.publish(new Date().toISOString().replace('Z', '000000Z'));
    }
  };
  await schedule(Math.round(STREAM_WARMUP_S * STREAM_FRAMES_PER_S));
  await new Promise((r) => setTimeout(r, 500));
  opts.cpu.start();
  for (const c of children) c.send({ start: true });
  const frames = STREAM_FRAMES_PER_S * STREAM_SECONDS;
  await schedule(frames);
  // Let the last frame drain (bounded), then collect.
  await new Promise((r) => setTimeout(r, 1000));
  const cpuMicros = await opts.cpu.stop();
  const results = await Promise.all(
    children.map((c) => {
      const r = nextMessage<FanOutResult>(c);
      c.send({ stop: true });
      return r;
    }),
  );
  const latencies = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const at = (q: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  const sum = (pick: (r: FanOutResult) => number): number => results.reduce((n, r) => n + pick(r), 0);
  const messages = sum((r) => r.messages);
  const clientFrames = sum((r) => r.frames);
  return {
    label: opts.label,
    messages,
    offered: frames * opts.symbols.length * STREAM_CLIENTS,
    frames: clientFrames,
    dropped: sum((r) => r.dropped),
    // Per second of feeding: the frames of the window are all sent within STREAM_SECONDS (the drain after it adds none).
    msgsPerS: messages / STREAM_SECONDS,
    p50: at(0.5),
    p99: at(0.99),
    samples: latencies.length,
    cpuMicrosPerFrame: cpuMicros / Math.max(1, clientFrames),
    sample: results.find((r) => r.sample !== null)?.sample ?? null,
  };
}

/**
 * 6. Stream fan-out, the gateway against a bare `ws` broadcast server in the same run: N clients
 * (over STREAM_CHILDREN processes) each get every upstream frame of M quotes. The gateway's clients
 * subscribe to the M symbols and the emulator pushes the frames through its one upstream socket;
 * the bare server (a child process) is fed, over a WebSocket, the very text a gateway client
 * received, timestamps renewed, and sends it to everyone. CPU per client frame: the gateway's
 * process (gateway and emulator) and the bare server's process, over the same window.
 */
async function streamFanOut(port: number, emulator: AlpacaEmulator, line: (s: string) => void): Promise<void> {
  const symbols = Array.from({ length: STREAM_SYMBOLS }, (_, i) => symbolName(i));
  const template = { T: 'q', bx: 'V', bp: 100.01, bs: 3, ax: 'V', ap: 100.02, as: 1, c: ['R'], z: 'C' };
  let cpuBefore = process.cpuUsage();
  // The gateway's clients on either face: the same hub, the same upstream socket, this process's CPU.
  const throughGateway = (label: string, url: string, mode: 'gateway' | 'face'): Promise<FanOutFigure> =>
    fanOutRun({
      label,
      url,
      mode,
      symbols,
      // The upstream subscription is the union of everyone's; wait for Alpaca's (the emulator's) ack.
      ready: async () => {
        const deadline = Date.now() + 10_000;
        while (
          (emulator.streamOpenConnections('/v2/iex')[0]?.subscription.quotes?.length ?? 0) < symbols.length &&
          Date.now() < deadline
        ) {
          await new Promise((r) => setTimeout(r, 20));
        }
      },
      publish: (t) =>
        void emulator.streamPublish(
          '/v2/iex',
          symbols.map((S) => ({ ...template, S, t })),
        ),
      cpu: {
        start: () => (cpuBefore = process.cpuUsage()),
        stop: () => {
          const cpu = process.cpuUsage(cpuBefore);
          return Promise.resolve(cpu.user + cpu.system);
        },
      },
    });
  const gw = await throughGateway('gateway', `ws://127.0.0.1:${port}/api/v1/stream`, 'gateway');
  // The same clients on the Alpaca-compatible face (Alpaca's path, JSON messages, same hub and socket).
  const faceRun = await throughGateway('face', `ws://127.0.0.1:${port}/v2/iex`, 'face');
  const upstreams = emulator.streamOpenCount('/v2/iex');
  if (gw.sample === null) throw new Error('the gateway delivered no stream frame to copy for the bare server');
  // The text a gateway client got, split at its tick timestamp and received_at (each the same in every message).
  const sample = gw.sample;
  const stamp = (key: string): string => {
    const at = sample.indexOf(`"${key}":"`) + key.length + 4;
    return sample.slice(at, sample.indexOf('"', at));
  };
  const parts = sample.split(stamp('timestamp')).map((p) => p.split(stamp('received_at')));

  const { WebSocket } = await import('ws');
  const server = fork(fileURLToPath(import.meta.url), ['bareserver'], { stdio: 'inherit' });
  const fromServer = <T>(): Promise<T> => new Promise((resolve) => server.once('message', (m) => resolve(m as T)));
  const { port: barePort } = await fromServer<{ port: number }>();
  const upstream = new WebSocket(`ws://127.0.0.1:${barePort}/upstream`);
  await new Promise((resolve, reject) => upstream.once('open', resolve).once('error', reject));
  const bare = await fanOutRun({
    label: 'bare ws',
    url: `ws://127.0.0.1:${barePort}/`,
    mode: 'bare',
    symbols,
    ready: () => Promise.resolve(),
    publish: (t) => {
      const received = new Date().toISOString();
      upstream.send(parts.map((p) => p.join(received)).join(t));
    },
    cpu: {
      start: () => server.send({ start: true }),
      stop: async () => {
        const done = fromServer<{ cpuMicros: number }>();
        server.send({ stop: true });
        return (await done).cpuMicros;
      },
    },
  });
  upstream.terminate();

  line(
    `6. stream fan-out: ${STREAM_CLIENTS} clients (${STREAM_CHILDREN} processes) x ${STREAM_SYMBOLS} symbols, ${STREAM_FRAMES_PER_S} upstream frames/s ` +
      `(${STREAM_FRAMES_PER_S * STREAM_SYMBOLS * STREAM_CLIENTS} client msgs/s offered) for ${STREAM_SECONDS} s after ${STREAM_WARMUP_S} s of warm-up; ` +
      `gateway over ${upstreams} upstream socket(s), bare ws fed the same frame text:`,
  );
  for (const f of [gw, faceRun, bare]) {
    line(
      `   ${f.label.padEnd(8)} ${f.messages} of ${f.offered} messages delivered (${f.msgsPerS.toFixed(0)} msg/s), ${f.dropped} reported dropped; ` +
        `tick-to-client p50 ${f.p50} ms, p99 ${f.p99} ms (${f.samples} frames); CPU ${f.cpuMicrosPerFrame.toFixed(1)} us per client frame`,
    );
  }
  line(
    `   gateway/bare: p99 x${(gw.p99 / bare.p99).toFixed(2)}, p50 x${(gw.p50 / bare.p50).toFixed(2)}, CPU per client frame x${(gw.cpuMicrosPerFrame / bare.cpuMicrosPerFrame).toFixed(2)}`,
  );
  line(
    `   face/gateway (Alpaca's protocol at /v2/iex against /api/v1/stream): p99 x${(faceRun.p99 / gw.p99).toFixed(2)}, p50 x${(faceRun.p50 / gw.p50).toFixed(2)}, CPU per client frame x${(faceRun.cpuMicrosPerFrame / gw.cpuMicrosPerFrame).toFixed(2)}`,
  );
}

if (process.argv[2] === 'streamload') {
  void streamChild(
    process.argv[3] ?? '',
    process.argv[4] ?? '',
    Number(process.argv[5] ?? 1),
    (process.argv[6] ?? '').split(','),
    process.argv[7] ?? 'gateway',
  );
} else if (process.argv[2] === 'bareserver') {
  void bareStreamServer();
} else if (process.argv[2] === 'load') {
  void loadChild(
    process.argv[3] ?? '',
    process.argv[4] ?? '',
    Number(process.argv[5] ?? DURATION_MS),
    Number(process.argv[6] ?? CONCURRENCY),
  ).then((r) => {
    process.send?.(r);
    process.exit(0);
  });
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
