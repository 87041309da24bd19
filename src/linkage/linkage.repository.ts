import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { exactTimeSql } from '../common/pagination/keyset.js';
import type { FieldGroup, IdentityConflict, SourceIdentity } from './matching/identity-rules.js';

/**
 * The relation an import stages its children in (created by the ingest apply, same transaction):
 * one row per child with child_id, is_new and the identity columns.
 */
export const STAGED_CHILDREN = 'ingest_child';

export interface Keep {
  childId: string;
  keep: Record<FieldGroup, string>;
}

export interface IssueRow {
  id: string;
  childId: string;
  pseudonym: string;
  field: string;
  status: string;
  keptSourceId: string;
  sourceIds: string[];
  openedAt: Date;
  /** opened_at to the microsecond, for the page's cursor (exactTimeSql). */
  keyAt: string;
  updatedAt: Date;
  resolvedAt: Date | null;
}

export interface SourceValueRow {
  childId: string;
  sourceId: string;
  givenName: string | null;
  familyName: string | null;
  dateOfBirth: string;
  postcode: string | null;
  nameChangedAt: Date;
  dobChangedAt: Date;
  addressChangedAt: Date;
  lastRunId: string;
}

const IDENTITY = `given_name, family_name, date_of_birth, address_lines, postcode, lsoa_code, locality, deprivation_decile,
                  contact_email, contact_phone, preferred_channel, accessibility`;
const changed = (cols: string) =>
  `(${cols
    .split(',')
    .map((c) => `csi.${c.trim()}`)
    .join(', ')}) is distinct from (${cols
    .split(',')
    .map((c) => `excluded.${c.trim()}`)
    .join(', ')})`;

/** TypeORM answers UPDATE/DELETE ... RETURNING with [rows, affected]; other statements with rows. */
function returned<T>(result: unknown): T[] {
  return Array.isArray(result) &&
    result.length === 2 &&
    Array.isArray(result[0]) &&
    typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}

