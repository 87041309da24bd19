import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rank indexes hold one packed bigint and the id instead of four or five sort columns
 * (src/prioritisation/rescore/rank-key.ts): every full rescore builds them afresh, and with a column
 * of a handful of values first (a service, a band) nearly every comparison of the build's sort went
 * on to the next columns. On the benchmark's 877,429 referral scores the referral rank index built
 * in 1.04-1.71 s, against 0.49-0.74 s on the packed key; the child rank index 0.68-0.72 s against
 * 0.51 s. The sort columns stay on the rows (the explanation and the tests read them) but no query
 * filters or sorts on them any more, so they are no longer sampled by ANALYZE; neither is
 * `service_number`, which migration NumberServicesForReferralRankIndex left at the default
 * statistics target, so that every full rescore's ANALYZE of the referral scores read 30,000 rows
 * instead of 7,500 (0.31-0.44 s against 0.10-0.15 s).
 * `priority_rank_key(...)` computes a key in SQL as the rescore does in Node, to fill the live rows
 * here and to read or check a key by hand.
 */
const TABLES = [
  ['child_priority', '0'],
  ['referral_priority', 'service_number'],
] as const;

const UNSAMPLED = {
  child_priority: ['band_rank', 'neg_score', 'neg_weeks'],
  referral_priority: ['band_rank', 'neg_score', 'neg_weeks', 'service_number'],
};

export class PackRankKeys1765400000000 implements MigrationInterface {
  name = 'PackRankKeys1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function priority_rank_key(service int, band_rank int, neg_score float8, neg_weeks int)
        returns bigint language sql immutable parallel safe
      as $$
        select (least(greatest(service, 0), 127)::int8 << 56)
             | (least(greatest(band_rank, 0), 255)::int8 << 48)
             | ((case when neg_score = 'NaN'::float8 then 4294967295
                      else least(greatest(round(neg_score * 10), -2147483648), 2147483647)::int8 + 2147483648
                 end) << 16)
             | (least(greatest(neg_weeks, -32768), 32767) + 32768)::int8
      $$`);
    // A service's number takes the rank key's top 7 bits. The catalogue's upsert took a number from
    // the sequence at every start-up (now fixed in CatalogueRepository), so a service added late may
    // hold a large one: number the services 1, 2, 3... in their order, carry the numbers onto the
    // referral scores, and let a 128th service fail loudly rather than share a list's keys.
    await q.query(`truncate child_priority_idle, referral_priority_idle`);
    await q.query(`update service set number = -number`);
    await q.query(`
      update service s set number = d.n
        from (select code, row_number() over (order by -number) as n from service) d
       where d.code = s.code`);
    await q.query(`
      update referral_priority rp set service_number = s.number
        from service s where s.code = rp.service_code and rp.service_number <> s.number`);
    await q.query(`
      select setval(pg_get_serial_sequence('service', 'number'), coalesce(max(number), 0) + 1, false)
        from service`);
    await q.query(
      `alter table service add constraint service_number_fits_rank_key check (number between 0 and 127)`,
    );
    for (const [table, service] of TABLES) {
      for (const t of [table, `${table}_idle`]) {
        await q.query(`alter table ${t} add column rank_key bigint`);
        await q.query(`alter table ${t} alter column rank_key set statistics 25`);
        const alter = UNSAMPLED[table].map((c) => `alter column ${c} set statistics 0`).join(', ');
        await q.query(`alter table ${t} ${alter}`);
      }
      await q.query(
        `update ${table} set rank_key = priority_rank_key(${service}, band_rank, neg_score, neg_weeks)`,
      );
      for (const t of [table, `${table}_idle`]) {
        await q.query(`alter table ${t} alter column rank_key set not null`);
      }
    }
    await q.query(`drop index if exists ix_child_priority_rank, ix_referral_priority_rank`);
    await q.query(`create index ix_child_priority_rank on child_priority (rank_key, child_id)`);
    await q.query(
      `create index ix_referral_priority_rank on referral_priority (rank_key, referral_id)`,
    );
    await q.query(
      buildFunction(
        '(rank_key, child_id)',
        '(rank_key, referral_id)',
      ),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      buildFunction(
        '(band_rank, neg_score, neg_weeks, child_id)',
        '(service_number, band_rank, neg_score, neg_weeks, referral_id)',
      ),
    );
    await q.query(`drop index if exists ix_child_priority_rank, ix_referral_priority_rank`);
    await q.query(
      `create index ix_child_priority_rank on child_priority (band_rank, neg_score, neg_weeks, child_id)`,
    );
    await q.query(
      `create index ix_referral_priority_rank on referral_priority (service_number, band_rank, neg_score, neg_weeks, referral_id)`,
    );
    await q.query(`truncate child_priority_idle, referral_priority_idle`);
    for (const [table] of TABLES) {
      for (const t of [table, `${table}_idle`]) {
        await q.query(`alter table ${t} drop column rank_key`);
        const alter = UNSAMPLED[table]
          .map((c) => `alter column ${c} set statistics ${c === 'service_number' ? -1 : 25}`)
          .join(', ');
        await q.query(`alter table ${t} ${alter}`);
      }
    }
    await q.query(`alter table service drop constraint service_number_fits_rank_key`);
    await q.query(`drop function priority_rank_key(int, int, float8, int)`);
  }
}

/** priority_idle_build (FillPriorityScoresSideBySide) with the given rank index columns. */
function buildFunction(childRank: string, referralRank: string): string {
  return `
    create or replace function priority_idle_build(which text) returns void
      language plpgsql security definer
      set search_path = public, pg_temp
      set maintenance_work_mem = '256MB'
    as $$
    begin
      if which = 'child' then
        alter table child_priority_idle add constraint child_priority_next_pkey primary key (child_id);
        create index ix_child_priority_rank_next on child_priority_idle ${childRank};
        analyze child_priority_idle;
      elsif which = 'referral' then
        create index ix_referral_priority_rank_next on referral_priority_idle ${referralRank};
        create index ix_referral_priority_child_next on referral_priority_idle (child_id);
        analyze referral_priority_idle;
      else
        raise exception 'unknown score table %', which;
      end if;
    end $$`;
}
