import 'reflect-metadata';
import { createApp } from './app.factory.js';
import { loadConfigOrExit } from './core/config/load-config.js';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(process.env);
  const app = await createApp(config);
  await app.listen(config.port, config.host);
}

void bootstrap();
