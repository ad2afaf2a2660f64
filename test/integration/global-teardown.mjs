// Jest globalTeardown of the integration project: drops the database global-setup.mjs created.
import { tearDownTestDatabase } from './test-database.ts';

export default async function globalTeardown() {
  await tearDownTestDatabase(process.env);
}
