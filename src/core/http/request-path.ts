import type { Request } from 'express';

/** The path the client asked for, without the query (middleware mounts rewrite req.path). */
export function pathOf(req: Request): string {
  return (req.originalUrl || req.url).split('?')[0] ?? '/';
}
