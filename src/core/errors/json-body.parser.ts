import { Injectable } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import { AppConfig } from '../config/app-config.js';
import { AppError } from './app-error.js';

interface BodyParserError {
  type: string;
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
    this.parser = express.json({ limit: config.bodyLimitBytes });
  }

  /** Whether the request carries a body at all (as body-parser itself decides). */
  applies(req: Request): boolean {
    return req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  }

  /** Parses a JSON body into req.body; rejects with the catalog error for a bad one. */
  parse(req: Request, res: Response): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      void this.parser(req, res, (err?: unknown) => (err === undefined || err === null ? resolve() : reject(this.toAppError(err))));
    });
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
