import { Global, Inject, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AuthGuard } from './auth.guard.js';
import { TokenVerifier } from './token-verifier.service.js';

@Global()
@Module({
  providers: [TokenVerifier, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [TokenVerifier],
})
export class AuthModule implements OnModuleInit {
  private readonly logger = new Logger(AuthModule.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
  ) {}

  async onModuleInit(): Promise<void> {
    const issuer = this.config.oidc.issuer;
    if (!issuer) {
      this.logger.warn('No WAITWELL_OIDC_ISSUER configured: protected routes will refuse every token.');
      return;
    }
    const res = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
    const discovery = (await res.json()) as { issuer: string; jwks_uri: string };
    this.verifier.useIssuer(discovery.issuer, discovery.jwks_uri);
  }
}
