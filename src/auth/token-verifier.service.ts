import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ROLES, type AuthUser, type Role } from './auth-user.js';
import { AuthError } from './auth.errors.js';

/** Verifies bearer tokens against the OpenID issuer's JWKS (signature, issuer, audience, expiry). */
@Injectable()
export class TokenVerifier {
  private readonly logger = new Logger(TokenVerifier.name);
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private issuer?: string;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Points the verifier at an issuer (configured, or the local demo issuer once it is running). */
  useIssuer(issuer: string, jwksUri: string): void {
    this.issuer = issuer;
    this.jwks = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  }

  async verify(token: string): Promise<AuthUser> {
    if (!this.jwks || !this.issuer) throw AuthError.badToken();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.issuer,
        audience: this.config.oidc.audience,
        clockTolerance: 30,
      }));
    } catch (error) {
      this.logger.debug({ reason: (error as { code?: string }).code }, 'token refused');
      throw AuthError.badToken();
    }
    return toAuthUser(payload);
  }
}

export function toAuthUser(p: JWTPayload): AuthUser {
  const role = p['waitwell_role'];
  if (typeof p.sub !== 'string' || !ROLES.includes(role as Role)) throw AuthError.badToken();
  const services = Array.isArray(p['waitwell_services']) ? (p['waitwell_services'] as unknown[]).map(String) : [];
  return {
    subject: p.sub,
    role: role as Role,
    services,
    childId: typeof p['waitwell_child_id'] === 'string' ? (p['waitwell_child_id'] as string) : undefined,
    nhsNumber: typeof p['nhs_number'] === 'string' ? (p['nhs_number'] as string) : undefined,
    commissionerCode: typeof p['waitwell_commissioner'] === 'string' ? (p['waitwell_commissioner'] as string) : undefined,
  };
}
