/**
 * README smoke test (issue 30): every command and URL that README.md and `npm run demo` print is
 * run, in order, against a demo started the way the README says, and answers as the README says.
 *
 * How the commands are found (nothing here is a copy of a README command):
 *  - README.md: every ```bash fence (and the ```json example outputs read here) is preceded by a
 *    marker line `<!-- readme-smoke: <id> -->`. A bash block is read as the shell would: a line
 *    ending in `\` continues on the next, blank lines and `#` lines are no commands, a `> …` line
 *    is the frame sent on the WebSocket the command above it opened, and a `# → …` line is the
 *    README's example output of the command above it. README_BLOCKS gives, per marker id, one
 *    step per command in order: a pattern the command must match and either a check that runs the
 *    command's own text, or the reason it cannot run here (SKIPPED, listed, never silent). A bash
 *    block without a marker, a marker not in README_BLOCKS, a block id no longer in the README, a
 *    command without a step or a step without a command fails the test; so does an edited command
 *    that no longer answers as its check expects.
 *  - the demo: the lines it prints, from its banner to "Ctrl-C stops both.": a line indented by
 *    four spaces is a command (unless it ends in `:`, a caption), "then send: …" is the frame for
 *    the WebSocket command above it, and a two-space line with URLs (Swagger UI, OpenAPI JSON,
 *    emulator, AsyncAPI) is fetched. DEMO_STEPS matches them one to one, in order, like the README.
 *
 * What is substituted, and why (SUBSTITUTIONS in one place below):
 *  - `127.0.0.1:3000` (and the emulator's 4010 / 4011) in README commands → the free loopback
 *    ports this run gave PORT, EMULATOR_DATA_PORT and EMULATOR_TRADING_PORT, as the README says to
 *    when the defaults are taken (CI shares the machine);
 *  - the demo stands in for the Alpaca account of "Use it with your Alpaca account" (its gateway
 *    for `npm start &`), and `npm run apikey` lines of the README run with the key file and audit
 *    keys of the demo's own printed `npm run apikey` line, so the keys they create are the demo's;
 *  - `$GW` / `$ADMIN` (Trading halt) are the demo's base URL and admin token; `$ID` / `$KEY`
 *    (Use your existing bot) are taken from the `apikey create` output as the README's comments say;
 *  - `/tmp/quote.txt` (demo) → a file in this test's temporary folder (removed with it);
 *  - `npx -y wscat …`: wscat is interactive (it reads frames from a terminal) and `npx -y` would
 *    fetch whatever version is newest from the registry on every CI run; the test parses the line
 *    with bash (`printf`), so URL and headers are exactly what wscat would get, and opens that
 *    socket with the `ws` package (the library wscat itself is built on), sending the printed frame.
 * `npm run demo` is `npm run build && node dist/scripts/demo.js` (package.json): the build part
 * runs only when dist/ is older than the sources (CI built it just before; rebuilding dist/ under
 * the other e2e suites running in parallel would pull it from under them), the rest as written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { ensureBuilt } from './support/built-gateway.js';

const ROOT = process.cwd();
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
/** Bound on one command (a hung command fails its step instead of the whole file's timeout). */
const COMMAND_TIMEOUT_MS = 20_000;

// ---------------------------------------------------------------------------------------------
// README.md, parsed

interface Command {
  /** The command as the shell reads it (continuation lines joined). */
  text: string;
  /** `> …` lines after it: frames sent on the WebSocket it opens. */
  send: string[];
  /** `# → …` lines after it: the README's example output. */
  example: string[];
}

interface MarkedBlock {
  id: string;
  lang: string;
  body: string;
}

const MARKER = /^<!-- readme-smoke: ([a-z0-9-]+) -->$/;

/** Every fenced block of the README with the marker line before it (id null when unmarked). */
function readmeFences(markdown: string): Array<MarkedBlock & { marked: boolean }> {
  const lines = markdown.split('\n');
  const fences: Array<MarkedBlock & { marked: boolean }> = [];
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^```(\w*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const end = lines.findIndex((l, j) => j > i && l === '```');
    if (end < 0) throw new Error(`README.md line ${i + 1}: fence never closed`);
    const marker = MARKER.exec(lines[i - 1] ?? '');
    fences.push({
      id: marker?.[1] ?? `unmarked block at README.md line ${i + 1}`,
      marked: marker !== null,
      lang: open[1] ?? '',
      body: lines.slice(i + 1, end).join('\n'),
    });
    i = end;
  }
  return fences;
}

function commandsOf(body: string): Command[] {
  const commands: Command[] = [];
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    let line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const last = commands.at(-1);
    if (line.startsWith('# →')) {
      if (last === undefined) throw new Error(`example output before any command: ${line}`);
      last.example.push(line.slice('# →'.length).trim());
      continue;
    }
    if (line.startsWith('#')) continue;
    if (line.startsWith('> ')) {
      if (last === undefined) throw new Error(`frame to send before any command: ${line}`);
      last.send.push(line.slice(2));
      continue;
    }
    while (line.endsWith('\\') && i + 1 < lines.length) {
      i += 1;
      line = `${line.slice(0, -1)}${lines[i] ?? ''}`;
    }
    commands.push({ text: line, send: [], example: [] });
  }
  return commands;
}

const FENCES = readmeFences(README);
function example(id: string): string {
  const block = FENCES.find((f) => f.id === id && f.marked);
  if (block === undefined) throw new Error(`README.md has no block marked readme-smoke: ${id}`);
  return block.body;
}

// ---------------------------------------------------------------------------------------------
// Processes: everything on loopback, bounded, and ended by this file

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Started {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the output once `pattern` matches it; rejects if the process exits first. */
  waitFor: (pattern: RegExp) => Promise<RegExpExecArray>;
  stop: () => Promise<void>;
}

const children = new Set<ChildProcess>();
let tmp = '';
/** Variables the commands export, carried to the next ones as a shell session would. */
const vars: Record<string, string> = {};

function shellEnv(extra: Record<string, string> = {}): Record<string, string> {
  // npm's update check would be the one request off loopback; the commands mean the same without it.
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? homedir(),
    TMPDIR: tmp,
    LANG: 'C.UTF-8',
    npm_config_update_notifier: 'false',
    ...vars,
    ...extra,
  };
}

