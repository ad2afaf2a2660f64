// Jest globalSetup of the integration project: the run gets a PostgreSQL database of its own.
// Jest loads global hooks with Node's own loader (types stripped, no module mapping), so this
// plain module imports the TypeScript helper by its real name.
import { setUpTestDatabase } from './test-database.ts';

export default async function globalSetup() {
  await setUpTestDatabase(process.env);
}
