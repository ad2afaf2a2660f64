import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { ConfigValidationError, validateConfig } from './core/config/validate-config.js';

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = validateConfig(process.env);
  } catch (e: unknown) {
    if (e instanceof ConfigValidationError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

void bootstrap();
