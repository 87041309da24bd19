export const ROLES = ['commissioner', 'clinician', 'admin', 'family', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token. */
export interface AuthUser {
  subject: string;
  role: Role;
  /** Service codes a clinician is assigned to. */
  services: string[];
  /** For a family: the one child they may see (from the token, a family link, or resolved from the NHS number). */
  childId?: string;
  /** For a family signed in through NHS login: the NHS number claim that matched their child. */
  nhsNumber?: string;
  /** For a commissioner: the ICB they commission for. */
  commissionerCode?: string;
  /** The token's issuer (an OpenID provider, or WaitWell itself for a family-link session). */
  issuer?: string;
  /** Set when the caller used break-glass on a route that allows it: the reason they gave (audited). */
  breakGlass?: { reason: string };
}
