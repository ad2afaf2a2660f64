import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AttributionInterceptor } from './attribution/attribution.interceptor.js';
import { AppConfig } from './config/app-config.js';
import { GlobalExceptionFilter } from './errors/global-exception.filter.js';
import { JsonBodyParser } from './http/json-body.parser.js';
import { createValidationPipe } from './errors/validation.js';
import { AccessLog } from './logging/access-log.js';
import { RequestLifecycle } from './lifecycle/request-lifecycle.js';
import { WinstonLogger } from './logging/winston-logger.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReadinessRegistry } from './readiness/readiness.registry.js';
import { RedisService } from './redis/redis.service.js';
import { MarketCache } from './cache/market-cache.js';
import { Clock, SystemClock } from './time/clock.js';
import { DataQualityService } from './quality/data-quality.service.js';
import { Tracing } from './telemetry/tracing.js';

export interface CoreOptions {
  config: AppConfig;
  logger: WinstonLogger;
  /** What "now" is for ages and expiry; the system clock unless a test moves time itself. */
  clock?: Clock;
  /** OpenTelemetry tracing (off unless configured); built from config.telemetry when not given. */
  tracing?: Tracing;
}

/**
 * Cross-cutting pipeline: createApp's front middleware (security headers, RequestLifecycle's id,
 * access log and HTTP metrics, JsonBodyParser for requests with a body) → guards → pipe → handler
 * → attribution interceptor, with the global filter for every failure. The Nest parts are APP_*
 * providers, so e2e tests that boot the app through createApp run exactly what production runs.
 */
@Global()
@Module({})
export class CoreModule {
  static forRoot({ config, logger, clock, tracing }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [MetricsModule],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: WinstonLogger, useValue: logger },
        { provide: Clock, useValue: clock ?? new SystemClock() },
        { provide: Tracing, useValue: tracing ?? new Tracing(config.telemetry) },
        GlobalExceptionFilter,
        { provide: APP_FILTER, useExisting: GlobalExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: AttributionInterceptor },
        AccessLog,
        RequestLifecycle,
        JsonBodyParser,
        RedisService,
        ReadinessRegistry,
        MarketCache,
        DataQualityService,
      ],
      exports: [
        AppConfig,
        WinstonLogger,
        Clock,
        Tracing,
        RedisService,
        GlobalExceptionFilter,
        RequestLifecycle,
        JsonBodyParser,
        MetricsModule,
        ReadinessRegistry,
        MarketCache,
        DataQualityService,
      ],
    };
  }
}
