import { Injectable } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AppError } from '../errors/app-error.js';
import { jsonStructureProblem, type JsonStructureProblem } from './json-structure.js';

interface BodyParserError {
  type: string;
  structure?: JsonStructureProblem;
}

/** Thrown from body-parser's `verify` hook; body-parser passes it on as `entity.verify.failed`. */
class BodyStructureError extends Error {
  constructor(readonly structure: JsonStructureProblem) {
    super(`JSON body structure refused: ${structure.problem}`);
  }
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return e !== null && typeof e === 'object' && 'type' in e && typeof e.type === 'string';
}

/**
 * JSON request bodies (Nest's built-in parser is switched off), run by createApp's front
 * middleware for requests that carry one, so that a malformed or oversized body becomes a catalog
 * error (INVALID_PARAMETER, PAYLOAD_TOO_LARGE) rendered by the global filter, with the request's id.
 */
@Injectable()
export class JsonBodyParser {
  private readonly parser: express.RequestHandler;

  constructor(private readonly config: AppConfig) {
    const maxDepth = config.bodyMaxDepth;
    this.parser = express.json({
      limit: config.bodyLimitBytes,
      // Before JSON.parse: depth and duplicate members (see json-structure.ts).
      verify: (_req, _res, buf, encoding) => {
        const problem = jsonStructureProblem(buf.toString((encoding || 'utf8') as BufferEncoding), maxDepth);
        if (problem !== null) throw new BodyStructureError(problem);
      },
    });
  }

  /** Whether the request carries a body at all (as body-parser itself decides). */
  applies(req: Request): boolean {
    return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  }

  /** Parses a JSON body into req.body; rejects with the catalog error for a bad one. */
  parse(req: Request, res: Response): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      void this.parser(req, res, (err?: unknown) =>
        err === undefined || err === null ? resolve() : reject(this.toAppError(err)),
      );
    });
  }

  private toAppError(err: unknown): AppError {
    if (isBodyParserError(err)) {
      switch (err.type) {
        case 'entity.too.large':
          return new AppError('PAYLOAD_TOO_LARGE', { details: { limit_bytes: this.config.bodyLimitBytes } });
        case 'entity.verify.failed':
          if (err.structure?.problem === 'too_deep') {
            return new AppError('INVALID_PARAMETER', {
              message: `The request body nests deeper than ${err.structure.max_depth} levels.`,
              details: { body: 'too_deep', max_depth: err.structure.max_depth },
            });
          }
          if (err.structure?.problem === 'duplicate_key') {
            return new AppError('INVALID_PARAMETER', {
              message: `The request body names "${err.structure.key}" more than once in one object.`,
              details: { body: 'duplicate_key', key: err.structure.key },
            });
          }
          return new AppError('INVALID_PARAMETER', {
            message: 'The request body could not be read.',
            details: { body: err.type },
          });
        case 'entity.parse.failed':
          return new AppError('INVALID_PARAMETER', {
            message: 'The request body is not valid JSON.',
            details: { body: 'malformed_json' },
          });
        case 'charset.unsupported':
        case 'encoding.unsupported':
          return new AppError('INVALID_PARAMETER', {
            message: 'Unsupported body encoding.',
            details: { body: err.type },
          });
        default:
          return new AppError('INVALID_PARAMETER', {
            message: 'The request body could not be read.',
            details: { body: err.type },
          });
      }
    }
    return new AppError('INTERNAL_SERVICE_ERROR', { cause: err });
  }
}
