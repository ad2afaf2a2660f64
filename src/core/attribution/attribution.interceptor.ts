import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import { map, Observable } from 'rxjs';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { Clock } from '../time/clock.js';
import type { DataQuality } from '../quality/data-quality.js';
import { Attributed, type Provenance } from './provenance.js';
import { getRequestContext } from './request-context.js';
import { isoTimestamp, parseUpstreamTimestamp } from './timestamps.js';
import { WireBody } from './wire-body.js';

export interface SuccessMetadata {
  request_id: string | null;
  timestamp: string;
  [key: string]: unknown;
}

const MS_PER_SECOND = 1000;

/** `ok`, or the flags found (the answer's own, then each item's as `SYMBOL:flag`), comma-separated. */
function qualityHeader(q: DataQuality): string {
  const flags: string[] = [...q.flags];
  if (q.items !== undefined)
    for (const [item, itemFlags] of Object.entries(q.items)) for (const f of itemFlags) flags.push(`${item}:${f}`);
  return flags.length === 0 ? 'ok' : flags.join(',');
}

function roundSeconds(ms: number): number {
  return Math.round(ms) / MS_PER_SECOND;
}

/**
 * Wraps every successful result in the success envelope. Provenance is lifted from the
 * `Attributed` the handler returned (stamped by the adapter); nothing is guessed from the data.
 */
@Injectable()
export class AttributionInterceptor implements NestInterceptor {
  /** X-Data-Quality texts already built, per quality object (a cached answer keeps its own). */
  private readonly qualityHeaders = new WeakMap<DataQuality, string>();
  /** Upstream instants already parsed: a cached answer keeps its provenance object between hits. */
  private readonly upstreamInstants = new WeakMap<Provenance, number | null>();

  constructor(
    private readonly metrics: GatewayMetrics,
    private readonly clock: Clock,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    return next.handle().pipe(map((result: unknown) => this.render(req, res, result)));
  }

  private render(req: Request, res: Response, result: unknown): unknown {
    const now = this.clock.now();
    const context = getRequestContext(req);
    const requestId = context?.requestId ?? null;
    const clientRequestId = context?.clientRequestId ?? null;
    if (result instanceof WireBody) {
      if (result.from !== null) this.wireHeaders(res, result.from, now);
      return result.body;
    }
    const timestamp = isoTimestamp(now);
    if (!(result instanceof Attributed)) {
      const plain: SuccessMetadata = { request_id: requestId, timestamp };
      if (clientRequestId !== null) plain['client_request_id'] = clientRequestId;
      return { data: result, metadata: plain };
    }
    const attributed: Attributed<unknown> = result;
    const { provenance: p, cache } = attributed;
    const { freshness, ageSeconds } = this.provenanceHeaders(res, attributed, now);

    const metadata: SuccessMetadata = {
      request_id: requestId,
      timestamp,
      data_source: p.dataSource,
      provider: p.provider,
      provider_host: p.providerHost,
      feed: p.feed,
      data_timestamp: p.dataTimestamp,
      data_freshness_seconds: freshness,
      market_status: attributed.marketStatus,
      cache: { status: cache.status, age_seconds: ageSeconds },
      upstream_request_ids: p.upstreamRequestIds,
    };
    if (p.tradingMode !== undefined) metadata['trading_mode'] = p.tradingMode;
    if (p.account !== undefined) metadata['account'] = p.account;
    if (p.quality !== undefined) metadata['data_quality'] = p.quality;
    if (clientRequestId !== null) metadata['client_request_id'] = clientRequestId;
    return { data: attributed.data, metadata };
  }

  /**
   * The headers every attributed answer carries (and its metrics): source, cache state, freshness,
   * Cache-Control. Returns the freshness and cache age the envelope repeats.
   */
  private provenanceHeaders(
    res: Response,
    attributed: Attributed<unknown>,
    now: number,
  ): { freshness: number | null; ageSeconds: number } {
    const { provenance: p, cache } = attributed;
    const upstreamMs = this.upstreamInstant(p);
    const freshness = upstreamMs === null ? null : roundSeconds(now - upstreamMs);
    const ageSeconds =
      cache.status === 'HIT' || cache.status === 'STREAM' ? roundSeconds(now - p.fetchedAt) : cache.ageSeconds;
    this.metrics.observeAttributedResponse(p.dataSource, freshness, cache.status, attributed.marketStatus);
    res.setHeader('X-Data-Source', p.dataSource);
    res.setHeader('X-Cache-Status', cache.status);
    if (freshness !== null) res.setHeader('X-Data-Freshness', String(freshness));
    res.setHeader('Cache-Control', this.cacheControl(attributed, ageSeconds));
    return { freshness, ageSeconds };
  }

  /** An answer in Alpaca's own shape: the rest of the envelope's provenance goes in headers too. */
  private wireHeaders(res: Response, attributed: Attributed<unknown>, now: number): void {
    const p = attributed.provenance;
    this.provenanceHeaders(res, attributed, now);
    res.setHeader('X-Data-Provider', p.provider);
    if (p.feed !== null) res.setHeader('X-Data-Feed', p.feed);
    if (p.dataTimestamp !== null) res.setHeader('X-Data-Timestamp', p.dataTimestamp);
    if (p.quality !== undefined) {
      let quality = this.qualityHeaders.get(p.quality);
      if (quality === undefined) {
        quality = qualityHeader(p.quality);
        this.qualityHeaders.set(p.quality, quality);
      }
      res.setHeader('X-Data-Quality', quality);
    }
    if (p.tradingMode !== undefined) res.setHeader('X-Trading-Mode', p.tradingMode);
    if (p.account !== undefined) res.setHeader('X-Alpaca-Account', p.account);
  }

  private upstreamInstant(p: Provenance): number | null {
    let ms = this.upstreamInstants.get(p);
    if (ms === undefined) {
      ms = p.dataTimestamp === null ? null : parseUpstreamTimestamp(p.dataTimestamp);
      this.upstreamInstants.set(p, ms);
    }
    return ms;
  }

  private cacheControl(result: Attributed<unknown>, ageSeconds: number): string {
    if (result.noStore) return 'no-store';
    const { maxAgeSeconds } = result.cache;
    if (maxAgeSeconds === null) return 'no-cache';
    return `private, max-age=${Math.max(0, Math.floor(maxAgeSeconds - ageSeconds))}`;
  }
}