/** Starts `argv` in a process group of its own (npm and curl children included in stop()). */
function start(argv: string[], env: Record<string, string>): Started {
  const [file = 'bash', ...args] = argv;
  const child = spawn(file, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.add(child);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer): void => {
    out += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  void exited.then(() => {
    children.delete(child);
    for (const l of listeners) l();
  });
  return {
    child,
    output: () => out,
    waitFor: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(out);
          if (m !== null) {
            listeners.delete(check);
            resolve(m);
          } else if (child.exitCode !== null || child.signalCode !== null) {
            listeners.delete(check);
            reject(new Error(`exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}:\n${out}`));
          }
        };
        listeners.add(check);
        check();
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, signal);
  } catch {
    // The group is gone already.
    child.kill(signal);
  }
}

/**
 * Runs one command line in bash, as pasted, to its end (killed at COMMAND_TIMEOUT_MS). Its stdout and
 * stderr are files, as a terminal or a script's redirection would be: Node's pipes to a child are
 * sockets, on which `tee /dev/stderr` (the demo's order line) cannot open /dev/stderr (ENXIO).
 */
async function sh(command: string, env: Record<string, string> = {}): Promise<Run> {
  const dir = mkdtempSync(join(tmp, 'sh-'));
  const [out, err] = [openSync(join(dir, 'stdout'), 'w'), openSync(join(dir, 'stderr'), 'w')];
  const child = spawn('bash', ['-c', command], {
    cwd: ROOT,
    env: shellEnv(env),
    stdio: ['ignore', out, err],
    detached: true,
  });
  children.add(child);
  closeSync(out);
  closeSync(err);
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), COMMAND_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  clearTimeout(timer);
  children.delete(child);
  const run = {
    code,
    stdout: readFileSync(join(dir, 'stdout'), 'utf8'),
    stderr: readFileSync(join(dir, 'stderr'), 'utf8'),
  };
  rmSync(dir, { recursive: true, force: true });
  return run;
}

/** Runs `export NAME=…` and keeps NAME's value for the commands after it. */
async function exportLine(
  command: string,
  env: Record<string, string> = {},
): Promise<{ name: string; value: string; run: Run }> {
  const name = /^export ([A-Za-z_][A-Za-z0-9_]*)=/.exec(command)?.[1];
  if (name === undefined) throw new Error(`not an export line: ${command}`);
  const run = await sh(`${command}\nprintf '%s' "$${name}"`, env);
  expect(run.code).toBe(0);
  vars[name] = run.stdout;
  return { name, value: run.stdout, run };
}

/** JSON.parse, failing with the text it could not read; the answer is JSON.parse's own type. */
function json(text: string): ReturnType<typeof JSON.parse> {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`not JSON: ${text.slice(0, 500)}`);
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Polls `check` until it holds (readiness, not a fixed sleep), for at most `timeoutMs`. */
async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function jwtPayload(token: string): ReturnType<typeof JSON.parse> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error(`not a JWT: ${token}`);
  return json(Buffer.from(part, 'base64url').toString('utf8'));
}

/** The keys a JSON value has, dotted (arrays by their first element), for "answers like the README's example". */
function keyPaths(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [] : keyPaths(value[0], `${prefix}[]`);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [`${prefix}${k}`, ...keyPaths(v, `${prefix}${k}.`)]);
}

function expectShapedLike(actual: unknown, readmeExample: unknown): void {
  const have = new Set(keyPaths(actual));
  // "...": "..." in an example stands for members the README does not list.
  const missing = keyPaths(readmeExample).filter((k) => !k.endsWith('...') && !have.has(k));
  expect(missing).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// The run: one demo, the README's commands against it

interface Demo {
  base: string;
  port: number;
  dataPort: number;
  tradingPort: number;
  adminToken: string;
  /** `AUDIT_HMAC_KEY=… AUDIT_LOG_PATH=… API_KEYS_FILE=…` of the demo's printed apikey line. */
  keyFileEnv: Record<string, string>;
  printed: string;
  process: Started;
}

let demo: Demo;

/** `npm run demo`'s run part, from package.json, after its build part when dist/ is stale. */
function demoArgv(): string[] {
  const script =
    (json(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>)['demo'] ?? '';
  const [build, run, ...rest] = script.split('&&').map((s) => s.trim());
  // The README says the demo builds first; if package.json stops saying so this test must be re-read.
  expect(build).toBe('npm run build');
  expect(rest).toEqual([]);
  ensureBuilt();
  const argv = (run ?? '').split(/\s+/);
  expect(argv[0]).toBe('node');
  return [process.execPath, ...argv.slice(1)];
}

/**
 * The `npm run emulator` line needs nothing of the demo (an emulator and a gateway of its own), so
 * it is started beside the demo's boot, the two slowest starts overlapping; its step, in README
 * order, waits for this outcome (the same command text, or it runs it then).
 */
const earlyRuns = new Map<string, Promise<void>>();

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'opitios-readme-smoke-'));
  for (const fence of FENCES.filter((f) => f.id === 'emulator-env')) {
    for (const command of commandsOf(fence.body)) {
      const run = emulatorEnvLine(command);
      // Its failure is reported by its step; unawaited until then.
      run.catch(() => undefined);
      earlyRuns.set(command.text, run);
    }
  }
  const [port, dataPort, tradingPort] = [await freePort(), await freePort(), await freePort()];
  const process_ = start(demoArgv(), {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? homedir(),
    TMPDIR: tmp,
    // The README's way to move the demo off taken ports; HOST is the demo's default, said explicitly.
    PORT: String(port),
    EMULATOR_DATA_PORT: String(dataPort),
    EMULATOR_TRADING_PORT: String(tradingPort),
    HOST: '127.0.0.1',
    // Log lines would go to the same stdout as the printed lines; warnings and errors still show.
    LOG_LEVEL: 'warn',
  });
  const printed = (await process_.waitFor(/\nopitios-alpaca demo [^\n]*\n[\s\S]*?\nCtrl-C stops both\.\n/))[0];
  const adminToken = /^ {4}export TOKEN=(\S+)$/m.exec(printed)?.[1] ?? '';
  const keyLine =
    /^ {4}(AUDIT_HMAC_KEY=\S+ AUDIT_LOG_PATH=\S+ API_KEYS_FILE=\S+) npm run apikey /m.exec(printed)?.[1] ?? '';
  const keyFileEnv = Object.fromEntries(
    keyLine.split(' ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  demo = {
    base: `http://127.0.0.1:${port}`,
    port,
    dataPort,
    tradingPort,
    adminToken,
    keyFileEnv,
    printed,
    process: process_,
  };
}, 50_000);

