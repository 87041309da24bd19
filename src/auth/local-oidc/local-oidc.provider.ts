// oidc-provider ships no types: referencing ours here makes them follow this import into every tsconfig.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference
/// <reference path="./oidc-provider.d.ts" />
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { exportJWK, generateKeyPair } from 'jose';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type KoaContextWithOIDC } from 'oidc-provider';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { demoNhsNumber } from '../../demo/demo-generator.js';
import { demoUsers, type LocalAccount } from './demo-users.js';
import { memoryAdapterFactory } from './memory-adapter.js';

/** The grant a demo user's token is requested with (documented in docs/identity.md; local provider only). */
export const DEMO_USER_GRANT = 'urn:waitwell:params:oauth:grant-type:demo-user';
export const DEMO_CLIENT_ID = 'waitwell-demo';
export const DEMO_CLIENT_SECRET = 'waitwell-demo-secret';
const RESOURCE = 'urn:waitwell:api';
const TOKEN_TTL_SECONDS = 3600;

/**
 * The embedded OpenID provider for demos and tests (the maintained `oidc-provider` package, not a
 * hand-rolled minter). It runs only when no WAITWELL_OIDC_ISSUER is configured, never in production,
 * listens on 127.0.0.1, and issues RS256 JWT access tokens for WAITWELL_OIDC_AUDIENCE carrying
 * WaitWell's claims. Demo users get a token with the demo-user grant (client credentials + username).
 */
@Injectable()
export class LocalOidcProvider implements OnApplicationShutdown {
  private readonly logger = new Logger(LocalOidcProvider.name);
  private readonly accounts = new Map<string, LocalAccount>();
  private server?: Server;
  private issuerUrl?: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    for (const account of demoUsers(config.catalogue, demoNhsNumber(0))) {
      this.accounts.set(account.id, account);
    }
  }

  get issuer(): string | undefined {
    return this.issuerUrl;
  }

  get tokenEndpoint(): string {
    if (!this.issuerUrl) throw new Error('the local OpenID provider is not running');
    return `${this.issuerUrl}/token`;
  }

  demoAccounts(): LocalAccount[] {
    return [...this.accounts.values()];
  }

  /**
   * Adds or replaces an account (tests create users with the claims they need). In-process only:
   * there is deliberately no HTTP route for it.
   */
  registerAccount(account: LocalAccount): void {
    if (this.config.env === 'production') {
      throw new Error('the local OpenID provider does not run in production');
    }
    this.accounts.set(account.id, account);
  }

  async start(): Promise<{ issuer: string; jwksUri: string }> {
    if (this.config.env === 'production') {
      throw new Error(
        'WAITWELL_OIDC_ISSUER is required in production: the local demo sign-in must not run there',
      );
    }
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.oidc.localPort, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const provider = await this.buildProvider(issuer);
    server.on('request', provider.callback());
    this.issuerUrl = issuer;
    this.logger.log(
      { issuer, users: this.accounts.size },
      'local demo OpenID provider started (demo users only; not for production)',
    );
    return { issuer, jwksUri: `${issuer}/jwks` };
  }

  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async buildProvider(issuer: string): Promise<Provider> {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true });
    const signingKey = {
      ...(await exportJWK(privateKey)),
      kid: `waitwell-demo-${Date.now()}`,
      alg: 'RS256',
      use: 'sig',
    };
    const resourceServer = {
      audience: this.config.oidc.audience,
      scope: 'waitwell',
      accessTokenFormat: 'jwt' as const,
      accessTokenTTL: TOKEN_TTL_SECONDS,
      jwt: { sign: { alg: 'RS256' } },
    };
    const accounts = this.accounts;
    const provider = new Provider(issuer, {
      adapter: memoryAdapterFactory(),
      clients: [
        {
          client_id: DEMO_CLIENT_ID,
          client_secret: DEMO_CLIENT_SECRET,
          grant_types: [DEMO_USER_GRANT],
          response_types: [],
          redirect_uris: [],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      jwks: { keys: [signingKey] },
      cookies: { keys: [randomBytes(32).toString('hex')] },
      ttl: { AccessToken: TOKEN_TTL_SECONDS },
      findAccount: (_ctx: unknown, id: string) => {
        const account = accounts.get(id);
        return account ? { accountId: id, claims: () => ({ sub: id }) } : undefined;
      },
      extraTokenClaims: (_ctx: unknown, token: { accountId?: string }) =>
        token.accountId ? accounts.get(token.accountId)?.claims : undefined,
      features: {
        devInteractions: { enabled: false },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => RESOURCE,
          getResourceServerInfo: () => resourceServer,
        },
      },
    });
    provider.use(this.signInRateLimit());
    provider.registerGrantType(
      DEMO_USER_GRANT,
      async (ctx: KoaContextWithOIDC) => {
        const username = ctx.oidc.params?.['username'];
        const account = typeof username === 'string' ? accounts.get(username) : undefined;
        if (!account) {
          throw new errors.InvalidGrant('unknown demo user: see docs/identity.md for the list');
        }
        const token = new provider.AccessToken({
          accountId: account.id,
          client: ctx.oidc.client,
          gty: DEMO_USER_GRANT,
          scope: 'waitwell',
          resourceServer: new provider.ResourceServer(RESOURCE, resourceServer),
        });
        const accessToken = await token.save();
        ctx.body = {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: token.expiration,
          scope: 'waitwell',
        };
      },
      ['username'],
    );
    return provider;
  }

  /** Sign-in is rate limited per client address (WAITWELL_RATE_LIMIT_SIGN_IN_PER_MINUTE), fixed one-minute windows. */
  private signInRateLimit(): (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void> {
    const limit = this.config.identity.rateLimits.signInPerMinute;
    const windows = new Map<string, { start: number; count: number }>();
    return async (ctx, next) => {
      if (ctx.method === 'POST' && ctx.path === '/token') {
        const now = Date.now();
        const w = windows.get(ctx.ip);
        if (!w || now - w.start >= 60_000) {
          if (windows.size > 10_000) windows.clear();
          windows.set(ctx.ip, { start: now, count: 1 });
        } else if (++w.count > limit) {
          ctx.status = 429;
          ctx.set('Retry-After', String(Math.ceil((w.start + 60_000 - now) / 1000)));
          ctx.body = {
            error: 'slow_down',
            error_description: 'too many sign-in attempts from this address; wait a minute',
          };
          return;
        }
      }
      await next();
    };
  }
}
