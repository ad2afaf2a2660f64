import { readFileSync } from 'node:fs';
import { ERROR_CATALOG } from './error-catalog.js';

/** One row of the table in docs/error-catalog.md, read back into the catalog's terms. */
interface DocRow {
  status: number;
  type: string;
  severity: string;
  message: string;
  suggestedActions: string[];
}

/** Splits a Markdown table row on unescaped pipes and unescapes `\|` in each cell. */
function cells(line: string): string[] {
  return line
    .replace(/^\|/, '')
    .replace(/\|$/, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));
}

function documentedCodes(): Map<string, DocRow> {
  const rows = new Map<string, DocRow>();
  for (const line of readFileSync('docs/error-catalog.md', 'utf8').split('\n')) {
    if (!line.startsWith('| `')) continue;
    const [code = '', status = '', type = '', severity = '', message = '', actions = ''] = cells(line);
    rows.set(code.replace(/`/g, ''), {
      status: Number(status),
      type,
      severity,
      message,
      suggestedActions: actions.split('<br>'),
    });
  }
  return rows;
}

describe('docs/error-catalog.md', () => {
  const doc = documentedCodes();

  it('lists every catalog code, and no code the catalog lacks', () => {
    expect([...doc.keys()].sort()).toEqual(Object.keys(ERROR_CATALOG).sort());
  });

  it('gives each code the catalog status, type, severity, message and suggested actions', () => {
    for (const [code, entry] of Object.entries(ERROR_CATALOG)) {
      expect({ code, ...doc.get(code) }).toEqual({
        code,
        status: entry.status,
        type: entry.type,
        severity: entry.severity,
        message: entry.message,
        suggestedActions: [...entry.suggestedActions],
      });
    }
  });
});
