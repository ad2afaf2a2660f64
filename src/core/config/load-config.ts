import type { AppConfig } from './app-config.js';
import { ConfigValidationError, validateConfig } from './validate-config.js';

export interface ExitPort {
  exit(code: number): never;
  stderr: { write(text: string): unknown };
}

/**
 * Boot-time configuration: an invalid environment prints which variables are wrong (never their
 * values) and exits 1 instead of starting a gateway that would fail later.
 */
export function loadConfigOrExit(env: Record<string, string | undefined>, proc: ExitPort = process): AppConfig {
  try {
    return validateConfig(env);
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) {
      proc.stderr.write(`${e.message}\n`);
      return proc.exit(1);
    }
    throw e;
  }
}
