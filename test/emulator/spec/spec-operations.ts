/**
 * Checks an upstream request against Alpaca's official OpenAPI specs, read from the extract
 * `alpaca-operations.json` (paths, methods, parameter names and enums only; regenerate it with
 * scripts/extract-spec-operations.ts). A request passes when some operation of its host and method
 * has a matching path template, every query parameter it sends is one that operation declares,
 * every required one is there, and every value of an enumerated parameter is one the spec lists.
 */
import { readFileSync } from 'node:fs';
import type { EmulatorHost } from '../emulator.types.js';

export interface SpecParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  enum?: string[];
  /** An array parameter, sent comma-separated. */
  list?: boolean;
}

export interface SpecOperation {
  host: EmulatorHost;
  method: string;
  path: string;
  operationId: string;
  parameters: SpecParameter[];
}

/** What is checked of a request: where it went and its query. */
export interface CheckedRequest {
  host: EmulatorHost;
  method: string;
  /** Percent-decoded path, no query string. */
  path: string;
  query: Record<string, string>;
}

interface CompiledOperation extends SpecOperation {
  pattern: RegExp;
  pathParams: string[];
}

function compile(op: SpecOperation): CompiledOperation {
  const pathParams: string[] = [];
  const source = op.path
    .split(/(\{[A-Za-z_]+\})/)
    .map((part) => {
      const param = /^\{([A-Za-z_]+)\}$/.exec(part);
      if (param === null) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      pathParams.push(param[1]);
      return '([^/]+)';
    })
    .join('');
  return { ...op, pattern: new RegExp(`^${source}$`), pathParams };
}

/** Why `request` is not a valid call of `op` (empty: it is one). */
function problemsWith(op: CompiledOperation, request: CheckedRequest, match: RegExpExecArray): string[] {
  const problems: string[] = [];
  const declared = new Map(op.parameters.map((p) => [`${p.in}:${p.name}`, p]));
  op.pathParams.forEach((name, i) => {
    const allowed = declared.get(`path:${name}`)?.enum;
    const value = match[i + 1];
    if (allowed !== undefined && !allowed.includes(value))
      problems.push(`path parameter ${name}=${value} is not one of ${allowed.join('|')}`);
  });
  for (const [name, value] of Object.entries(request.query)) {
    const p = declared.get(`query:${name}`);
    if (p === undefined) {
      problems.push(`unknown query parameter ${name}`);
      continue;
    }
    if (p.enum === undefined) continue;
    const values = p.list === true ? value.split(',') : [value];
    const bad = values.filter((v) => !(p.enum ?? []).includes(v));
    if (bad.length > 0) problems.push(`${name}=${bad.join(',')} is not one of ${p.enum.join('|')}`);
  }
  for (const p of op.parameters) {
    if (p.in === 'query' && p.required && request.query[p.name] === undefined)
      problems.push(`required query parameter ${p.name} is missing`);
  }
  return problems;
}

export class SpecCatalog {
  private readonly operations: CompiledOperation[];

  constructor(operations: SpecOperation[]) {
    this.operations = operations.map(compile);
  }

  /** The catalog committed beside this file. */
  static load(): SpecCatalog {
    const text = readFileSync(new URL('./alpaca-operations.json', import.meta.url), 'utf8');
    const parsed = JSON.parse(text) as { operations: SpecOperation[] };
    return new SpecCatalog(parsed.operations);
  }

  /** The spec operation this request is a valid call of, by operationId; null when none. */
  operationOf(request: CheckedRequest): string | null {
    return this.check(request).operationId;
  }

  /**
   * Null when the request is a valid call of some operation; otherwise one line saying what is
   * wrong (with the closest operation's problems when the path matched one).
   */
  violation(request: CheckedRequest): string | null {
    const result = this.check(request);
    if (result.operationId !== null) return null;
    const where = `${request.method} ${request.host} ${request.path}?${new URLSearchParams(request.query).toString()}`;
    return result.problems.length === 0
      ? `${where}: no such operation in Alpaca's spec`
      : `${where}: ${result.problems.join('; ')}`;
  }

  private check(request: CheckedRequest): { operationId: string | null; problems: string[] } {
    let closest: string[] = [];
    for (const op of this.operations) {
      if (op.host !== request.host || op.method !== request.method) continue;
      const match = op.pattern.exec(request.path);
      if (match === null) continue;
      const problems = problemsWith(op, request, match);
      if (problems.length === 0) return { operationId: op.operationId, problems: [] };
      if (closest.length === 0 || problems.length < closest.length) closest = problems;
    }
    return { operationId: null, problems: closest };
  }
}
