import { z } from 'zod';
import { atLeast, int, oneOf } from './fields.js';

export const LOG_LEVELS = ['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/** Operations: logs, the metrics endpoint's token, shutdown. */
export const operationsSection = z
  .object({
    LOG_LEVEL: oneOf(LOG_LEVELS, 'info'),
    LOG_FORMAT: oneOf(LOG_FORMATS, 'json'),
    METRICS_TOKEN: atLeast(16),
    /**
     * On SIGTERM: how long in-flight requests may take to finish after the listener closes, before
     * their connections are cut. Keep it below Kubernetes' terminationGracePeriodSeconds.
     */
    SHUTDOWN_GRACE_MS: int(10000, 0, 600000),
  })
  .transform((v) => ({
    log: { level: v.LOG_LEVEL, format: v.LOG_FORMAT },
    metricsToken: v.METRICS_TOKEN,
    /** SHUTDOWN_GRACE_MS: drain time for in-flight requests on SIGTERM. */
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
  }));
