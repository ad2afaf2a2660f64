import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfigOrExit } from './core/config/load-config.js';
import { GracefulShutdown } from './core/lifecycle/graceful-shutdown.js';
import { listenOrExit } from './core/lifecycle/listen-or-exit.js';
import { WinstonLogger } from './core/logging/winston-logger.js';
import { StreamHub } from './streams/stream-hub.service.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const app = await createApp(config);
  // Before listen, so every request is tracked; SIGTERM then drains instead of dropping them.
  const streams = app.get(StreamHub);
  new GracefulShutdown({
    app,
    server: app.getHttpServer(),
    graceMs: config.shutdownGraceMs,
    logger: app.get(WinstonLogger),
    onDrain: () => streams.handOver(),
  }).listen();
  // A taken port is an operator's mistake: one line naming the fix, not a stack trace.
  await listenOrExit(() => app.listen(config.port, config.host), [{ name: 'PORT' }, { name: 'HOST' }]);
}

void bootstrap();
