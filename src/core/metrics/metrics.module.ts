import { Global, Module } from '@nestjs/common';
import { GatewayMetrics } from './gateway-metrics.js';
import { UpstreamObserver } from './upstream-observer.js';

/**
 * The Prometheus registry and its feeders, global so the Alpaca adapter (UpstreamObserver), the
 * attribution interceptor and the error filter can report without knowing about prom-client.
 */
@Global()
@Module({
  providers: [GatewayMetrics, { provide: UpstreamObserver, useExisting: GatewayMetrics }],
  exports: [GatewayMetrics, UpstreamObserver],
})
export class MetricsModule {}