@Injectable()
export class LinkageRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Children of this import that are also on another source's list ("linked"). Only they need
   * per-source provenance: a child known to one source simply shows that source's values, so the
   * per-source rows are created when a second source first lists the child (lazily, which keeps a
   * provider's first big import free of linkage work).
   */
  async findLinkedChildren(
    m: EntityManager,
    sourceId: string,
  ): Promise<
    Array<{
      childId: string;
      sourceId: string;
      givenName: string | null;
      familyName: string | null;
      postcode: string | null;
    }>
  > {
    await m.query(
      `create temp table linkage_linked on commit drop as
       select ic.child_id from ${STAGED_CHILDREN} ic
        where not ic.is_new and exists (select 1 from referral r where r.child_id = ic.child_id and r.source_id <> $1)`,
      [sourceId],
    );
    // Sources that listed a linked child before per-source rows existed: the child's values are theirs.
    return m.query(
      `select c.id as "childId", o.source_id as "sourceId", c.given_name as "givenName", c.family_name as "familyName", c.postcode
         from linkage_linked l join child c on c.id = l.child_id
        cross join lateral (select distinct r.source_id from referral r where r.child_id = l.child_id and r.source_id <> $1) o
        where not exists (select 1 from child_source_identity cs where cs.child_id = l.child_id and cs.source_id = o.source_id)`,
      [sourceId],
    );
  }

  /** Per-source rows for sources that set a linked child's values before it was linked (stamped with the child's last change). */
  async backfillSourceIdentities(
    m: EntityManager,
    runId: string,
    rows: Array<{ childId: string; sourceId: string; nameKey: string; postcodeKey: string }>,
  ): Promise<void> {
    if (rows.length === 0) return;
    await m.query(
      `insert into child_source_identity (child_id, source_id, ${IDENTITY}, name_key, postcode_key,
                                          name_changed_at, dob_changed_at, address_changed_at, contact_changed_at, last_run_id)
       select c.id, x.source_id, c.given_name, c.family_name, c.date_of_birth, c.address_lines, c.postcode, c.lsoa_code, c.locality,
              c.deprivation_decile, c.contact_email, c.contact_phone, c.preferred_channel, c.accessibility, x.name_key, x.postcode_key,
              c.updated_at, c.updated_at, c.updated_at, c.updated_at, $5
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as x(child_id, source_id, name_key, postcode_key)
         join child c on c.id = x.child_id
       on conflict do nothing`,
      [
        rows.map((r) => r.childId),
        rows.map((r) => r.sourceId),
        rows.map((r) => r.nameKey),
        rows.map((r) => r.postcodeKey),
        runId,
      ],
    );
  }

  /**
   * Records what this source now says about each linked child, stamping each group of fields with
   * the time the source changed it; notes the children with a change (or first seen from this source).
   */
  async upsertSourceIdentities(m: EntityManager, sourceId: string, runId: string): Promise<void> {
    await m.query(
      `create temp table linkage_changed (child_id uuid primary key, sources int) on commit drop`,
    );
    await m.query(
      `with up as (
         insert into child_source_identity as csi (child_id, source_id, ${IDENTITY}, name_key, postcode_key,
                                                   name_changed_at, dob_changed_at, address_changed_at, contact_changed_at, last_run_id)
         select ic.child_id, $1, ic.given_name, ic.family_name, ic.dob, ic.address_lines, ic.postcode, ic.lsoa_code, ic.locality,
                ic.decile, ic.email, ic.phone, ic.channel, ic.accessibility, ic.name_key, ic.postcode_key, now(), now(), now(), now(), $2
           from ${STAGED_CHILDREN} ic join linkage_linked l on l.child_id = ic.child_id
         on conflict (child_id, source_id) do update set
           given_name = excluded.given_name, family_name = excluded.family_name, date_of_birth = excluded.date_of_birth,
           address_lines = excluded.address_lines, postcode = excluded.postcode, lsoa_code = excluded.lsoa_code,
           locality = excluded.locality, deprivation_decile = excluded.deprivation_decile, contact_email = excluded.contact_email,
           contact_phone = excluded.contact_phone, preferred_channel = excluded.preferred_channel,
           accessibility = excluded.accessibility, name_key = excluded.name_key, postcode_key = excluded.postcode_key,
           name_changed_at = case when ${changed('given_name, family_name')} then now() else csi.name_changed_at end,
           dob_changed_at = case when ${changed('date_of_birth')} then now() else csi.dob_changed_at end,
           address_changed_at = case when ${changed('address_lines, postcode, lsoa_code, locality, deprivation_decile')} then now() else csi.address_changed_at end,
           contact_changed_at = case when ${changed('contact_email, contact_phone, preferred_channel, accessibility')} then now() else csi.contact_changed_at end,
           last_run_id = excluded.last_run_id
         where ${changed(IDENTITY)}
         returning child_id)
       insert into linkage_changed (child_id, sources) select child_id, 2 from up`,
      [sourceId, runId],
    );
  }

  /** Children known to this source only take its values as they are. */
  async applySingleSourceChildren(m: EntityManager): Promise<string[]> {
    const rows = returned<{ id: string }>(
      await m.query(`
      update child c
         set given_name = ic.given_name, family_name = ic.family_name, date_of_birth = ic.dob, address_lines = ic.address_lines,
             postcode = ic.postcode, lsoa_code = ic.lsoa_code, locality = ic.locality, deprivation_decile = ic.decile,
             contact_email = ic.email, contact_phone = ic.phone, preferred_channel = ic.channel, accessibility = ic.accessibility,
             updated_at = now()
        from ${STAGED_CHILDREN} ic
       where c.id = ic.child_id and not ic.is_new
         and not exists (select 1 from linkage_linked l where l.child_id = ic.child_id)
         and (c.given_name, c.family_name, c.date_of_birth, c.address_lines, c.postcode, c.lsoa_code, c.locality,
              c.deprivation_decile, c.contact_email, c.contact_phone, c.preferred_channel, c.accessibility)
             is distinct from (ic.given_name, ic.family_name, ic.dob, ic.address_lines, ic.postcode, ic.lsoa_code, ic.locality,
              ic.decile, ic.email, ic.phone, ic.channel, ic.accessibility)
      returning c.id`),
    );
    return rows.map((r) => r.id);
  }

  /** What every source says about changed children known to more than one source, in batches. */
  async *multiSourceIdentities(
    m: EntityManager,
    batch = 5000,
  ): AsyncGenerator<Map<string, SourceIdentity[]>> {
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const ids: Array<{ child_id: string }> = await m.query(
        `select child_id from linkage_changed where child_id > $1 order by child_id limit $2`,
        [after, batch],
      );
      if (ids.length === 0) return;
      after = ids[ids.length - 1].child_id;
      const rows: Array<{
        child_id: string;
        source_id: string;
        name_key: string;
        dob: string;
        postcode_key: string;
        n: string;
        d: string;
        a: string;
        c: string;
      }> = await m.query(
        `select child_id, source_id, name_key, to_char(date_of_birth, 'YYYY-MM-DD') as dob, postcode_key,
                extract(epoch from name_changed_at) as n, extract(epoch from dob_changed_at) as d,
                extract(epoch from address_changed_at) as a, extract(epoch from contact_changed_at) as c
           from child_source_identity where child_id = any($1::uuid[])`,
        [ids.map((r) => r.child_id)],
      );
      const out = new Map<string, SourceIdentity[]>();
      for (const r of rows) {
        const list = out.get(r.child_id) ?? [];
        list.push({
          sourceId: r.source_id,
          nameKey: r.name_key,
          dateOfBirth: r.dob,
          postcodeKey: r.postcode_key,
          changedAt: {
            name: Number(r.n),
            dateOfBirth: Number(r.d),
            address: Number(r.a),
            contact: Number(r.c),
          },
        });
        out.set(r.child_id, list);
      }
      yield out;
    }
  }

  /** Sets each child's fields from the source kept for each group (provenance in child_source_identity). */
  async applyKept(m: EntityManager, kept: Keep[]): Promise<string[]> {
    if (kept.length === 0) return [];
    const rows = returned<{ id: string }>(
      await m.query(
        `update child c
          set given_name = n.given_name, family_name = n.family_name, date_of_birth = d.date_of_birth,
              address_lines = a.address_lines, postcode = a.postcode, lsoa_code = a.lsoa_code, locality = a.locality,
              deprivation_decile = a.deprivation_decile, contact_email = k.contact_email, contact_phone = k.contact_phone,
              preferred_channel = k.preferred_channel, accessibility = k.accessibility, updated_at = now()
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) as x(child_id, ns, ds, asrc, ks)
         join child_source_identity n on n.child_id = x.child_id and n.source_id = x.ns
         join child_source_identity d on d.child_id = x.child_id and d.source_id = x.ds
         join child_source_identity a on a.child_id = x.child_id and a.source_id = x.asrc
         join child_source_identity k on k.child_id = x.child_id and k.source_id = x.ks
        where c.id = x.child_id
          and (c.given_name, c.family_name, c.date_of_birth, c.address_lines, c.postcode, c.lsoa_code, c.locality,
               c.deprivation_decile, c.contact_email, c.contact_phone, c.preferred_channel, c.accessibility)
              is distinct from (n.given_name, n.family_name, d.date_of_birth, a.address_lines, a.postcode, a.lsoa_code,
               a.locality, a.deprivation_decile, k.contact_email, k.contact_phone, k.preferred_channel, k.accessibility)
       returning c.id`,
        [
          kept.map((k) => k.childId),
          kept.map((k) => k.keep.name),
          kept.map((k) => k.keep.dateOfBirth),
          kept.map((k) => k.keep.address),
          kept.map((k) => k.keep.contact),
        ],
      ),
    );
    return rows.map((r) => r.id);
  }

  /** Opens (or refreshes) an issue per conflict and resolves the children's other open issues. */
  async recordIssues(
    m: EntityManager,
    runId: string,
    childIds: string[],
    conflicts: Array<IdentityConflict & { childId: string }>,
  ): Promise<{ opened: number; resolved: number }> {
    const opened: Array<{ inserted: boolean }> = conflicts.length
      ? await m.query(
          `insert into data_quality_issue (child_id, field, status, kept_source_id, source_ids, opened_run_id, last_run_id)
           select x.c, x.f, 'open', x.k, string_to_array(x.s, ','), $5, $5
             from unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) as x(c, f, k, s)
           on conflict (child_id, field) where status = 'open' do update
              set kept_source_id = excluded.kept_source_id, source_ids = excluded.source_ids,
                  last_run_id = excluded.last_run_id, updated_at = now()
           returning (xmax = 0) as inserted`,
          [
            conflicts.map((c) => c.childId),
            conflicts.map((c) => c.field),
            conflicts.map((c) => c.keptSourceId),
            conflicts.map((c) => c.sourceIds.join(',')),
            runId,
          ],
        )
      : [];
    const resolved = returned<unknown>(
      await m.query(
        `update data_quality_issue d set status = 'resolved', resolved_at = now(), updated_at = now(), last_run_id = $3
        where d.status = 'open' and d.child_id = any($1::uuid[]) and (d.child_id::text || ':' || d.field) <> all($2::text[])
       returning d.id`,
        [childIds, conflicts.map((c) => `${c.childId}:${c.field}`), runId],
      ),
    );
    return { opened: opened.filter((o) => o.inserted).length, resolved: resolved.length };
  }

  async listIssues(f: {
    status: string;
    field?: string;
    sourceId?: string;
    services?: string[];
    after?: { openedAt: string; id: string };
    limit: number;
  }): Promise<IssueRow[]> {
    const params: unknown[] = [f.status];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['d.status = $1'];
    if (f.field) where.push(`d.field = ${p(f.field)}`);
    if (f.sourceId) where.push(`${p(f.sourceId)} = any(d.source_ids)`);
    if (f.services) {
      where.push(
        `exists (select 1 from referral r where r.child_id = d.child_id and r.service_code = any(${p(f.services)}::text[]))`,
      );
    }
    if (f.after) {
      where.push(
        `(d.opened_at, d.id) > (${p(f.after.openedAt)}::timestamptz, ${p(f.after.id)}::uuid)`,
      );
    }
    return this.db.query(
      `select d.id, d.child_id as "childId", c.pseudonym, d.field, d.status, d.kept_source_id as "keptSourceId",
              d.source_ids as "sourceIds", d.opened_at as "openedAt", ${exactTimeSql('d.opened_at')} as "keyAt",
              d.updated_at as "updatedAt", d.resolved_at as "resolvedAt"
         from data_quality_issue d join child c on c.id = d.child_id
        where ${where.join(' and ')}
        order by d.opened_at, d.id limit ${p(f.limit)}`,
      params,
    );
  }

  async sourceValues(childIds: string[]): Promise<SourceValueRow[]> {
    if (childIds.length === 0) return [];
    return this.db.query(
      `select child_id as "childId", source_id as "sourceId", given_name as "givenName", family_name as "familyName",
              to_char(date_of_birth, 'YYYY-MM-DD') as "dateOfBirth", postcode, name_changed_at as "nameChangedAt",
              dob_changed_at as "dobChangedAt", address_changed_at as "addressChangedAt", last_run_id as "lastRunId"
         from child_source_identity where child_id = any($1::uuid[]) order by source_id`,
      [childIds],
    );
  }
}
