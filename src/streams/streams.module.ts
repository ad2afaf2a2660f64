import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { MarketStreamGateway } from '../alpaca/market-stream.port.js';
import { AuthModule } from '../auth/auth.module.js';
import { AppConfig } from '../core/config/app-config.js';
import { WinstonLogger } from '../core/logging/winston-logger.js';
import { RedisService } from '../core/redis/redis.service.js';
import { FleetStreamFeed } from './fleet-stream-feed.js';
import { LocalStreamFeed } from './local-stream-feed.js';
import { StreamAccess } from './stream-access.service.js';
import { StreamEventsController } from './stream-events.controller.js';
import { StreamFeed } from './stream-feed.js';
import { StreamHub } from './stream-hub.service.js';
import { StreamMetrics } from './stream-metrics.js';
import { StreamGateway } from './stream.gateway.js';

/**
 * The client stream: WebSocket and SSE transports over one hub. Its feed is the fleet's one
 * upstream socket per endpoint relayed through Redis when REDIS_URL is set, else this instance's own.
 */
@Module({
  imports: [AlpacaModule, AuthModule],
  controllers: [StreamEventsController],
  providers: [
    StreamHub,
    StreamMetrics,
    StreamAccess,
    StreamGateway,
    {
      provide: StreamFeed,
      inject: [MarketStreamGateway, RedisService, AppConfig, WinstonLogger, StreamMetrics],
      useFactory: (gateway: MarketStreamGateway, redis: RedisService, config: AppConfig, logger: WinstonLogger, metrics: StreamMetrics): StreamFeed =>
        redis.client() === null ? new LocalStreamFeed(gateway, config, logger) : new FleetStreamFeed(gateway, redis, config, logger, metrics),
    },
  ],
  exports: [StreamHub],
})
export class StreamsModule {}
