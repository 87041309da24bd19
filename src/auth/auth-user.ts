export const ROLES = ['commissioner', 'clinician', 'admin', 'family', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as established from a verified token. */
export interface AuthUser {
  subject: string;
  role: Role;
  /** Service codes a clinician is assigned to. */
  services: string[];
  /** For a family: the one child they may see. */
  childId?: string;
  /** For a family signed in through NHS login: the NHS number claim that matched their child. */
  nhsNumber?: string;
  /** For a commissioner: the ICB they commission for. */
  commissionerCode?: string;
}
