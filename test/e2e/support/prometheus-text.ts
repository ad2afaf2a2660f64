/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to prove /metrics is
 * well formed and to read single values: every line is a comment, HELP, TYPE or a sample; every
 * sample belongs to a declared metric; label values are quoted with \\, \" and \n escapes only.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL_NAME = '[a-zA-Z_][a-zA-Z0-9_]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = new RegExp(`^(${LABEL_NAME})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['_sum', '_count'] };

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text;
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (m === null) throw new Error(`malformed labels in: ${line}`);
    const [whole, key, raw] = m as unknown as [string, string, string];
    if (key in labels) throw new Error(`duplicate label ${key} in: ${line}`);
    labels[key] = raw.replace(/\\(["\\n])/g, (_s, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(whole.length);
  }
  return labels;
}

function parseValue(raw: string, line: string): number {
  if (raw === '+Inf') return Number.POSITIVE_INFINITY;
  if (raw === '-Inf') return Number.NEGATIVE_INFINITY;
  // Prometheus reads values with Go's ParseFloat, which ignores case here; prom-client writes `Nan`.
  if (/^nan$/i.test(raw)) return Number.NaN;
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value in: ${line}`);
  return Number(raw);
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const [family, type] of types) {
    if ((SUFFIXES[type] ?? []).some((suffix) => name === `${family}${suffix}`)) return family;
  }
  return undefined;
}

export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('# HELP ')) {
      const m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line);
      if (m === null) throw new Error(`malformed HELP: ${line}`);
      help.set(m[1], m[2]);
    } else if (line.startsWith('# TYPE ')) {
      const m = new RegExp(`^# TYPE (${NAME}) (\\w+)$`).exec(line);
      if (m === null || !TYPES.has(m[2])) throw new Error(`malformed TYPE: ${line}`);
      if (types.has(m[1])) throw new Error(`TYPE declared twice: ${line}`);
      types.set(m[1], m[2]);
    } else if (line.startsWith('#')) {
      continue;
    } else {
      const m = SAMPLE.exec(line);
      if (m === null) throw new Error(`malformed sample: ${line}`);
      const name = m[1];
      if (familyOf(name, types) === undefined) throw new Error(`sample of an undeclared metric: ${line}`);
      samples.push({ name, labels: parseLabels(m[2] ?? '', line), value: parseValue(m[3], line) });
    }
  }
  return { types, help, samples };
}

/** The value of the one sample with exactly these labels (0 when the series does not exist yet). */
export function valueOf(exposition: Exposition, name: string, labels: Record<string, string>): number {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const hits = exposition.samples.filter(
    (s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted,
  );
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} with ${wanted}`);
  return hits[0]?.value ?? 0;
}
