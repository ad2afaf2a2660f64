import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfigOrExit } from './core/config/load-config.js';
import { GracefulShutdown } from './core/lifecycle/graceful-shutdown.js';
import { listenOrExit } from './core/lifecycle/listen-or-exit.js';
import { WinstonLogger } from './core/logging/winston-logger.js';
import { RiskPolicyError } from './risk/risk-policy.js';
import { loadPolicyFile } from './risk/risk-policy.service.js';
import { StreamHub } from './streams/hub/stream-hub.service.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  // A bad risk policy file stops the process before anything listens, naming the policy and the rule.
  if (config.risk.policyFile !== undefined) {
    try {
      loadPolicyFile(config.risk.policyFile);
    } catch (e: unknown) {
      if (!(e instanceof RiskPolicyError)) throw e;
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
  }
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
