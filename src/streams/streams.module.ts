import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { AppConfig } from '../core/config/app-config.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { RedisService } from '../core/redis/redis.service.js';
import { Clock } from '../core/time/clock.js';
import { FeedUpstreams } from './feed/feed-upstreams.js';
import { FleetStreamFeed } from './feed/fleet-stream-feed.js';
import { LocalStreamFeed } from './feed/local-stream-feed.js';
import { OrderEventAudit } from './orders/order-event-audit.js';
import { StreamAccess } from './stream-access.service.js';
import { StreamEventsController } from './stream-events.controller.js';
import { StreamFeed } from './feed/stream-feed.js';
import { StreamFrameLimiter } from './stream-frame-limiter.js';
import { StreamHub } from './hub/stream-hub.service.js';
import { StreamMetrics } from './stream-metrics.js';
import { StreamGateway } from './stream.gateway.js';

/**
 * The client stream: WebSocket and SSE transports over one hub. Its feed is the fleet's one
 * upstream socket per stream (stocks, options, and the trading stream's orders) relayed through
 * Redis when REDIS_URL is set, else this instance's own. Order events are also written to the
 * audit trail, once (OrderEventAudit).
 */
@Module({
  imports: [AlpacaModule, AuthModule, AuditModule],
  controllers: [StreamEventsController],
  providers: [
    StreamHub,
    StreamMetrics,
    StreamAccess,
    StreamFrameLimiter,
    StreamGateway,
    FeedUpstreams,
    OrderEventAudit,
    {
      provide: StreamFeed,
      inject: [FeedUpstreams, RedisService, AppConfig, WinstonLogger, StreamMetrics, Clock],
      useFactory: (
        upstreams: FeedUpstreams,
        redis: RedisService,
        config: AppConfig,
        logger: WinstonLogger,
        metrics: StreamMetrics,
        clock: Clock,
      ): StreamFeed =>
        redis.client() === null
          ? new LocalStreamFeed(upstreams, config, logger)
          : new FleetStreamFeed(upstreams, redis, config, logger, metrics, clock),
    },
  ],
  // The Alpaca-compatible face's streams are sessions of the same hub, authenticated and rate-limited alike.
  exports: [StreamHub, StreamAccess, StreamFrameLimiter],
})
export class StreamsModule {}
