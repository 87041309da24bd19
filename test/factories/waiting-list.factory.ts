import type { DataSource } from 'typeorm';
import { pseudonymFor } from '../../src/common/identity/pseudonym.js';
import { demoNhsNumber } from '../../src/demo/demo-generator.js';

let counter = 500_000;

export interface ChildOverrides {
  nhsNumber?: string;
  givenName?: string;
  familyName?: string;
  dateOfBirth?: string;
  locality?: string;
  deprivationDecile?: number;
  flags?: Array<{ code: string; detail?: string; recordedOn?: string }>;
}

export interface ReferralOverrides {
  service?: string;
  provider?: string;
  receivedDate?: string;
  priority?: string;
  status?: string;
  clockStartDate?: string | null;
  clockStopDate?: string | null;
  sourceId?: string;
  sourceReferralId?: string;
}

/** Inserts a child (valid 999-range NHS number unless given) and returns its id and NHS number. */
export async function insertChild(
  db: DataSource,
  o: ChildOverrides = {},
): Promise<{ id: string; nhsNumber: string; pseudonym: string }> {
  // Test files share one database: move past numbers an earlier file already used.
  for (;;) {
    const nhsNumber = o.nhsNumber ?? demoNhsNumber(counter++);
    const pseudonym = pseudonymFor(nhsNumber, 'test-secret');
    const rows: Array<{ id: string }> = await db.query(
      `insert into child (nhs_number, pseudonym, given_name, family_name, date_of_birth, postcode, locality, deprivation_decile,
                          contact_email, preferred_channel, address_lines)
       values ($1, $2, $3, $4, $5, 'NB1 4AB', $6, $7, 'parent@example.com', 'email', '["1 Mill Lane","Northbridge"]')
       on conflict (nhs_number) do nothing returning id`,
      [
        nhsNumber,
        pseudonym,
        o.givenName ?? 'Ava',
        o.familyName ?? 'Testchild',
        o.dateOfBirth ?? '2018-05-01',
        o.locality ?? 'Northbridge',
        o.deprivationDecile ?? 5,
      ],
    );
    if (rows.length === 0) {
      if (o.nhsNumber) throw new Error('a child with that NHS number already exists');
      continue;
    }
    for (const f of o.flags ?? []) {
      await db.query(
        `insert into child_flag (child_id, code, detail, source, recorded_on) values ($1, $2, $3, 'test', $4)`,
        [rows[0].id, f.code, f.detail ?? null, f.recordedOn ?? '2026-01-01'],
      );
    }
    return { id: rows[0].id, nhsNumber, pseudonym };
  }
}

/** Inserts a referral for a child with a referral-received clock event. */
export async function insertReferral(
  db: DataSource,
  childId: string,
  o: ReferralOverrides = {},
): Promise<string> {
  const received = o.receivedDate ?? '2026-06-01';
  // Test files share one database: move past source referral ids an earlier file left behind.
  let rows: Array<{ id: string }> = [];
  while (rows.length === 0) {
    rows = await db.query(
      `insert into referral (child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority, status,
                             clock_start_date, clock_stop_date)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       on conflict (source_id, source_referral_id) do nothing returning id`,
      [
        childId,
        o.service ?? 'slt',
        o.provider ?? 'RYB',
        o.sourceId ?? 'test',
        o.sourceReferralId ?? `REF-${counter++}`,
        received,
        o.priority ?? 'routine',
        o.status ?? 'waiting',
        o.clockStartDate === undefined ? received : o.clockStartDate,
        o.clockStopDate ?? null,
      ],
    );
    if (rows.length === 0 && o.sourceReferralId) {
      throw new Error('a referral with that source referral id already exists');
    }
  }
  await db.query(
    `insert into clock_event (referral_id, event_type, event_date, rtt_status, source) values ($1, 'referral-received', $2, '10', 'test')`,
    [rows[0].id, received],
  );
  return rows[0].id;
}
