import { type INestApplication, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import {
  hideBodyParserDetail,
  noStore,
  rejectBadPercentEncoding,
  rejectNulCharacters,
} from './auth/http-hardening.js';
import { requestContextMiddleware } from './common/context/request-context.middleware.js';
import { RequestValidationError } from './common/errors/domain-error.js';
import { ExpressServerAdapter } from './common/http/express-server.adapter.js';
import { NoUndeclaredInputInterceptor } from './common/http/no-undeclared-input.interceptor.js';
import { ProblemDetailsFilter } from './common/http/problem-details.filter.js';
import type { AppConfig } from './config/app-config.js';
import { flattenValidationErrors } from './config/validate-document.js';

/** Builds the fully configured Nest application (used by main.ts and by every e2e test). */
export async function createApp(config: AppConfig, databaseUrl: string): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, databaseUrl),
    new ExpressServerAdapter(),
    {
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(app.get(Logger));
  // Security headers first, so even requests refused by the parsers below carry them.
  app.use(helmet());
  // Nothing WaitWell answers may be kept by a browser or proxy; so no ETags either (see noStore).
  app.use(noStore);
  app.set('etag', false);
  app.use(rejectBadPercentEncoding);
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('urlencoded', { limit: '100kb', extended: false });
  app.use(hideBodyParserDetail);
  app.use(rejectNulCharacters);
  app.use(requestContextMiddleware);
  app.disable('x-powered-by');
  // Rate limits and audit use the client address: behind a proxy, trust only the configured hops.
  if (config.identity.trustProxy !== false) app.set('trust proxy', config.identity.trustProxy);
  app.set('query parser', 'simple');
  if (config.corsOrigins.length > 0) app.enableCors({ origin: config.corsOrigins });
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalInterceptors(new NoUndeclaredInputInterceptor());
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new RequestValidationError(flattenValidationErrors(errors)),
    }),
  );
  app.enableShutdownHooks();
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('WaitWell API')
      .setDescription(
        'Children waiting for NHS community health services: lists, priorities, communications and RTT reports.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
