import type { AuditEntry } from '../../audit/audit.service.js';

/**
 * The audit entry for overrides the system ended: on their review date (OverridesService.expireDue)
 * or because their child no longer waits for any service (RescoreService). One shape for both, so
 * they are found and read alike; the detail holds counts and ids, never the clinical reason.
 */
export function overridesEndedBySystem(
  childIds: string[],
  purpose: 'override-review-date' | 'no-longer-waiting',
  detail: Record<string, unknown>,
): AuditEntry {
  return {
    action: 'update',
    resource: 'child-priority-override',
    actor: { subject: 'system', role: 'system' },
    childIds,
    purpose,
    detail,
  };
}
