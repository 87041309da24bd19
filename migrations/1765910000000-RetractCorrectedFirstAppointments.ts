import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Imports now take back what an updated row of a provider's list no longer says with a `retracted`
 * clock event (RTT clock rule R17, `rtt-clock-v3`). Before them, a first appointment's outcome
 * corrected at source (a missed one corrected to attended, an attended one to missed, or a missed one
 * to treatment that day) left both events on one date, and the report kept the earlier one. This
 * writes, once, the retraction those imports would have written: of the earlier of the two, unless
 * one already takes it back. The history stays append-only; a report whose data cut-off is before
 * this migration still sees what was known then.
 */
export class RetractCorrectedFirstAppointments1765910000000 implements MigrationInterface {
  name = 'RetractCorrectedFirstAppointments1765910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      insert into clock_event (referral_id, event_type, event_date, rtt_status, source, detail)
      select distinct e.referral_id, 'retracted', e.event_date, null::char(2), e.source,
             jsonb_build_object('retracts', e.event_type)
        from clock_event e
        join clock_event l on l.referral_id = e.referral_id and l.event_date = e.event_date and l.id > e.id
       where ((e.event_type = 'dna' and l.event_type in ('appointment-attended', 'treatment-started'))
              or (e.event_type = 'appointment-attended' and l.event_type = 'dna'))
         and not exists (select 1 from clock_event r
                          where r.referral_id = e.referral_id and r.event_type = 'retracted'
                            and r.event_date = e.event_date and r.detail->>'retracts' = e.event_type
                            and r.id > e.id)`);
  }

  down(): Promise<void> {
    // Clock events are append-only (a trigger refuses deletes): the retractions stay, as any
    // correction does. The engine before rtt-clock-v3 reads them as unknown events and moves nothing.
    return Promise.resolve();
  }
}
