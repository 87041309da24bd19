import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';

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

@Injectable()
export class DemoRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async childCount(): Promise<number> {
    const rows: Array<{ n: string }> = await this.db.query(`select count(*) as n from child`);
    return Number(rows[0].n);
  }

  /** Inserts one batch of children with their referrals and clock events, in one transaction. */
  async insertBatch(children: SeedChild[], referrals: SeedReferral[], source: string): Promise<void> {
    await this.db.transaction(async (m) => {
      const ids = await this.insertChildren(m, children);
      await m.query(
        `insert into child_flag (child_id, code, detail, source, recorded_on)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::date[])`,
        columns(children.flatMap((c) => c.flags.map((f) => [ids.get(c.nhsNumber), f.code, f.detail, source, f.recordedOn]))),
      );
      const refRows: Array<{ id: string; source_referral_id: string }> = await m.query(
        `insert into referral (child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority,
                               status, clock_start_date, clock_stop_date, clock_stop_reason)
         select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::date[], $7::text[],
                              $8::text[], $9::date[], $10::date[], $11::text[])
         returning id, source_referral_id`,
        columns(referrals.map((r) => [ids.get(r.nhsNumber), r.serviceCode, r.providerCode, source, r.sourceReferralId, r.receivedDate, r.priority, r.status, r.clockStartDate, r.clockStopDate, r.clockStopReason]), 11),
      );
      const refIds = new Map(refRows.map((r) => [r.source_referral_id, r.id]));
      await m.query(
        `insert into clock_event (referral_id, event_type, event_date, rtt_status, source)
         select * from unnest($1::uuid[], $2::text[], $3::date[], $4::text[], $5::text[])`,
        columns(referrals.flatMap((r) => r.events.map((e) => [refIds.get(r.sourceReferralId), e.type, e.date, e.rttStatus, source])), 5),
      );
    });
  }

  private async insertChildren(m: EntityManager, children: SeedChild[]): Promise<Map<string, string>> {
    const rows: Array<{ id: string; nhs_number: string }> = await m.query(
      `insert into child (nhs_number, pseudonym, given_name, family_name, date_of_birth, address_lines, postcode, lsoa_code,
                          locality, deprivation_decile, contact_email, contact_phone, preferred_channel, accessibility)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::jsonb[], $7::text[], $8::text[],
                            $9::text[], $10::smallint[], $11::text[], $12::text[], $13::text[], $14::jsonb[])
       returning id, nhs_number`,
      columns(children.map((c) => [c.nhsNumber, c.pseudonym, c.givenName, c.familyName, c.dateOfBirth, JSON.stringify(c.addressLines), c.postcode, c.lsoaCode, c.locality, c.deprivationDecile, c.contactEmail, c.contactPhone, c.preferredChannel, JSON.stringify(c.accessibility)]), 14),
    );
    return new Map(rows.map((r) => [r.nhs_number, r.id]));
  }
}

/** Row-major to column-major, for unnest() bulk inserts. */
function columns(rows: unknown[][], width = rows[0]?.length ?? 5): unknown[][] {
  const out: unknown[][] = Array.from({ length: width }, () => []);
  for (const row of rows) row.forEach((v, i) => out[i].push(v ?? null));
  return out;
}
