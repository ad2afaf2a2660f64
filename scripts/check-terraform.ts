/**
 * `npm run check:terraform`: parses every terraform/**\/*.tf with HashiCorp's own HCL parser
 * (@cdktf/hcl2json, the Go library compiled to wasm; there is no terraform binary here) and exits
 * 1 on the first syntax error of any file. It also checks, per module directory, that every
 * `var.x` / `local.x` used is declared and that every variable and output has a description.
 *
 *   node dist/scripts/check-terraform.js [dir]   (default: terraform)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parse } from '@cdktf/hcl2json';

type Block = Record<string, unknown>;

function tfFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '.terraform' ? [] : tfFiles(path);
    return entry.name.endsWith('.tf') ? [path] : [];
  });
}

function referenced(json: unknown, kind: 'var' | 'local'): Set<string> {
  const names = new Set<string>();
  for (const m of JSON.stringify(json).matchAll(new RegExp(`\\b${kind}\\.([A-Za-z_][A-Za-z0-9_-]*)`, 'g')))
    names.add(m[1] ?? '');
  return names;
}

/** `{"variable": {"x": [{...}]}}` → [["x", {...}]] */
function blocks(json: Block, type: string): Array<[string, Block]> {
  const byName = (json[type] ?? {}) as Record<string, Block[]>;
  return Object.entries(byName).map(([name, list]) => [name, list[0] ?? {}]);
}

function moduleProblems(files: Array<{ path: string; json: Block }>): string[] {
  const problems: string[] = [];
  const variables = new Set<string>();
  const locals = new Set<string>();
  for (const { path, json } of files) {
    for (const [name, body] of blocks(json, 'variable')) {
      variables.add(name);
      if (typeof body['description'] !== 'string' || body['description'].trim() === '')
        problems.push(`${path}: variable "${name}" has no description`);
    }
    for (const [name, body] of blocks(json, 'output')) {
      if (typeof body['description'] !== 'string' || body['description'].trim() === '')
        problems.push(`${path}: output "${name}" has no description`);
    }
    for (const block of (json['locals'] ?? []) as Block[]) for (const name of Object.keys(block)) locals.add(name);
  }
  for (const { path, json } of files) {
    for (const name of referenced(json, 'var'))
      if (!variables.has(name)) problems.push(`${path}: var.${name} is not declared in this module`);
    for (const name of referenced(json, 'local'))
      if (!locals.has(name)) problems.push(`${path}: local.${name} is not declared in this module`);
  }
  return problems;
}

async function main(): Promise<void> {
  const root = process.argv[2] ?? 'terraform';
  const files = tfFiles(root);
  if (files.length === 0) throw new Error(`no .tf files under ${root}`);
  const problems: string[] = [];
  const byDir = new Map<string, Array<{ path: string; json: Block }>>();
  for (const path of files) {
    const name = relative(process.cwd(), path);
    try {
      const json = (await parse(name, readFileSync(path, 'utf8'))) as Block;
      byDir.set(dirname(path), [...(byDir.get(dirname(path)) ?? []), { path: name, json }]);
    } catch (e: unknown) {
      problems.push(String(e instanceof Error ? e.message : e));
    }
  }
  if (problems.length === 0) for (const moduleFiles of byDir.values()) problems.push(...moduleProblems(moduleFiles));
  for (const p of problems) process.stderr.write(`terraform: ${p}\n`);
  process.stdout.write(
    `terraform: checked ${files.length} files in ${byDir.size} modules, ${problems.length} problems\n`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  process.stderr.write(`terraform: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
