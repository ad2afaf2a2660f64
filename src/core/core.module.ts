import { DynamicModule, Global, MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { AttributionInterceptor } from './attribution/attribution.interceptor.js';
import { AppConfig } from './config/app-config.js';
import { GlobalExceptionFilter } from './errors/global-exception.filter.js';
import { JsonBodyMiddleware } from './errors/json-body.middleware.js';
import { createValidationPipe } from './errors/validation.js';
import { AccessLog } from './logging/access-log.js';
import { RequestLifecycleMiddleware } from './lifecycle/request-lifecycle.middleware.js';
import { WinstonLogger } from './logging/winston-logger.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { ReadinessRegistry } from './readiness/readiness.registry.js';
import { RedisService } from './redis/redis.service.js';
import { MarketCache } from './cache/market-cache.js';

export interface CoreOptions {
  config: AppConfig;
  logger: WinstonLogger;
}

/**
 * Cross-cutting pipeline registered as APP_* providers, so e2e tests that boot AppModule run
 * exactly what production runs: (request id, access log and HTTP metrics: RequestLifecycleMiddleware,
 * mounted by createApp) → JSON body (methods that carry one) →
 * pipe → handler → attribution interceptor, with the global filter for every failure.
 */
@Global()
@Module({})
export class CoreModule implements NestModule {
  static forRoot({ config, logger }: CoreOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [MetricsModule],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: WinstonLogger, useValue: logger },
        GlobalExceptionFilter,
        { provide: APP_FILTER, useExisting: GlobalExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: AttributionInterceptor },
        AccessLog,
        RequestLifecycleMiddleware,
        JsonBodyMiddleware,
        RedisService,
        ReadinessRegistry,
        MarketCache,
      ],
      exports: [
        AppConfig, WinstonLogger, RedisService, GlobalExceptionFilter, RequestLifecycleMiddleware,
        MetricsModule, ReadinessRegistry, MarketCache,
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    // The request lifecycle runs for every path (see app.factory); only API routes take JSON bodies,
    // and only on methods that carry one: a GET does not pay for a middleware it cannot use.
    consumer
      .apply(JsonBodyMiddleware)
      .forRoutes(...[RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE].map((method) => ({ path: '{*path}', method })));
  }
}
