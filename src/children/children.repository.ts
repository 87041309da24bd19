import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface ChildRow {
  id: string;
  nhsNumber: string;
  pseudonym: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string;
  addressLines: string[];
  postcode: string | null;
  lsoaCode: string | null;
  locality: string | null;
  deprivationDecile: number | null;
  contactEmail: string | null;
  contactPhone: string | null;
  preferredChannel: 'email' | 'sms' | 'letter';
  accessibility: Record<string, unknown>;
}

export interface ChildFlagRow {
  code: string;
  detail: string | null;
  source: string;
  recordedOn: string;
}

export interface ChildReferralRow {
  id: string;
  serviceCode: string;
  serviceName: string;
  providerCode: string;
  providerName: string;
  /** The ICB that commissions the provider. */
  commissionerCode: string;
  receivedDate: string;
  priority: string;
  status: string;
  clockStartDate: string | null;
  clockStopDate: string | null;
  clockStopReason: string | null;
  /** The day the provider's full list stopped listing it (status removed-from-source). */
  removedFromSourceOn: string | null;
}

@Injectable()
export class ChildrenRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async findById(id: string): Promise<ChildRow | null> {
    const rows: ChildRow[] = await this.db.query(
      `select id, nhs_number as "nhsNumber", pseudonym, given_name as "givenName", family_name as "familyName",
              to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", address_lines as "addressLines", postcode,
              lsoa_code as "lsoaCode", locality, deprivation_decile as "deprivationDecile",
              contact_email as "contactEmail", contact_phone as "contactPhone",
              preferred_channel as "preferredChannel", accessibility
         from child where id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findIdByNhsNumber(nhsNumber: string): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `select id from child where nhs_number = $1`,
      [nhsNumber],
    );
    return rows[0]?.id ?? null;
  }

  async activeFlags(childId: string): Promise<ChildFlagRow[]> {
    return this.db.query(
      `select code, detail, source, to_char(recorded_on, 'YYYY-MM-DD') as "recordedOn"
         from child_flag where child_id = $1 and ended_on is null order by code, recorded_on`,
      [childId],
    );
  }

  async referrals(childId: string): Promise<ChildReferralRow[]> {
    return this.db.query(
      `select r.id, r.service_code as "serviceCode", s.name as "serviceName", r.provider_code as "providerCode",
              p.name as "providerName", p.commissioner_code as "commissionerCode", to_char(r.received_date, 'YYYY-MM-DD') as "receivedDate", r.priority, r.status,
              to_char(r.clock_start_date, 'YYYY-MM-DD') as "clockStartDate",
              to_char(r.clock_stop_date, 'YYYY-MM-DD') as "clockStopDate", r.clock_stop_reason as "clockStopReason",
              to_char(r.removed_from_source_on, 'YYYY-MM-DD') as "removedFromSourceOn"
         from referral r join service s on s.code = r.service_code join provider p on p.code = r.provider_code
        where r.child_id = $1 order by r.received_date, r.id`,
      [childId],
    );
  }
}
