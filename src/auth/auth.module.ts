import { Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { FamilyAccess } from './family/family-access.service.js';
import { FamilyChildRepository } from './family/family-child.repository.js';
import { FamilyLinkService } from './family/family-link.service.js';
import { IDENTITY_CONFIG, identityConfigProvider } from './identity/identity-config.provider.js';
import type { IdentityConfig } from './identity/identity-config.js';
import { LocalOidcProvider } from './local-oidc/local-oidc.provider.js';
import { ClientRateLimitGuard, FamilyRateLimitGuard } from './throttling/rate-limit.guards.js';
import { TokenVerifier } from './token-verifier.service.js';

/**
 * Sign-in and access control for every route. Global guards run in this order: rate limit per
 * client address, authentication + role decision (AuthGuard), rate limit per family.
 */
@Global()
@Module({
  controllers: [AuthController],
  providers: [
    identityConfigProvider,
    FamilyLinkService,
    FamilyChildRepository,
    FamilyAccess,
    TokenVerifier,
    LocalOidcProvider,
    AuthService,
    { provide: APP_GUARD, useClass: ClientRateLimitGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: FamilyRateLimitGuard },
  ],
  exports: [TokenVerifier, FamilyLinkService, LocalOidcProvider, IDENTITY_CONFIG],
})
export class AuthModule implements OnModuleInit {
  private readonly logger = new Logger(AuthModule.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(IDENTITY_CONFIG) private readonly identity: IdentityConfig,
    private readonly verifier: TokenVerifier,
    private readonly localProvider: LocalOidcProvider,
  ) {}

  async onModuleInit(): Promise<void> {
    const issuer = this.config.oidc.issuer;
    if (issuer) {
      const discovered = await discover(issuer);
      this.verifier.useIssuer(discovered.issuer, discovered.jwks_uri, {
        mapping: this.identity.primary,
      });
    } else {
      // No issuer configured: the embedded demo provider, with WaitWell's own claim names.
      const local = await this.localProvider.start();
      this.verifier.useIssuer(local.issuer, local.jwksUri);
    }
    for (const extra of this.identity.additionalIssuers) {
      const jwksUri = extra.jwksUri ?? (await discover(extra.issuer)).jwks_uri;
      this.verifier.useIssuer(extra.issuer, jwksUri, { mapping: extra, audience: extra.audience });
    }
    this.logger.log({ issuers: this.verifier.trustedIssuers() }, 'sign-in ready');
  }
}

async function discover(issuer: string): Promise<{ issuer: string; jwks_uri: string }> {
  const url = new URL(
    '.well-known/openid-configuration',
    issuer.endsWith('/') ? issuer : `${issuer}/`,
  );
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    throw new Error(
      `cannot reach the OpenID issuer ${issuer} for its discovery document (${(error as Error).message})`,
    );
  }
  if (!res.ok) {
    throw new Error(
      `the OpenID issuer ${issuer} answered ${res.status} for its discovery document`,
    );
  }
  const doc = (await res.json()) as { issuer?: string; jwks_uri?: string };
  if (!doc.issuer || !doc.jwks_uri) {
    throw new Error(`the discovery document of ${issuer} has no issuer or jwks_uri`);
  }
  return { issuer: doc.issuer, jwks_uri: doc.jwks_uri };
}
