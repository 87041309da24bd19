import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * What happened to a pathway, in order; append-only (a trigger refuses UPDATE and DELETE).
 * RTT reporting reconstructs any past census date from these rows.
 */
export const CLOCK_EVENT_TYPES = [
  'referral-received', // clock starts (Rule 1/2), date = provider received the referral
  'triaged',
  'appointment-booked',
  'appointment-attended',
  'appointment-cancelled', // by patient or provider: never stops the clock (§1.5)
  'dna', // did not attend / was not brought; first appointment DNA nullifies the clock (Rule 5e)
  'rebooked', // patient re-contacted after a first-appointment DNA: new clock at zero (§1.4)
  'treatment-started', // first definitive treatment: clock stops (Rule 4)
  'active-monitoring', // Rule 5b stop
  'active-monitoring-ended', // decision to treat after monitoring: new clock (Rule 3d)
  'decision-not-to-treat', // Rule 5d stop
  'declined', // Rule 5c stop
  'returned-to-primary-care', // Rule 5a stop
  'discharged', // discharge (incl. 5f after a later DNA)
  'died', // stop, code 36
  're-referred', // new referral on the same pathway id: new clock (Rule 3c)
  'removed-from-source', // no longer on the provider's list: validation, not a clinical stop
  'priority-changed',
  'restored-to-source', // back on the provider's list after removed-from-source: the earlier removal no longer applies
  'retracted', // the provider's list no longer says what an earlier event said (detail.retracts: its type, same date)
] as const;
export type ClockEventType = (typeof CLOCK_EVENT_TYPES)[number];

@Entity({ name: 'clock_event' })
export class ClockEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id: string;
  @Column({ name: 'referral_id', type: 'uuid' }) referralId: string;
  @Column({ name: 'event_type', type: 'text' }) eventType: ClockEventType;
  @Column({ name: 'event_date', type: 'date' }) eventDate: string;
  /** RTT status code (DSCN 18/2006) where the source gives one. */
  @Column({ name: 'rtt_status', type: 'char', length: 2, nullable: true }) rttStatus: string | null;
  @Column({ type: 'text' }) source: string;
  @Column({ name: 'import_run_id', type: 'uuid', nullable: true }) importRunId: string | null;
  @Column({ type: 'jsonb', default: () => `'{}'` }) detail: Record<string, unknown>;
  @CreateDateColumn({ name: 'recorded_at', type: 'timestamptz' }) recordedAt: Date;
}
