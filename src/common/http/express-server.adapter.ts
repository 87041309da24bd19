import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';
import { createServer, IncomingMessage, ServerResponse, type ServerOptions } from 'node:http';

/**
 * Nest's Express adapter, with the HTTP server creating each request and response with Express's
 * own prototypes from the start.
 *
 * Express gives every request and response its prototype on arrival (`Object.setPrototypeOf` in
 * `app.handle`). Changing an object's prototype after it was built costs V8 dearly: in a test of
 * Express alone on this box (Node 20, 20 clients), about 45% of each minor collection's young
 * objects survived it (0.1% without the change), so every request's objects were copied and then
 * promoted, and each minor collection paused the service for 10-40 ms. When the server builds the
 * objects with those prototypes, Express's call changes nothing (the prototype is already the
 * same). docs/performance-ranked.md, "Seventeenth pass".
 */
export class ExpressServerAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // WaitWell serves plain HTTP behind its proxy and stops through http-terminator (main.ts);
    // anything else is left to Nest's own adapter.
    if (options?.httpsOptions || options?.return503OnClosing || options?.forceCloseConnections) {
      super.initHttpServer(options);
      return;
    }
    const app = this.getInstance<Express>();
    this.httpServer = createServer(expressMessageClasses(app), app);
  }
}

/**
 * Request and response classes whose instances have exactly `app.request` and `app.response` as
 * their prototypes (which themselves inherit from Node's IncomingMessage and ServerResponse).
 */
export function expressMessageClasses(
  app: Pick<Express, 'request' | 'response'>,
): Pick<ServerOptions, 'IncomingMessage' | 'ServerResponse'> {
  function Request(this: unknown, ...args: unknown[]): object {
    return Reflect.construct(IncomingMessage, args, Request) as object;
  }
  Request.prototype = app.request;
  function Response(this: unknown, ...args: unknown[]): object {
    return Reflect.construct(ServerResponse, args, Response) as object;
  }
  Response.prototype = app.response;
  return {
    IncomingMessage: Request as unknown as typeof IncomingMessage,
    ServerResponse: Response as unknown as typeof ServerResponse,
  };
}
