import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { AuthUser } from './auth-user.js';
import { AuthError } from './auth.errors.js';
import { FAMILY_ISSUER, FamilyLinkService } from './family/family-link.service.js';
import { mapClaims } from './identity/claim-mapping.js';
import { IDENTITY_CONFIG } from './identity/identity-config.provider.js';
import { ClaimMapping, type IdentityConfig } from './identity/identity-config.js';
import { VerifiedTokenCache } from './verified-token-cache.js';

// Asymmetric algorithms only: a provider's JWKS must never be usable as an HMAC secret.
const PROVIDER_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
];

interface TrustedIssuer {
  issuer: string;
  audience: string;
  jwks: ReturnType<typeof createRemoteJWKSet>;
  mapping: ClaimMapping;
}

/**
 * Verifies bearer tokens: signature against the issuer's JWKS, issuer, audience, expiry (with the
 * configured clock skew), then maps the claims by the issuer's configured mapping. Trusted issuers are
 * WAITWELL_OIDC_ISSUER (or the local demo provider), the `additionalIssuers` of config/identity.yaml,
 * and WaitWell itself for family-link sessions.
 */
@Injectable()
export class TokenVerifier {
  private readonly logger = new Logger(TokenVerifier.name);
  private readonly issuers = new Map<string, TrustedIssuer>();
  // Clients send the same token on every request: RS256 and claim mapping once per token, not per request.
  private readonly verified = new VerifiedTokenCache();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(IDENTITY_CONFIG) private readonly identity: IdentityConfig,
    private readonly familyLinks: FamilyLinkService,
  ) {}

  /** Trusts an issuer (configured, or the local demo issuer once it is running) with its claim mapping. */
  useIssuer(
    issuer: string,
    jwksUri: string,
    options: { mapping?: ClaimMapping; audience?: string } = {},
  ): void {
    if (issuer === FAMILY_ISSUER) {
      throw new Error(`${FAMILY_ISSUER} is reserved for WaitWell's own family links`);
    }
    this.issuers.set(issuer, {
      issuer,
      audience: options.audience ?? this.config.oidc.audience,
      jwks: createRemoteJWKSet(new URL(jwksUri), {
        timeoutDuration: 5000,
        cooldownDuration: 30_000,
      }),
      mapping: options.mapping ?? new ClaimMapping(),
    });
  }

  trustedIssuers(): string[] {
    return [...this.issuers.keys()];
  }

  async verify(token: string): Promise<AuthUser> {
    const known = this.verified.get(token);
    if (known) return known;
    let claimedIssuer: string | undefined;
    try {
      claimedIssuer = decodeJwt(token).iss;
    } catch {
      throw AuthError.badToken();
    }
    if (claimedIssuer === FAMILY_ISSUER) {
      const payload = await this.familyLinks.verifySession(token, this.identity.clockSkewSeconds);
      return this.toUser(payload, new ClaimMapping(), FAMILY_ISSUER);
    }
    const trusted = claimedIssuer ? this.issuers.get(claimedIssuer) : undefined;
    if (!trusted) {
      this.logger.debug({ reason: 'untrusted-issuer' }, 'token refused');
      throw AuthError.badToken();
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, trusted.jwks, {
        issuer: trusted.issuer,
        audience: trusted.audience,
        algorithms: PROVIDER_ALGORITHMS,
        requiredClaims: ['exp'],
        clockTolerance: this.identity.clockSkewSeconds,
      }));
    } catch (error) {
      this.logger.debug({ reason: (error as { code?: string }).code }, 'token refused');
      throw AuthError.badToken();
    }
    const user = this.toUser(payload, trusted.mapping, trusted.issuer);
    this.verified.remember(token, user, payload.exp);
    return user;
  }

  private toUser(payload: JWTPayload, mapping: ClaimMapping, issuer: string): AuthUser {
    const result = mapClaims(payload, mapping, issuer);
    if (!result.ok) {
      this.logger.debug({ reason: result.problem }, 'token claims refused');
      throw AuthError.fromClaimProblem(result.problem);
    }
    return result.user;
  }
}
