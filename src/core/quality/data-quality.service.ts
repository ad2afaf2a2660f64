import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { Clock } from '../time/clock.js';
import {
  batchQuality,
  flagSet,
  quality,
  QualityChecks,
  type DataQuality,
  type QualityFlag,
  type QualityMoment,
} from './data-quality.js';

/** Nothing noticed: one shared, frozen answer (the common case costs no allocation). */
const CLEAN: DataQuality = Object.freeze({ checked: true, flags: Object.freeze([]) as unknown as QualityFlag[] });

/**
 * The meaning checks with the gateway's policy (QUALITY_FUTURE_SKEW_SECONDS,
 * QUALITY_MAX_AGE_SECONDS) and clock. Feature services run them once per value fetched, when it
 * enters the cache, and keep the result in the value's provenance: a cache hit carries its flags
 * at no cost. Every flag raised is counted (`opitios_data_quality_flags_total{flag}`).
 */
@Injectable()
export class DataQualityService {
  readonly checks: QualityChecks;

  constructor(
    config: AppConfig,
    private readonly clock: Clock,
    private readonly metrics: GatewayMetrics,
  ) {
    this.checks = new QualityChecks({
      futureSkewMs: config.quality.futureSkewSeconds * 1000,
      maxAgeMs: config.quality.maxAgeSeconds * 1000,
    });
  }

  /** The moment values are checked: now, and whether the market counts as open. */
  moment(marketOpen: boolean): QualityMoment {
    return { nowMs: this.clock.now(), marketOpen };
  }

  /** One value's result (flags in catalog order), counted. */
  of(...lists: QualityFlag[][]): DataQuality {
    const flags = flagSet(...lists);
    if (flags.length === 0) return CLEAN;
    for (const flag of flags) this.metrics.observeQualityFlag(flag);
    return quality(flags);
  }

  /** A fetched answer of several symbols: each symbol's flags (in catalog order) counted, with their union. */
  ofEach(perSymbol: Record<string, QualityFlag[]>): DataQuality {
    const items: Record<string, QualityFlag[]> = {};
    for (const [symbol, flags] of Object.entries(perSymbol)) items[symbol] = this.of(flags).flags;
    return batchQuality(items);
  }
}
