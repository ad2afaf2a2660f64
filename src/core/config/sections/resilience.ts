import { z } from 'zod';
import { int } from './fields.js';

/** Upstream resilience: deadlines, retries, circuit breakers, batching of cache misses. */
export const resilienceSection = z
  .object({
    /** A GET to Alpaca, retries included, never takes longer than this. */
    ALPACA_REQUEST_DEADLINE_MS: int(2500, 100, 60000),
    /** Attempts per GET (1 = no retry). Writes are never retried. */
    ALPACA_RETRY_MAX_ATTEMPTS: int(3, 1, 10),
    /** Consecutive failures that open a host's circuit. */
    CIRCUIT_FAILURE_THRESHOLD: int(5, 1, 10000),
    /** Failure share over the last 20 calls (at least 10) that opens the circuit, in percent; 0 turns this rule off. */
    CIRCUIT_FAILURE_RATIO_PERCENT: int(50, 0, 100),
    /** How long an open circuit refuses before letting one probe through. */
    CIRCUIT_OPEN_MS: int(5000, 100, 300000),
    /** Window in which cache misses for different symbols merge into one multi-symbol call. */
    BATCH_WINDOW_MS: int(5, 0, 1000),
  })
  .transform((v) => ({
    resilience: {
      requestDeadlineMs: v.ALPACA_REQUEST_DEADLINE_MS,
      retryMaxAttempts: v.ALPACA_RETRY_MAX_ATTEMPTS,
      circuitFailureThreshold: v.CIRCUIT_FAILURE_THRESHOLD,
      circuitFailureRatio: v.CIRCUIT_FAILURE_RATIO_PERCENT / 100,
      circuitOpenMs: v.CIRCUIT_OPEN_MS,
      batchWindowMs: v.BATCH_WINDOW_MS,
    },
  }));
