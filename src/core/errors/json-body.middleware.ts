import { Injectable, NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AppError } from './app-error.js';

interface BodyParserError {
  type: string;
}

function isBodyParserError(e: unknown): e is BodyParserError {
  return e !== null && typeof e === 'object' && 'type' in e && typeof e.type === 'string';
}

/**
 * JSON body parsing as a Nest middleware (the built-in parser is switched off) so that malformed
 * or oversized bodies reach the global filter as catalog errors, after the request has its id.
 */
@Injectable()
export class JsonBodyMiddleware implements NestMiddleware {
  private readonly parse: express.RequestHandler;

  constructor(private readonly config: AppConfig) {
    this.parse = express.json({ limit: config.bodyLimitBytes });
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    // No body (a GET, a DELETE): nothing to parse, as body-parser itself would decide.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return next();
    await new Promise<void>((resolve, reject) => {
      void this.parse(req, res, (err?: unknown) => (err === undefined || err === null ? resolve() : reject(this.toAppError(err))));
    });
    next();
  }

  private toAppError(err: unknown): AppError {
    if (isBodyParserError(err)) {
      switch (err.type) {
        case 'entity.too.large':
          return new AppError('PAYLOAD_TOO_LARGE', { details: { limit_bytes: this.config.bodyLimitBytes } });
        case 'entity.parse.failed':
          return new AppError('INVALID_PARAMETER', { message: 'The request body is not valid JSON.', details: { body: 'malformed_json' } });
        case 'charset.unsupported':
        case 'encoding.unsupported':
          return new AppError('INVALID_PARAMETER', { message: 'Unsupported body encoding.', details: { body: err.type } });
        default:
          return new AppError('INVALID_PARAMETER', { message: 'The request body could not be read.', details: { body: err.type } });
      }
    }
    return new AppError('INTERNAL_SERVICE_ERROR', { cause: err });
  }
}
