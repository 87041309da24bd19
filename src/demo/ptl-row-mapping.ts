import { pseudonymFor } from '../common/identity/pseudonym.js';
import { derivePathway } from '../referrals/pathway-facts.js';
import type { PtlRow } from './demo-generator.js';

/**
 * Direct row mappings kept for tools that load demo rows in bulk without the ingest path (the
 * prioritisation benchmarks). The service itself always imports through ingest (DemoSeeder).
 */
export interface SeedChild {
  nhsNumber: string;
  pseudonym: string;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  addressLines: string[];
  postcode: string;
  lsoaCode: string;
  locality: string;
  deprivationDecile: number;
  contactEmail: string;
  contactPhone: string;
  preferredChannel: string;
  accessibility: Record<string, unknown>;
  flags: Array<{ code: string; detail: string | null; recordedOn: string }>;
}

export interface SeedReferral {
  nhsNumber: string;
  serviceCode: string;
  providerCode: string;
  sourceReferralId: string;
  receivedDate: string;
  priority: string;
  status: string;
  clockStartDate: string | null;
  clockStopDate: string | null;
  clockStopReason: string | null;
  events: Array<{ type: string; date: string; rttStatus: string | null }>;
}

export function seedChildFromRow(r: PtlRow, pseudonymSecret: string): SeedChild {
  return {
    nhsNumber: r.nhs_number,
    pseudonym: pseudonymFor(r.nhs_number, pseudonymSecret),
    givenName: r.given_name,
    familyName: r.family_name,
    dateOfBirth: r.date_of_birth,
    addressLines: [r.address_line_1, r.address_line_2, r.town].filter(Boolean),
    postcode: r.postcode,
    lsoaCode: r.lsoa_code,
    locality: r.locality,
    deprivationDecile: Number(r.deprivation_decile),
    contactEmail: r.contact_email,
    contactPhone: r.contact_phone,
    preferredChannel: r.preferred_channel,
    accessibility: {
      largePrint: r.large_print === 'Y',
      easyRead: r.easy_read === 'Y',
      language: r.language,
      interpreter: r.language !== 'en',
    },
    flags: r.flags
      ? r.flags.split(';').map((f) => {
          const [codeDetail, recordedOn] = f.split('@');
          const [code, detail] = codeDetail.split(':');
          return { code, detail: detail ?? null, recordedOn };
        })
      : [],
  };
}

export function seedReferralFromRow(r: PtlRow): SeedReferral {
  const p = derivePathway({
    receivedDate: r.referral_received_date,
    firstAppointmentDate: r.first_appointment_date || undefined,
    firstAppointmentOutcome: (r.first_appointment_outcome || undefined) as
      'attended' | 'dna' | undefined,
    rebookedDate: r.rebooked_date || undefined,
    treatmentStartDate: r.treatment_start_date || undefined,
    dischargeDate: r.discharge_date || undefined,
  });
  return {
    nhsNumber: r.nhs_number,
    serviceCode: r.service,
    providerCode: r.provider,
    sourceReferralId: r.referral_id,
    receivedDate: r.referral_received_date,
    priority: r.priority,
    status: p.status,
    clockStartDate: p.clockStartDate,
    clockStopDate: p.clockStopDate,
    clockStopReason: p.clockStopReason,
    events: p.events,
  };
}
