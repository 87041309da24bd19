import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, type DomainErrorKind } from '../errors/domain-error.js';

function statusFor(kind: DomainErrorKind): number {
  switch (kind) {
    case 'validation':
      return HttpStatus.BAD_REQUEST;
    case 'not-found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'unauthenticated':
      return HttpStatus.UNAUTHORIZED;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
    case 'too-large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    default: {
      const unreachable: never = kind;
      throw new Error(`unmapped error kind ${String(unreachable)}`);
    }
  }
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign-in needed',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
  503: 'Service unavailable',
};

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: string[];
  correlationId?: string;
}

/**
 * The only place a domain error becomes an HTTP status. Bodies are RFC 9457 problem details
 * (application/problem+json). Unexpected errors are logged by type only and answered with a
 * generic 500: no stack traces, SQL or patient data leave the service.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    const problem = this.toProblem(exception);
    problem.correlationId = req?.id ? String(req.id) : undefined;
    if (problem.status >= 500) {
      const name = exception instanceof Error ? exception.name : typeof exception;
      const pgCode = (exception as { code?: unknown })?.code;
      this.logger.error(
        { errorType: name, pgCode, correlationId: problem.correlationId },
        'unhandled error',
      );
    }
    if (res.headersSent) return;
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof DomainError) {
      const status = statusFor(exception.kind);
      return {
        type: `https://waitwell.nhs.example/problems/${exception.code}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail: exception.message,
        code: exception.code,
        errors: Array.isArray(exception.details) ? exception.details : undefined,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const raw =
        typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : body;
      const messages = Array.isArray(raw)
        ? raw.map(String)
        : [typeof raw === 'string' ? raw : exception.message];
      const detail =
        status === 404 && messages[0]?.startsWith('Cannot ')
          ? 'There is no such page or API route.'
          : messages.join('; ');
      return {
        type: `https://waitwell.nhs.example/problems/http-${status}`,
        title: TITLES[status] ?? 'Error',
        status,
        detail: status === 413 ? 'The request body is too large.' : detail,
        code: `http.${status}`,
        errors: Array.isArray(raw) ? messages : undefined,
      };
    }
    if ((exception as { type?: string })?.type === 'entity.parse.failed') {
      return {
        type: 'https://waitwell.nhs.example/problems/request.malformed-json',
        title: 'Bad request',
        status: 400,
        detail: 'The request body is not valid JSON.',
        code: 'request.malformed-json',
      };
    }
    return {
      type: 'https://waitwell.nhs.example/problems/internal',
      title: 'Something went wrong',
      status: 500,
      detail:
        'Something went wrong on our side. Nothing you sent was lost; please try again, and quote the correlation id if it keeps happening.',
      code: 'internal',
    };
  }
}
