import type { z } from 'zod';
import { accessSection } from './access.js';
import { alpacaSection } from './alpaca.js';
import { auditSection } from './audit.js';
import { cacheSection } from './cache.js';
import { jwtSection } from './jwt.js';
import { marketDataSection } from './market-data.js';
import { operationsSection } from './operations.js';
import { resilienceSection } from './resilience.js';
import { riskSection } from './risk.js';
import { serverSection } from './server.js';
import { storageSection } from './storage.js';
import { streamsSection } from './streams.js';
import { telemetrySection } from './telemetry.js';

/**
 * Every section of the configuration, each one schema over the environment variables it reads
 * (name, default, parse, rule and doc, once). Their outputs together are AppConfig's values; the
 * order is the order of the boot message's lines (within a kind of problem).
 */
export const CONFIG_SECTIONS = [
  serverSection,
  operationsSection,
  alpacaSection,
  storageSection,
  jwtSection,
  accessSection,
  auditSection,
  riskSection,
  marketDataSection,
  resilienceSection,
  cacheSection,
  streamsSection,
  telemetrySection,
] as const;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** AppConfig's values: every section's output. */
export type ConfigValues = UnionToIntersection<z.output<(typeof CONFIG_SECTIONS)[number]>>;
