import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { AuthUser } from './auth-user.js';
import type { FamilySessionResponse } from './dto/family-session.response.dto.js';
import type { MeResponse } from './dto/me.response.dto.js';
import { FamilyLinkService } from './family/family-link.service.js';

@Injectable()
export class AuthService {
  constructor(
    private readonly familyLinks: FamilyLinkService,
    private readonly audit: AuditService,
  ) {}

  me(user: AuthUser): MeResponse {
    return {
      subject: user.subject,
      role: user.role,
      services: user.services,
      commissionerCode: user.commissionerCode,
      childId: user.childId,
      issuer: user.issuer,
    };
  }

  /** A valid, unexpired link for one child becomes a short session for that child; the sign-in is audited. */
  async familySession(link: string): Promise<FamilySessionResponse> {
    const { childId, linkId } = await this.familyLinks.verifyLink(link);
    const session = await this.familyLinks.session(childId, linkId);
    await this.audit.record({
      action: 'sign-in',
      resource: 'family-session',
      childIds: [childId],
      purpose: 'own-child',
      detail: { linkId, expiresIn: session.expiresIn },
      actor: { subject: `family-link:${linkId}`, role: 'family' },
    });
    return session;
  }
}
