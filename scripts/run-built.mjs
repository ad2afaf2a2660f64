// Runs a compiled entry point of dist/ (npm run apikey, audit:verify, verify:response):
//   node scripts/run-built.mjs dist/src/auth/api-keys/apikey.cli.js [args...]
// It compiles (tsc -p tsconfig.build.json) only when the entry is missing or older than a source
// it is built from; on a built tree it starts at once. Plain JavaScript, so that it runs where no
// compiler is (the container image has dist/ and no src/: nothing to compare, the entry just runs).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** What tsconfig.build.json compiles into dist/, and the files that decide how. */
const SOURCE_DIRS = ['src', 'scripts', join('test', 'emulator')];
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'];
const COMPILED = /(?<!\.spec|\.e2e-spec|\.d)\.ts$/;

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (COMPILED.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the entry must be compiled first, or null when it is up to date (or there is nothing to compile). */
function staleness(entry) {
  const dirs = SOURCE_DIRS.map((d) => join(ROOT, d)).filter((d) => existsSync(d));
  if (!existsSync(join(ROOT, 'src')))
    return existsSync(entry) ? null : `${entry} is missing and there are no sources to build it from`;
  if (!existsSync(entry)) return `${entry} is missing`;
  const built = statSync(entry).mtimeMs;
  const sources = Math.max(
    ...dirs.map(newestSource),
    ...CONFIGS.map((c) => join(ROOT, c))
      .filter((c) => existsSync(c))
      .map((c) => statSync(c).mtimeMs),
  );
  return sources > built ? 'sources changed since the last build' : null;
}

const [target, ...args] = process.argv.slice(2);
if (target === undefined) {
  process.stderr.write('usage: node scripts/run-built.mjs dist/<entry>.js [args...]\n');
  process.exit(2);
}
const entry = resolve(ROOT, target);
const why = staleness(entry);
if (why !== null) {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  if (!existsSync(tsc) || !existsSync(join(ROOT, 'src'))) {
    process.stderr.write(`${why}; no TypeScript compiler here (npm ci, then npm run build)\n`);
    process.exit(2);
  }
  process.stderr.write(`building dist/ (${why}) ...\n`);
  // The compiler's messages go to stderr: stdout is the command's (audit:verify prints JSON).
  const build = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    process.stderr.write('the build failed; nothing was run\n');
    process.exit(build.status ?? 1);
  }
}
// The entry reads its arguments from process.argv.slice(2), as when started as `node <entry>`.
process.argv = [process.argv[0], entry, ...args];
await import(pathToFileURL(entry).href);