afterAll(async () => {
  await demo?.process.stop();
  // Anything a failed or unfinished step left running (an SSE curl, a gateway, a command started
  // early for a step a filtered run skips) ends with its whole group; then its run settles.
  for (const child of [...children]) killGroup(child, 'SIGKILL');
  await Promise.allSettled(earlyRuns.values());
  if (tmp !== '') rmSync(tmp, { recursive: true, force: true });
}, 30_000);

/** A README command with its host:port moved to this run's ports (see the file's header). */
function onOurPorts(command: string): string {
  // The emulator's 4010 / 4011 are moved by the one step that starts an emulator of its own.
  return command.replaceAll('127.0.0.1:3000', `127.0.0.1:${demo.port}`);
}

/** Waits until the demo accepts a key just written to its key file (it re-reads it every second). */
async function demoAccepts(key: string): Promise<void> {
  await until(
    `the demo to accept ${key.slice(0, 20)}…`,
    async () => (await fetch(`${demo.base}/api/v1/market/clock`, { headers: { 'X-API-Key': key } })).status === 200,
  );
}

// ---------------------------------------------------------------------------------------------
// Streams: an SSE curl line, and a wscat line opened with `ws`

/** Runs a `curl -sN …/stream/events…` line until every pattern has matched its output, then ends it. */
async function sseLine(command: string, patterns: RegExp[]): Promise<string> {
  const curl = start(['bash', '-c', command], shellEnv());
  try {
    for (const p of patterns) await curl.waitFor(p);
    return curl.output();
  } finally {
    await curl.stop();
  }
}

interface WsSession {
  frames: unknown[][];
  send: (text: string) => void;
  close: () => Promise<void>;
  next: (accept: (frame: unknown[]) => boolean) => Promise<unknown[]>;
}

/** `npx -y wscat -c URL -H "Name: value"…`: the arguments as bash expands them, opened with `ws`. */
async function wscat(command: string): Promise<WsSession> {
  expect(command).toMatch(/^npx -y wscat /);
  const args = await sh(`printf '%s\\0' ${command.replace(/^npx -y wscat /, '')}`);
  expect(args.code).toBe(0);
  const argv = args.stdout.split('\0').slice(0, -1);
  let url = '';
  const headers: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ''] = [argv[i], argv[i + 1]];
    if (flag === '-c') url = value;
    else if (flag === '-H')
      headers[value.slice(0, value.indexOf(':')).trim()] = value.slice(value.indexOf(':') + 1).trim();
    else throw new Error(`wscat option the test does not know: ${flag}`);
  }
  expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\//);
  const ws = new WebSocket(url, { headers });
  const frames: unknown[][] = [];
  const waiting = new Set<() => void>();
  ws.on('message', (data: Buffer) => {
    frames.push(json(data.toString('utf8')) as unknown[]);
    for (const w of waiting) w();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  let seen = 0;
  return {
    frames,
    send: (text) => ws.send(text),
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
    next: (accept) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          while (seen < frames.length) {
            const frame = frames[seen] ?? [];
            seen += 1;
            if (accept(frame)) {
              waiting.delete(check);
              resolve(frame);
              return;
            }
          }
          if (ws.readyState === WebSocket.CLOSED) reject(new Error(`socket closed; frames: ${JSON.stringify(frames)}`));
        };
        waiting.add(check);
        ws.once('close', check);
        check();
      }),
  };
}

