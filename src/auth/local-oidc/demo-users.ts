import type { CatalogueConfig } from '../../config/catalogue.schema.js';

/** An account of the local demo OpenID provider: its id is the token's `sub`; claims use WaitWell's names. */
export interface LocalAccount {
  id: string;
  description: string;
  claims: Record<string, unknown>;
}

/**
 * The demo users: a commissioner for each ICB in the catalogue, a clinician for each service, an
 * admin, an auditor, and a family whose NHS number is that of the first demo child (as NHS login
 * would assert it). Synthetic people only; the provider never runs in production.
 */
export function demoUsers(catalogue: CatalogueConfig, familyNhsNumber: string): LocalAccount[] {
  return [
    ...catalogue.commissioners.map((c) => ({
      id: `commissioner-${c.code.toLowerCase()}`,
      description: `Commissioner at ${c.name} (${c.code})`,
      claims: { waitwell_role: 'commissioner', waitwell_commissioner: c.code },
    })),
    ...catalogue.services.map((s) => ({
      id: `clinician-${s.code}`,
      description: `Clinician in ${s.name}`,
      claims: { waitwell_role: 'clinician', waitwell_services: [s.code] },
    })),
    {
      id: 'admin',
      description: 'WaitWell administrator (sources, tools, templates)',
      claims: { waitwell_role: 'admin' },
    },
    {
      id: 'auditor',
      description: 'Information governance auditor (audit trail, break-glass alerts)',
      claims: { waitwell_role: 'auditor' },
    },
    {
      id: 'family',
      description: 'Parent of the first demo child (NHS number claim, as NHS login gives it)',
      claims: { waitwell_role: 'family', nhs_number: familyNhsNumber },
    },
  ];
}
