import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The primary keys of `child` and `child_priority` also carry the columns a full rescore's facts read
 * from them (the child's pseudonym, locality, deprivation decile and date of birth; the previous
 * score and band), so PostgreSQL reads both from their keys alone, in child order, as it already
 * reads the open referrals (CoverReferralFactsInChildIndex). The facts then join by merging three
 * streams already in child order instead of scanning both tables whole for each half of the child
 * ids (`child` 116 MB, `child_priority` 234 MB at the benchmark's size) and hashing them before the
 * first child can go out. Measured on the benchmark's data (docs/prioritisation.md, "Sixteenth
 * session").
 *
 * `child`'s key is rebuilt with the same name: the foreign keys that reference it are dropped and
 * added again as they were (read from the catalogue, so none is missed). `child_priority`'s key is
 * built by `priority_idle_build` at every full rescore, so that function builds it wider; the live
 * table's key is rebuilt here so that the first rescore after the upgrade reads it too.
 */
export class CoverRescoreFactsInPrimaryKeys1765600000000 implements MigrationInterface {
  name = 'CoverRescoreFactsInPrimaryKeys1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await rebuildChildKey(q, ' include (pseudonym, locality, deprivation_decile, date_of_birth)');
    await q.query(buildFunction(' include (score, band)'));
    await q.query(
      `alter table child_priority drop constraint child_priority_pkey,
         add constraint child_priority_pkey primary key (child_id) include (score, band)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `alter table child_priority drop constraint child_priority_pkey,
         add constraint child_priority_pkey primary key (child_id)`,
    );
    await q.query(buildFunction(''));
    await rebuildChildKey(q, '');
  }
}

/** Rebuilds `child_pkey` on `(id)` plus `include`, keeping every foreign key that references it. */
async function rebuildChildKey(q: QueryRunner, include: string): Promise<void> {
  const references = (await q.query(
    `select conrelid::regclass::text as "table", conname as name, pg_get_constraintdef(oid) as definition
       from pg_constraint
      where contype = 'f' and confrelid = 'child'::regclass
      order by 1, 2`,
  )) as Array<{ table: string; name: string; definition: string }>;
  await q.query(`create unique index child_pkey_next on child (id)${include}`);
  for (const r of references) await q.query(`alter table ${r.table} drop constraint ${r.name}`);
  await q.query(`alter table child drop constraint child_pkey`);
  await q.query(`alter table child add constraint child_pkey primary key using index child_pkey_next`);
  for (const r of references) {
    await q.query(`alter table ${r.table} add constraint ${r.name} ${r.definition}`);
  }
}

/**
 * priority_idle_build as PackRankKeys left it, with `include` on the child scores' primary key
 * (committed migrations do not import code that can change, so the function is written out here).
 */
function buildFunction(include: string): string {
  return `
    create or replace function priority_idle_build(which text) returns void
      language plpgsql security definer
      set search_path = public, pg_temp
      set maintenance_work_mem = '256MB'
    as $$
    begin
      if which = 'child' then
        alter table child_priority_idle add constraint child_priority_next_pkey primary key (child_id)${include};
        create index ix_child_priority_rank_next on child_priority_idle (rank_key, child_id);
        analyze child_priority_idle;
      elsif which = 'referral' then
        create index ix_referral_priority_rank_next on referral_priority_idle (rank_key, referral_id);
        create index ix_referral_priority_child_next on referral_priority_idle (child_id);
        analyze referral_priority_idle;
      else
        raise exception 'unknown score table %', which;
      end if;
    end $$`;
}