/** The README's example stream frames (the ```json block after the Streams commands), one per message. */
function streamExamples(): unknown[][] {
  return example('streams-output')
    .split(/\n(?=\[)/)
    .map((m) => json(m) as unknown[]);
}

/** Opens the wscat line, sends its frame, and checks the README's subscription reply and a quote. */
async function wscatSubscribe(command: string, frame: string | undefined, expectedAck: unknown): Promise<void> {
  expect(frame).toBeDefined();
  const session = await wscat(command);
  try {
    session.send(frame ?? '');
    const ack = await session.next((f) => (f[0] as { type?: string } | undefined)?.type === 'subscription');
    expect(ack).toEqual(expectedAck);
    const sub = json(frame ?? '{}');
    const quoteFrame = await session.next((f) => f.some((m) => (m as { type?: string }).type === 'quote'));
    const quote = quoteFrame.find((m) => (m as { type?: string }).type === 'quote') as { symbol: string };
    expect(sub.quotes).toContain(quote.symbol);
    const readmeQuote = streamExamples()[1]?.[0];
    expect(readmeQuote).toBeDefined();
    expectShapedLike(quote, readmeQuote);
    expect(quote).toMatchObject({ provider: 'non_alpaca_host', feed: 'iex' });
  } finally {
    await session.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The steps: one per command, in order

type Check = (command: Command) => Promise<void>;
type Step = { match: RegExp; run: Check } | { match: RegExp; skip: string };

/** Every command skipped here, with why: what cannot run on a CI machine, never silently. */
const SKIPPED = {
  npmTest: 'npm test is the suite this file is part of: running it here would run this test again, inside itself',
  npmCi:
    'CI runs npm ci and npm run build before the tests (.ci/run); reinstalling node_modules while the other suites run would pull it from under them',
  alpacaKeys:
    "a real Alpaca account's key and secret (placeholders PK…, …): CI has none; the demo's Alpaca emulator stands in for the account",
  alpacaHost: "Alpaca's paper host needs the account above and the internet; the demo's emulator stands in",
  npmStart:
    "the gateway against the Alpaca account above; the demo's gateway (the same build) stands in for it, on its own port",
  docker:
    'no Docker daemon (nor a registry for node:26-bookworm-slim) on the CI machine; the image is not built here (README, "Node 26 against Node 20")',
  dockerExec: 'needs a running container of the image above',
} as const;

/** The account ids the demo's two account lines answered (they must differ). */
const accountIds: Record<string, string> = {};

/** The demo's printed lines, in order (URL lines are "url <label>", commands their text). */
const DEMO_STEPS: Step[] = [
  {
    match: /^url Swagger UI http:\/\/127\.0\.0\.1:\d+\/docs$/,
    run: async ({ text }) => {
      const res = await fetch(text.split(' ').at(-1) ?? '');
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('swagger-ui');
    },
  },
  {
    match: /^url OpenAPI JSON http:\/\/127\.0\.0\.1:\d+\/docs-json$/,
    run: async ({ text }) => {
      const res = await fetch(text.split(' ').at(-1) ?? '');
      expect(res.status).toBe(200);
      const spec = json(await res.text());
      expect(spec.openapi).toMatch(/^3\./);
      expect(Object.keys(spec.paths)).toContain('/api/v1/stocks/{symbol}/quote');
    },
  },
  {
    // "starts the emulator on EMULATOR_DATA_PORT and EMULATOR_TRADING_PORT": the ports given.
    match: /^url emulator http:\/\/\S+ http:\/\/\S+$/,
    run: async ({ text }) => {
      const [, , data, trading] = text.split(' ');
      expect([data, trading]).toEqual([`http://127.0.0.1:${demo.dataPort}`, `http://127.0.0.1:${demo.tradingPort}`]);
      for (const url of [data, trading]) expect((await fetch(`${url}/v2/clock`)).status).toBe(401);
    },
  },
  {
    match: /^export TOKEN=\S+$/,
    run: async ({ text }) => {
      const { value } = await exportLine(text);
      expect(jwtPayload(value).roles).toEqual(['admin']);
    },
  },
  {
    match: /^export TRADER_TOKEN=\S+$/,
    run: async ({ text }) => {
      const { value } = await exportLine(text);
      expect(jwtPayload(value).roles).toEqual(['trader']);
    },
  },
  {
    match:
      /^AUDIT_HMAC_KEY=\S+ AUDIT_LOG_PATH=\S+ API_KEYS_FILE=\S+ npm run apikey -- create --name mybot --roles premium$/,
    run: async ({ text }) => {
      const run = await sh(text);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/created key [0-9a-f]{16} "mybot" roles=premium/);
      const key = /^(oa_[0-9a-f]{16}_\S+)$/m.exec(run.stdout)?.[1] ?? '';
      await demoAccepts(key);
    },
  },
  {
    match: /^curl -s -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stocks\/AAPL\/quote$/,
    run: async ({ text }) => {
      const run = await sh(text);
      const body = json(run.stdout);
      // The README's "A success" example, with the demo's provenance (README, "The two commands").
      expectShapedLike(body, json(example('success-example')));
      expect(body.data.symbol).toBe('AAPL');
      expect(body.metadata).toMatchObject({
        provider: 'non_alpaca_host',
        provider_host: `127.0.0.1:${demo.dataPort}`,
        feed: 'iex',
      });
    },
  },
  {
    match:
      /^curl -s -H "Authorization: Bearer \$TOKEN" 'http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stocks\/AAPL\/bars\?timeframe=1Day&limit=5&sort=desc'$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(body.data).toMatchObject({ symbol: 'AAPL', timeframe: '1Day' });
      const bars = body.data.bars as Array<{ timestamp: string }>;
      expect(bars.length).toBeGreaterThan(0);
      expect(bars.length).toBeLessThanOrEqual(5);
      // sort=desc, and "news and bars are from the last days" (live dates).
      expect([...bars].sort((a, b) => b.timestamp.localeCompare(a.timestamp))).toEqual(bars);
      expect(Date.now() - Date.parse(bars[0]?.timestamp ?? '')).toBeLessThan(10 * 86_400_000);
    },
  },
  {
    match:
      /^curl -s -H "Authorization: Bearer \$TOKEN" -X POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stocks\/quotes\/batch .*"symbols":\["AAPL","MSFT","ZZZZ"\]/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      // "Unknown symbols are 404 SYMBOL_NOT_FOUND (in a batch: a per-symbol error beside the successes)".
      expect(JSON.stringify(body.data)).toContain('SYMBOL_NOT_FOUND');
      expect(JSON.stringify(body.data)).toContain('"MSFT"');
      expect(JSON.stringify(body.data)).toContain('bid_price');
    },
  },
  {
    match: /^curl -s -H 'X-API-Key: oa_[0-9a-f]{16}_\S+' http:\/\/127\.0\.0\.1:\d+\/api\/v1\/market\/clock$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(typeof body.data.is_open).toBe('boolean');
    },
  },
  {
    match:
      /^export ORDER_ID=\$\(curl -s -H "Authorization: Bearer \$TRADER_TOKEN" .* -X POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders -d '\{"symbol":"AAPL","qty":"1",.*\| tee \/dev\/stderr \| node -pe .*\)$/,
    run: async ({ text }) => {
      const { value, run } = await exportLine(text);
      expect(value).toMatch(/^[0-9a-f-]{36}$/);
      // The order the tee showed, placed on the emulator: "Every response says the data is the emulator's".
      const order = json(run.stderr.trim());
      expect(order.data).toMatchObject({
        id: value,
        symbol: 'AAPL',
        qty: '1',
        side: 'buy',
        type: 'limit',
        limit_price: '150',
      });
      expect(order.metadata).toMatchObject({ provider: 'non_alpaca_host', trading_mode: 'non_alpaca_host' });
    },
  },
  {
    match:
      /^curl -s -H "Authorization: Bearer \$TRADER_TOKEN" -X DELETE http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders\/\$ORDER_ID$/,
    run: async ({ text }) => {
      const run = await sh(`${text} -w '\\n%{http_code}'`);
      expect(run.stdout.trim().split('\n').at(-1)).toMatch(/^20[04]$/);
      const list = await fetch(`${demo.base}/api/v1/orders/${vars['ORDER_ID'] ?? ''}`, {
        headers: { Authorization: `Bearer ${vars['TRADER_TOKEN'] ?? ''}` },
      });
      expect((await list.json()).data.status).toMatch(/^(canceled|pending_cancel)$/);
    },
  },
  ...(['paper', 'live'] as const).map((account): Step => ({
    match: new RegExp(
      `^curl -s -H "Authorization: Bearer \\$TRADER_TOKEN" -H 'X-Alpaca-Account: ${account}' http://127\\.0\\.0\\.1:\\d+/api/v1/account$`,
    ),
    run: async ({ text }) => {
      // The demo says: two accounts, picked with X-Alpaca-Account; the answer names the one that answered.
      const body = json((await sh(text)).stdout);
      expect(body.metadata).toMatchObject({ account, trading_mode: 'non_alpaca_host' });
      expect(body.data).toEqual(expect.objectContaining({ id: expect.any(String), status: 'ACTIVE' }));
      // "Alpaca" was asked with that account's own keys: the emulator logged the read under its name.
      const log = await fetch(`http://127.0.0.1:${demo.tradingPort}/__emulator/requests?account=${account}`);
      const reads = ((await log.json()) as Array<{ method: string; path: string }>).filter(
        (r) => r.method === 'GET' && r.path === '/v2/account',
      );
      expect(reads.length).toBeGreaterThan(0);
      accountIds[account] = String(body.data.id);
      if (account === 'live') expect(accountIds['live']).not.toBe(accountIds['paper']);
    },
  })),
  {
    // The paper key, bound to paper alone: its own account without a header.
    match: /^curl -s -H 'X-API-Key: oa_[0-9a-f]{16}_\S+' http:\/\/127\.0\.0\.1:\d+\/api\/v1\/account$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(body.metadata).toMatchObject({ account: 'paper' });
      expect(String(body.data.id)).toBe(accountIds['paper']);
    },
  },
  {
    // The live key asking for paper: the demo says 403 ACCOUNT_NOT_ALLOWED.
    match:
      /^curl -s -H 'X-API-Key: oa_[0-9a-f]{16}_\S+' -H 'X-Alpaca-Account: paper' http:\/\/127\.0\.0\.1:\d+\/api\/v1\/account\s+# 403 ACCOUNT_NOT_ALLOWED: live's key$/,
    run: async ({ text }) => {
      const run = await sh(`${text.replace(/\s+#.*$/, '')} -w '\\n%{http_code}'`);
      const [body = '', status] = run.stdout.split('\n');
      expect(status).toBe('403');
      expect(json(body).error).toMatchObject({
        code: 'ACCOUNT_NOT_ALLOWED',
        details: { account: 'paper', allowed: ['live'] },
      });
    },
  },
  {
    match:
      /^curl -s -H "Authorization: Bearer \$TRADER_TOKEN" -H 'content-type: application\/json' -X POST http:\/\/127\.0\.0\.1:\d+\/api\/v1\/orders -d '\{"symbol":"AAPL","qty":"100",/,
    run: async ({ text }) => {
      // The demo says: 422 RISK_LIMIT_EXCEEDED, details.rule max_order_qty.
      const run = await sh(`${text} -w '\\n%{http_code}'`);
      const [body = '', status] = run.stdout.split('\n');
      expect(status).toBe('422');
      expect(json(body).error).toMatchObject({ code: 'RISK_LIMIT_EXCEEDED', details: { rule: 'max_order_qty' } });
    },
  },
  {
    match:
      /^curl -sN -H "Authorization: Bearer \$TOKEN" 'http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stream\/events\?quotes=AAPL,MSFT&trades=AAPL'$/,
    run: async ({ text }) => {
      await sseLine(text, [
        /event: subscription\ndata: \{"type":"subscription","quotes":\["AAPL","MSFT"\],"trades":\["AAPL"\]/,
        /event: quote\ndata: \{"type":"quote","symbol":"AAPL"/,
        /event: quote\ndata: \{"type":"quote","symbol":"MSFT"/,
        /event: trade\ndata: \{"type":"trade","symbol":"AAPL"/,
      ]);
    },
  },
  {
    match: /^npx -y wscat -c ws:\/\/127\.0\.0\.1:\d+\/api\/v1\/stream -H "Authorization: Bearer \$TOKEN"$/,
    // The README shows this very subscription's reply (Streams).
    run: async ({ text, send }) => wscatSubscribe(text, send[0], streamExamples()[0]),
  },
  {
    match: /^curl -s -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:\d+\/api\/v1\/audit\/verify$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(body.data).toMatchObject({ ok: true, first_broken: null });
      expect(body.data.records_checked).toBeGreaterThan(0);
    },
  },
  {
    match:
      /^curl -si -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:\d+\/api\/v1\/stocks\/AAPL\/quote > \/tmp\/quote\.txt && npm run verify:response -- \/tmp\/quote\.txt /,
    run: async ({ text }) => {
      const run = await sh(text.replaceAll('/tmp/quote.txt', join(tmp, 'quote.txt')));
      expect(run.stderr).not.toContain('usage:');
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/^verified: status 200, key \S+, request req_/m);
    },
  },
  {
    match:
      /^AUDIT_HMAC_KEY=\S+ AUDIT_LOG_PATH=\S+ AUDIT_VERIFY_PUBLIC_KEY=http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json npm run audit:verify$/,
    run: async ({ text }) => {
      const run = await sh(text);
      expect(run.code).toBe(0);
      // The chain and, with the public key, its signed checkpoints (the demo signs them).
      const report = json(run.stdout.slice(run.stdout.indexOf('{')));
      expect(report.ok).toBe(true);
    },
  },
  {
    match:
      /^curl -s -H 'APCA-API-KEY-ID: [0-9a-f]{16}' -H 'APCA-API-SECRET-KEY: oa_\S+' 'http:\/\/127\.0\.0\.1:\d+\/v2\/stocks\/quotes\/latest\?symbols=AAPL,MSFT'$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(Object.keys(body.quotes).sort()).toEqual(['AAPL', 'MSFT']);
      expect(body.quotes.AAPL).toEqual(
        expect.objectContaining({ ap: expect.any(Number), bp: expect.any(Number), t: expect.any(String) }),
      );
    },
  },
  {
    match:
      /^curl -s -H 'APCA-API-KEY-ID: [0-9a-f]{16}' -H 'APCA-API-SECRET-KEY: oa_\S+' http:\/\/127\.0\.0\.1:\d+\/v2\/account$/,
    run: async ({ text }) => {
      const body = json((await sh(text)).stdout);
      expect(body).toEqual(expect.objectContaining({ id: expect.any(String), status: 'ACTIVE', currency: 'USD' }));
    },
  },
  {
    match: /^url AsyncAPI http:\/\/127\.0\.0\.1:\d+\/asyncapi\.json$/,
    run: async ({ text }) => {
      const res = await fetch(text.split(' ').at(-1) ?? '');
      expect(res.status).toBe(200);
      expect(json(await res.text()).asyncapi).toMatch(/^3\./);
    },
  },
];

