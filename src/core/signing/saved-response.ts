/** A raw HTTP response as `curl -si` saves it: status line, headers, blank line, body bytes. */
export interface SavedResponse {
  status: number;
  /** Lower-cased names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const HEADER_END_LF = Buffer.from('\n\n');

/**
 * Parses the last header block (curl prints `100 Continue` blocks before the real one). The body
 * stays bytes: the digest is over exactly what the gateway sent.
 */
export function parseSavedResponse(raw: Buffer): SavedResponse {
  let rest = raw;
  for (;;) {
    const crlf = rest.indexOf(HEADER_END);
    const lf = rest.indexOf(HEADER_END_LF);
    const [at, sep] = crlf >= 0 && (lf < 0 || crlf < lf) ? [crlf, HEADER_END.length] : [lf, HEADER_END_LF.length];
    if (at < 0) throw new Error('no blank line after the headers: save the response with `curl -si URL > file`');
    const head = rest.subarray(0, at).toString('latin1').split(/\r?\n/);
    const statusLine = /^HTTP\/[\d.]+\s+(\d{3})/.exec(head[0] ?? '');
    if (statusLine === null) throw new Error(`not an HTTP status line: ${(head[0] ?? '').slice(0, 80)}`);
    const status = Number(statusLine[1]);
    const body = rest.subarray(at + sep);
    if (status >= 100 && status < 200 && /^HTTP\//.test(body.subarray(0, 8).toString('latin1'))) {
      rest = body;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    return { status, headers, body };
  }
}
