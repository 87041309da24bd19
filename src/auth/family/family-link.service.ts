import { Inject, Injectable } from '@nestjs/common';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { createHmac, randomUUID } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { AuthError } from '../auth.errors.js';
import { IDENTITY_CONFIG } from '../identity/identity-config.provider.js';
import type { IdentityConfig } from '../identity/identity-config.js';

/** WaitWell itself is the issuer of family links and of the sessions they are exchanged for. */
export const FAMILY_ISSUER = 'urn:waitwell:family-link';
const LINK_AUDIENCE = 'urn:waitwell:family-link:exchange';
const LINK_TYPE = 'waitwell-family-link+jwt';
const SESSION_TYPE = 'waitwell-family-session+jwt';

export interface FamilyLink {
  link: string;
  expiresAt: string;
}

export interface FamilySession {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  childId: string;
}

/**
 * Signed, expiring, single-child family links (a JWS sent in a message) and the short family
 * sessions they are exchanged for. Links and sessions use separate keys derived from
 * WAITWELL_FAMILY_LINK_SECRET and separate `typ`/audience values, so neither can stand in for the other.
 */
@Injectable()
export class FamilyLinkService {
  private readonly linkKey: Uint8Array;
  private readonly sessionKey: Uint8Array;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(IDENTITY_CONFIG) private readonly identity: IdentityConfig,
  ) {
    const derive = (purpose: string) =>
      new Uint8Array(
        createHmac('sha256', config.identity.familyLinkSecret).update(purpose).digest(),
      );
    this.linkKey = derive('waitwell-family-link-v1');
    this.sessionKey = derive('waitwell-family-session-v1');
  }

  /** A link for exactly one child, valid for `familyLinkDays`. The caller audits its issue. */
  async issue(childId: string, now = new Date()): Promise<FamilyLink> {
    const iat = Math.floor(now.getTime() / 1000);
    const exp = iat + this.identity.familyLinkDays * 86_400;
    const link = await new SignJWT({ cid: childId })
      .setProtectedHeader({ alg: 'HS256', typ: LINK_TYPE })
      .setIssuer(FAMILY_ISSUER)
      .setAudience(LINK_AUDIENCE)
      .setJti(randomUUID())
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.linkKey);
    return { link, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** Checks a link (signature, type, expiry) and returns the child and link id it was issued for. */
  async verifyLink(link: string): Promise<{ childId: string; linkId: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(link, this.linkKey, {
        issuer: FAMILY_ISSUER,
        audience: LINK_AUDIENCE,
        typ: LINK_TYPE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'jti'],
      }));
    } catch {
      throw AuthError.badFamilyLink();
    }
    const childId = payload['cid'];
    if (typeof childId !== 'string' || typeof payload.jti !== 'string') {
      throw AuthError.badFamilyLink();
    }
    return { childId, linkId: payload.jti };
  }

  /** A short session for the one child of a verified link, in the same claims an OpenID provider would use. */
  async session(childId: string, linkId: string): Promise<FamilySession> {
    const expiresIn = this.identity.familySessionMinutes * 60;
    const accessToken = await new SignJWT({ waitwell_role: 'family', waitwell_child_id: childId })
      .setProtectedHeader({ alg: 'HS256', typ: SESSION_TYPE })
      .setIssuer(FAMILY_ISSUER)
      .setAudience(this.config.oidc.audience)
      .setSubject(`family-link:${linkId}`)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${expiresIn}s`)
      .sign(this.sessionKey);
    return { accessToken, tokenType: 'Bearer', expiresIn, childId };
  }

  /** Verifies a family session token; throws AuthError.badToken() for anything else. */
  async verifySession(token: string, clockSkewSeconds: number): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.sessionKey, {
        issuer: FAMILY_ISSUER,
        audience: this.config.oidc.audience,
        typ: SESSION_TYPE,
        algorithms: ['HS256'],
        requiredClaims: ['exp', 'sub'],
        clockTolerance: clockSkewSeconds,
      });
      return payload;
    } catch {
      throw AuthError.badToken();
    }
  }
}
