import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/**
 * The repository stands alone (docs/style.md "Code"): what a file cites is in the repository's
 * own docs/, never a team document or a path beside the clone. The names are assembled from parts
 * so that a grep for them finds nothing in this file either.
 */
const OUTSIDE: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  ['..', 'shared'].join('/'),
  ['', 'work', ''].join('/'),
  ['DESIGN', 'md'].join('.'),
  ['STYLE', 'md'].join('.'),
  ['alpaca-api', 'md'].join('.'),
  ['alpaca-streams', 'md'].join('.'),
  ['alpaca', 'openapi'].join('-'),
].map((name) => ({ name, pattern: new RegExp(name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')) }));

/** Generated or vendored: not written by us, and free to name anything. */
const NOT_OURS = new Set(['package-lock.json']);

function trackedFiles(): string[] {
  const out = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' });
  return out.split('\0').filter((f) => f !== '' && !NOT_OURS.has(f) && !f.startsWith('node_modules/') && existsSync(f));
}

function isText(buffer: Buffer): boolean {
  return !buffer.subarray(0, 8000).includes(0);
}

/** `docs/<name>.md`, optionally followed by quoted section titles: `docs/<name>.md "One", "Two"` or `"One" to "Two"`. */
const CITATION = /docs\/([\w.-]+\.md)((?:\s*(?:,|;|to|and)?\s*"[^"\n]+")*)/g;

function headingsOf(doc: string): string[] {
  return readFileSync(`docs/${doc}`, 'utf8')
    .split('\n')
    .filter((line) => /^#{1,6} /.test(line))
    .map((line) => line.replace(/^#{1,6} /, '').trim());
}

describe('the repository stands alone', () => {
  const files = trackedFiles();
  const texts = new Map(
    files.flatMap((f) => {
      const buffer = readFileSync(f);
      return isText(buffer) ? [[f, buffer.toString('utf8')] as const] : [];
    }),
  );

  it('reads the whole tree (so an empty scan cannot pass)', () => {
    expect([...texts.keys()]).toEqual(
      expect.arrayContaining(['README.md', 'docs/contract.md', 'src/main.ts', '.dependency-cruiser.cjs']),
    );
    expect(texts.size).toBeGreaterThan(300);
  });

  it('no tracked file names a document or path outside the repository', () => {
    const hits = [...texts].flatMap(([file, text]) =>
      text
        .split('\n')
        .flatMap((line, i) =>
          OUTSIDE.filter(({ pattern }) => pattern.test(line)).map(({ name }) => `${file}:${i + 1}: ${name}`),
        ),
    );
    expect(hits).toEqual([]);
  });

  it('every docs/*.md a file cites exists, and so does every section it names', () => {
    const missing: string[] = [];
    const headings = new Map<string, string[]>();
    for (const [file, text] of texts) {
      for (const match of text.matchAll(CITATION)) {
        const doc = match[1] ?? '';
        if (!existsSync(`docs/${doc}`)) {
          missing.push(`${file}: docs/${doc}`);
          continue;
        }
        if (!headings.has(doc)) headings.set(doc, headingsOf(doc));
        for (const [, section = ''] of (match[2] ?? '').matchAll(/"([^"]+)"/g)) {
          if (!(headings.get(doc) ?? []).some((h) => h.startsWith(section)))
            missing.push(`${file}: docs/${doc} "${section}"`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('every relative link between the docs resolves', () => {
    const broken = [...texts]
      .filter(([file]) => file.startsWith('docs/') && file.endsWith('.md'))
      .flatMap(([file, text]) =>
        [...text.matchAll(/\]\(([\w.-]+\.md)(?:#[^)]*)?\)/g)]
          .filter(([, target]) => !existsSync(`docs/${target}`))
          .map(([link]) => `${file}: ${link}`),
      );
    expect(broken).toEqual([]);
  });
});
