import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule as PinoLoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AppConfig } from '../../config/app-config.js';
import { loggablePath, REDACT_PATHS, staticSegmentsOf } from './redaction.js';

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
              req: (req: { id?: string; method?: string; url?: string; raw?: unknown }) => ({
                id: req.id,
                method: req.method,
                url: loggablePath(req.url ?? '', routeWords(req.raw)),
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

type RouterStack = Array<{ route?: { path?: unknown } }>;
const wordsByApp = new WeakMap<object, Set<string>>();
const NO_WORDS: ReadonlySet<string> = new Set();

/**
 * The fixed words of the routes the request's Express app has (read once per app, on its first
 * logged request, when every route is registered): what a logged path may keep besides ids.
 */
function routeWords(raw: unknown): ReadonlySet<string> {
  const app = (raw as { app?: { router?: { stack?: RouterStack } } } | undefined)?.app;
  if (!app) return NO_WORDS;
  let words = wordsByApp.get(app);
  if (!words) {
    const paths = (app.router?.stack ?? [])
      .map((layer) => layer.route?.path)
      .filter((p): p is string => typeof p === 'string');
    words = staticSegmentsOf(paths);
    if (words.size > 0) wordsByApp.set(app, words);
  }
  return words;
}

function withSink<T extends { transport?: unknown }>(options: T): T | [T, NodeJS.WritableStream] {
  return logSink.stream ? [{ ...options, transport: undefined }, logSink.stream] : options;
}
