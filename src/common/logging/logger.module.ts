import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../../config/app-config.js';
import { REDACT_PATHS } from './redaction.js';

/** Where logs go; tests point this at a buffer to prove that no patient data is logged. */
export const logSink: { stream?: NodeJS.WritableStream } = {};

@Module({})
export class LoggerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: LoggerModule,
      imports: [
        PinoLoggerModule.forRoot({
          pinoHttp: withSink({
            level: config.logLevel,
            redact: { paths: REDACT_PATHS, censor: '[redacted]' },
            // The request id is set first by requestContextMiddleware; reuse it so logs and errors agree.
            genReqId: (req: IncomingMessage & { id?: string }) => req.id ?? randomUUID(),
            serializers: {
              req: (req: { id?: string; method?: string; url?: string }) => ({
                id: req.id,
                method: req.method,
                url: (req.url ?? '').split('?')[0],
              }),
              res: (res: { statusCode?: number }) => ({ statusCode: res.statusCode }),
            },
            transport:
              config.env === 'development'
                ? {
                    target: 'pino-pretty',
                    options: { singleLine: true, translateTime: 'SYS:HH:MM:ss' },
                  }
                : undefined,
          }),
        }),
      ],
    };
  }
}

function withSink<T extends { transport?: unknown }>(options: T): T | [T, NodeJS.WritableStream] {
  return logSink.stream ? [{ ...options, transport: undefined }, logSink.stream] : options;
}
