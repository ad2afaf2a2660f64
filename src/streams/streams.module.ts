import { Module } from '@nestjs/common';
import { AlpacaModule } from '../alpaca/alpaca.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { StreamAccess } from './stream-access.service.js';
import { StreamEventsController } from './stream-events.controller.js';
import { LocalStreamFeed } from './local-stream-feed.js';
import { StreamFeed } from './stream-feed.js';
import { StreamHub } from './stream-hub.service.js';
import { StreamMetrics } from './stream-metrics.js';
import { StreamGateway } from './stream.gateway.js';

/** The client stream: WebSocket and SSE transports over one hub, fed by Alpaca's stream sockets. */
@Module({
  imports: [AlpacaModule, AuthModule],
  controllers: [StreamEventsController],
  providers: [StreamHub, StreamMetrics, StreamAccess, StreamGateway, { provide: StreamFeed, useClass: LocalStreamFeed }],
  exports: [StreamHub],
})
export class StreamsModule {}
