import type { AuthUser } from '../auth/auth-user.js';

export interface ChildAccess {
  visible: boolean;
  /** Name, NHS number, address and contacts included. */
  identifiable: boolean;
  /** Clinical detail of every service's referral (not only the caller's services). */
  allServicesDetailed: boolean;
  purpose: 'own-child' | 'direct-care' | 'commissioning';
  /** Identifiable data or detail shown only because the caller broke glass. */
  breakGlass: boolean;
}

const HIDDEN: ChildAccess = {
  visible: false,
  identifiable: false,
  allServicesDetailed: false,
  purpose: 'direct-care',
  breakGlass: false,
};

/**
 * Who may see a child, and how much (least privilege; issue 5):
 * - family: only their own child, identifiable;
 * - clinician: children on a list of a service they work in, identifiable, with clinical detail
 *   for those services only; break-glass opens any child and every service's detail;
 * - commissioner: children waiting with a provider their ICB commissions, pseudonymised unless
 *   they break glass.
 * A child outside the caller's view is reported exactly like a child that does not exist.
 */
export function childAccess(
  user: AuthUser,
  childId: string,
  referrals: Array<{ serviceCode: string; commissionerCode: string }>,
): ChildAccess {
  const breakGlass = user.breakGlass !== undefined;
  switch (user.role) {
    case 'family':
      return user.childId === childId
        ? {
            visible: true,
            identifiable: true,
            allServicesDetailed: true,
            purpose: 'own-child',
            breakGlass: false,
          }
        : HIDDEN;
    case 'clinician': {
      const onTheirList = referrals.some((r) => user.services.includes(r.serviceCode));
      if (!onTheirList && !breakGlass) return HIDDEN;
      return {
        visible: true,
        identifiable: true,
        allServicesDetailed: breakGlass,
        purpose: 'direct-care',
        breakGlass,
      };
    }
    case 'commissioner': {
      const inTheirArea =
        user.commissionerCode !== undefined &&
        referrals.some((r) => r.commissionerCode === user.commissionerCode);
      if (!inTheirArea) return HIDDEN;
      return {
        visible: true,
        identifiable: breakGlass,
        allServicesDetailed: true,
        purpose: 'commissioning',
        breakGlass,
      };
    }
    case 'admin':
    case 'auditor':
      return HIDDEN;
    default: {
      const unreachable: never = user.role;
      throw new Error(`unmapped role ${String(unreachable)}`);
    }
  }
}