/** The demo's printed lines as commands and URL lines (see the file's header). */
function demoItems(printed: string): Command[] {
  const items: Command[] = [];
  for (const line of printed.split('\n')) {
    const send = /^ {6}then send: (.+)$/.exec(line);
    if (send !== null) {
      const last = items.at(-1);
      if (last === undefined) throw new Error(`frame to send before any command: ${line}`);
      last.send.push(send[1] ?? '');
      continue;
    }
    const command = /^ {4}(\S.*)$/.exec(line);
    if (command !== null) {
      if (!line.endsWith(':')) items.push({ text: command[1] ?? '', send: [], example: [] });
      continue;
    }
    const urls = /^ {2}(\S[^:]*?)\s{2,}(.*)$/.exec(line);
    const found = urls?.[2]?.match(/\b(?:https?|wss?):\/\/\S+/g);
    if (urls !== null && found) items.push({ text: `url ${urls[1] ?? ''} ${found.join(' ')}`, send: [], example: [] });
  }
  return items;
}

async function runSteps(
  where: string,
  commands: Command[],
  steps: Step[],
  substitute: (c: string) => string = (c) => c,
): Promise<void> {
  const listed = (list: Array<{ text?: string; match?: RegExp }>): string =>
    list.map((x) => `  ${x.text ?? String(x.match)}`).join('\n');
  // One step per command, in order: a command the steps do not know, or a step whose command is gone, fails here.
  if (commands.length !== steps.length)
    throw new Error(
      `${where}: ${commands.length} commands, ${steps.length} steps\ncommands:\n${listed(commands)}\nsteps:\n${listed(steps)}`,
    );
  for (const [i, command] of commands.entries()) {
    const step = steps[i];
    if (step === undefined) throw new Error(`${where}: no step ${i + 1}`);
    if (!step.match.test(command.text))
      throw new Error(
        `${where}: command ${i + 1} is not what the test runs here:\n  ${command.text}\nexpected ${step.match}`,
      );
    if ('skip' in step) continue;
    try {
      await step.run({ ...command, text: substitute(command.text) });
    } catch (e) {
      throw new Error(`${where}, command ${i + 1}: ${command.text}\n${e instanceof Error ? e.message : String(e)}`, {
        cause: e,
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The README's blocks, by marker

/** The emulator's printed gateway environment line, started for the "npm run emulator" block. */
async function emulatorEnvLine({ text }: Command): Promise<void> {
  const script =
    (json(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>)['emulator'] ?? '';
  expect(script).toBe('npm run build && node dist/scripts/emulator.js');
  const [dataPort, tradingPort, port] = [await freePort(), await freePort(), await freePort()];
  const emulator = start(
    [process.execPath, 'dist/scripts/emulator.js'],
    shellEnv({ EMULATOR_DATA_PORT: String(dataPort), EMULATOR_TRADING_PORT: String(tradingPort) }),
  );
  let gateway: Started | undefined;
  try {
    const printed = (await emulator.waitFor(/^ {4}(APCA_API_KEY_ID=.* JWT_SECRET=(\S+))$/m))[1] ?? '';
    const secret = /JWT_SECRET=(\S+)$/.exec(printed)?.[1] ?? '';
    expect(secret).toHaveLength(43);
    // The README's line is the printed one, with its placeholder for the secret and the default ports.
    const readmeLine = text.replace(/ npm start$/, '');
    expect(
      printed
        .replace(`JWT_SECRET=${secret}`, 'JWT_SECRET=<43 random characters, printed>')
        .replaceAll(`:${dataPort}`, ':4010')
        .replaceAll(`:${tradingPort}`, ':4011'),
    ).toBe(readmeLine);
    // Then the README's line, as `npm start` after `npm run build`: the gateway boots on it and Alpaca (the emulator) accepts the keys.
    const line = text
      .replace('<43 random characters, printed>', secret)
      .replaceAll('127.0.0.1:4010', `127.0.0.1:${dataPort}`)
      .replaceAll('127.0.0.1:4011', `127.0.0.1:${tradingPort}`);
    gateway = start(
      ['bash', '-c', line],
      shellEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        API_KEYS_FILE: join(tmp, 'emulator-gw-keys.json'),
        AUDIT_LOG_PATH: join(tmp, 'emulator-gw-audit.jsonl'),
      }),
    );
    const started = gateway;
    await until(
      'the gateway on the emulator line to be ready',
      async () => {
        if (started.child.exitCode !== null) throw new Error(`gateway exited: ${started.output()}`);
        return (await fetch(`http://127.0.0.1:${port}/api/v1/health/ready`).catch(() => null))?.status === 200;
      },
      20_000,
    );
  } finally {
    await gateway?.stop();
    await emulator.stop();
  }
}

const README_BLOCKS: Record<string, Step[]> = {
  'two-commands': [
    {
      // Started in beforeAll as package.json's demo script says; here its printed lines run, in order.
      match: /^npm run demo\s+# builds, starts the Alpaca emulator and the gateway against it, prints URLs$/,
      run: async () => runSteps('npm run demo printed', demoItems(demo.printed), DEMO_STEPS),
    },
    { match: /^npm test\b/, skip: SKIPPED.npmTest },
  ],
  'node-lts': [
    {
      match: /^export PATH="\$\(bash scripts\/node-lts\.sh\):\$PATH"$/,
      run: async ({ text }) => {
        const version = readFileSync(join(ROOT, '.nvmrc'), 'utf8').trim().replace(/^v/, '');
        const cached = join(
          process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'),
          'opitios-alpaca',
          `node-${version}`,
          'bin',
          'node',
        );
        // Without the cached binary the line downloads Node (tens of MB) from the registry: .ci/run
        // runs this very line itself when the machine's node is older, so it is checked there.
        if (!existsSync(cached)) return;
        const { run } = await exportLine(text);
        expect(run.code).toBe(0);
        const node = await sh('node --version');
        expect(node.stdout.trim()).toBe(`v${version}`);
        delete vars['PATH'];
      },
    },
  ],
  'emulator-env': [
    {
      match: /^APCA_API_KEY_ID=\S+ APCA_API_SECRET_KEY=\S+ .*JWT_SECRET=<43 random characters, printed> npm start$/,
      run: async (command) => earlyRuns.get(command.text) ?? emulatorEnvLine(command),
    },
  ],
  'alpaca-account': [
    { match: /^npm ci && npm run build$/, skip: SKIPPED.npmCi },
    { match: /^export APCA_API_KEY_ID=PK…/, skip: SKIPPED.alpacaKeys },
    { match: /^export APCA_API_SECRET_KEY=…/, skip: SKIPPED.alpacaKeys },
    { match: /^export APCA_API_BASE_URL=https:\/\/paper-api\.alpaca\.markets\s/, skip: SKIPPED.alpacaHost },
    {
      match: /^export JWT_SECRET=\$\(node -e /,
      run: async ({ text }) => {
        const { value } = await exportLine(text);
        expect(value.length).toBeGreaterThanOrEqual(32);
        delete vars['JWT_SECRET'];
      },
    },
    {
      match: /^export KEY=\$\(npm run -s apikey -- create --name me --roles premium \| tail -n 1\)$/,
      run: async ({ text }) => {
        const { value } = await exportLine(text, demo.keyFileEnv);
        expect(value).toMatch(/^oa_[0-9a-f]{16}_\S{20,}$/);
        // `npm start` would read the key file at boot; the running demo re-reads it within a second.
        await demoAccepts(value);
      },
    },
    { match: /^npm start &$/, skip: SKIPPED.npmStart },
    {
      match: /^until curl -sf -o \/dev\/null http:\/\/127\.0\.0\.1:3000\/api\/v1\/health\/ready; do sleep 0\.5; done/,
      run: async ({ text }) => expect((await sh(text)).code).toBe(0),
    },
    {
      match:
        /^export TOKEN=\$\(curl -s -X POST -H "X-API-Key: \$KEY" http:\/\/127\.0\.0\.1:3000\/api\/v1\/auth\/token \| node -pe /,
      run: async ({ text }) => {
        const { value } = await exportLine(text);
        expect(jwtPayload(value)).toMatchObject({ roles: ['premium'] });
        // "a token for the key (1 h, JWT_TTL_SECONDS)"
        const { exp, iat } = jwtPayload(value) as { exp: number; iat: number };
        expect(exp - iat).toBe(3600);
      },
    },
    {
      match: /^curl -s -H "Authorization: Bearer \$TOKEN" http:\/\/127\.0\.0\.1:3000\/api\/v1\/stocks\/AAPL\/quote$/,
      run: async ({ text }) => {
        const body = json((await sh(text)).stdout);
        expect(body.data.symbol).toBe('AAPL');
        expect(body.metadata.feed).toBe('iex');
      },
    },
    {
      match:
        /^curl -sN -H "Authorization: Bearer \$TOKEN" 'http:\/\/127\.0\.0\.1:3000\/api\/v1\/stream\/events\?quotes=AAPL'$/,
      run: async ({ text }) => {
        await sseLine(text, [
          /event: authenticated\ndata: \{"type":"authenticated","subject":"key:[0-9a-f]{16}","roles":\["premium"\]\}/,
          /event: quote\ndata: \{"type":"quote","symbol":"AAPL"/,
        ]);
      },
    },
    {
      match:
        /^npx -y wscat -c ws:\/\/127\.0\.0\.1:3000\/api\/v1\/stream -H "Authorization: Bearer \$TOKEN"\s+# then send (\{.*\})$/,
      run: async ({ text }) => {
        // The frame to send is in the line's comment; the comment itself is no argument of wscat.
        const frame = /# then send (\{.*\})$/.exec(text)?.[1];
        const ack = {
          type: 'subscription',
          quotes: ['AAPL'],
          trades: [],
          bars: [],
          updated_bars: [],
          daily_bars: [],
          statuses: [],
          lulds: [],
          option_quotes: [],
          option_trades: [],
          orders: false,
        };
        await wscatSubscribe(text.replace(/\s+#.*$/, ''), frame, [ack]);
      },
    },
  ],
  apikeys: [
    {
      match: /^npm run apikey -- create --name bot1 --roles premium\s/,
      run: async ({ text }) => {
        const run = await sh(text, demo.keyFileEnv);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/created key [0-9a-f]{16} "bot1" roles=premium[^\n]*\noa_[0-9a-f]{16}_\S+\n$/);
      },
    },
    {
      match: /^npm run apikey -- list$/,
      run: async ({ text }) => {
        const run = await sh(text, demo.keyFileEnv);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(
          /^[0-9a-f]{16} {2}bot1 {2}roles=premium {2}risk_policy=default {2}accounts=first {2}created=\S+ {2}active$/m,
        );
      },
    },
    ...(
      [
        'roles bot1 --roles viewer',
        'revoke bot1',
        'create --name bot2 --roles trader --risk-policy bots',
        'risk-policy bot2 default',
      ] as const
    ).map((args, i): Step => ({
      match: new RegExp(`^npm run apikey -- ${args.replaceAll(' ', '\\s+')}(\\s+#.*)?$`),
      run: async ({ text }) => {
        const run = await sh(text, demo.keyFileEnv);
        expect(run.stderr).not.toMatch(/no active key/);
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(
          [
            /"bot1" roles=viewer/,
            /^revoked [0-9a-f]{16} "bot1"$/m,
            /"bot2" roles=trader risk_policy=bots/,
            /"bot2" risk_policy=default/,
          ][i],
        );
      },
    })),
  ],
  'trading-halt': [
    {
      match:
        /^curl -X POST \$GW\/api\/v1\/admin\/trading\/halt -H "Authorization: Bearer \$ADMIN" -H 'Content-Type: application\/json'\s+-d '\{"scope": "all", /,
      run: async ({ text }) => {
        const body = json((await sh(text, { GW: demo.base, ADMIN: demo.adminToken })).stdout);
        expect(body.data).toMatchObject({
          halt: { scope: 'all', reason: 'runaway bot under review' },
          replaced: null,
          propagation: 'none',
        });
      },
    },
    {
      match: /^curl -X POST \$GW\/api\/v1\/admin\/trading\/halt … -d '\{"scope": "key:[0-9a-f]{16}", /,
      run: async ({ text }) => {
        // "…" is the README's shorthand for the line above's headers.
        const headers = `-H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json'`;
        const body = json(
          (await sh(text.replace(' … ', ` ${headers} `), { GW: demo.base, ADMIN: demo.adminToken })).stdout,
        );
        expect(body.data.halt).toMatchObject({ scope: 'key:3f2c9a0b1d4e5f60', reason: 'bot 7 misbehaves' });
      },
    },
    {
      match: /^curl \$GW\/api\/v1\/admin\/trading\/halt -H "Authorization: Bearer \$ADMIN"$/,
      run: async ({ text, example: said }) => {
        const body = json((await sh(text, { GW: demo.base, ADMIN: demo.adminToken })).stdout);
        // The README's "# → {…}" line, its trailing ", …" (the metadata) cut.
        const readme = json((said[0] ?? '').replace(/,\s*…\s*\}$/, '}'));
        expectShapedLike(body, readme);
        expect(body.data.state).toBe(readme.data.state);
        expect(body.data.halts.map((h: { scope: string }) => h.scope).sort()).toEqual(['all', 'key:3f2c9a0b1d4e5f60']);
        expect(body.data.halts[0].by).toMatch(/^key:[0-9a-f]{16}$/);
      },
    },
    {
      match:
        /^curl -X DELETE "\$GW\/api\/v1\/admin\/trading\/halt\?scope=all&reason=review%20done" -H "Authorization: Bearer \$ADMIN"$/,
      run: async ({ text }) => {
        const body = json((await sh(text, { GW: demo.base, ADMIN: demo.adminToken })).stdout);
        expect(body.data).toMatchObject({ resumed: true, halt: { scope: 'all' } });
      },
    },
  ],
  streams: [
    {
      match:
        /^curl -sN -H "Authorization: Bearer \$TOKEN" 'http:\/\/127\.0\.0\.1:3000\/api\/v1\/stream\/events\?quotes=AAPL,MSFT&trades=AAPL'$/,
      run: async ({ text }) => {
        // "the same messages, event = type"
        await sseLine(text, [
          /event: quote\ndata: \{"type":"quote","symbol":"MSFT"/,
          /event: trade\ndata: \{"type":"trade","symbol":"AAPL"/,
        ]);
      },
    },
    {
      match: /^npx -y wscat -c ws:\/\/127\.0\.0\.1:3000\/api\/v1\/stream -H "Authorization: Bearer \$TOKEN"$/,
      // $TOKEN is the premium key's here (the block above exported it): option quotes are premium.
      run: async ({ text, send }) => wscatSubscribe(text, send[0], streamExamples()[0]),
    },
  ],
  'bot-keys': [
    {
      match: /^npm run apikey -- create --name mybot --roles trader\s+# prints oa_<16 hex>_<secret>$/,
      run: async ({ text }) => {
        const run = await sh(text, demo.keyFileEnv);
        expect(run.code).toBe(0);
        const key = /^oa_([0-9a-f]{16})_\S+$/m.exec(run.stdout);
        expect(key).not.toBeNull();
        // "APCA-API-KEY-ID = the 16 hex digits after oa_", "APCA-API-SECRET-KEY = the whole key as printed"
        vars['ID'] = key?.[1] ?? '';
        vars['KEY'] = key?.[0] ?? '';
        await demoAccepts(vars['KEY']);
      },
    },
    {
      match:
        /^curl -s -H "APCA-API-KEY-ID: \$ID" -H "APCA-API-SECRET-KEY: \$KEY" 'http:\/\/127\.0\.0\.1:3000\/v2\/stocks\/quotes\/latest\?symbols=AAPL,MSFT'$/,
      run: async ({ text }) => {
        const body = json((await sh(text)).stdout);
        expect(Object.keys(body.quotes).sort()).toEqual(['AAPL', 'MSFT']);
      },
    },
  ],
  'docker-build': [
    { match: /^docker build -f docker\/Dockerfile /, skip: SKIPPED.docker },
    { match: /^docker compose -f docker\/docker-compose\.yml up --build/, skip: SKIPPED.docker },
  ],
  'docker-exec': [
    {
      match:
        /^docker compose -f docker\/docker-compose\.yml exec gateway node dist\/src\/auth\/api-keys\/apikey\.cli\.js create /,
      skip: SKIPPED.dockerExec,
    },
    {
      match: /^docker exec <container> node dist\/src\/auth\/api-keys\/apikey\.cli\.js list/,
      skip: SKIPPED.dockerExec,
    },
    { match: /^docker exec <container> node dist\/src\/audit\/audit-verify\.cli\.js/, skip: SKIPPED.dockerExec },
  ],
};
/** Marked blocks that are example outputs, read by the steps above (not run). */
const EXAMPLES = new Set(['success-example', 'streams-output']);

describe('README smoke test: the README and the demo, run in order', () => {
  it('every ```bash block of README.md is marked, and every marker is one this test runs', () => {
    const unmarked = FENCES.filter((f) => f.lang === 'bash' && !f.marked).map((f) => f.id);
    expect(unmarked).toEqual([]);
    const marked = FENCES.filter((f) => f.marked).map((f) => f.id);
    expect(marked.filter((id) => !(id in README_BLOCKS) && !EXAMPLES.has(id))).toEqual([]);
    expect([...Object.keys(README_BLOCKS), ...EXAMPLES].filter((id) => !marked.includes(id))).toEqual([]);
    expect(new Set(marked).size).toBe(marked.length);
  });

  // In the README's order; each block's commands in their order, its exports carried on.
  for (const fence of FENCES.filter((f) => f.marked && f.lang === 'bash')) {
    it(`README block "${fence.id}"`, async () => {
      const steps = README_BLOCKS[fence.id];
      if (steps === undefined) throw new Error(`no steps for README block ${fence.id}`);
      await runSteps(`README block ${fence.id}`, commandsOf(fence.body), steps, onOurPorts);
    }, 45_000);
  }

  it('"Ctrl-C stops both.": SIGINT ends the demo with exit 0, its ports closed and its temporary folder gone', async () => {
    const { child } = demo.process;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const port of [demo.port, demo.dataPort, demo.tradingPort]) {
      await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
    }
    expect(readdirSync(tmp).filter((f) => f.startsWith('opitios-demo-'))).toEqual([]);
  }, 15_000);
});
