import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const REFERRAL_PRIORITIES = ['routine', 'soon', 'urgent'] as const;
export type ReferralPriority = (typeof REFERRAL_PRIORITIES)[number];

/**
 * waiting: on the list, clock running · active-monitoring: clock stopped by a clinical decision to watch ·
 * treatment-started: clock stopped by first definitive treatment · discharged: clock stopped without treatment ·
 * removed-from-source: no longer on the provider's list (kept for validation, never deleted).
 */
export const REFERRAL_STATUSES = [
  'waiting',
  'active-monitoring',
  'treatment-started',
  'discharged',
  'removed-from-source',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

@Entity({ name: 'referral' })
export class ReferralEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'child_id', type: 'uuid' }) childId: string;
  @Column({ name: 'service_code', type: 'text' }) serviceCode: string;
  @Column({ name: 'provider_code', type: 'text' }) providerCode: string;
  @Column({ name: 'source_id', type: 'text' }) sourceId: string;
  @Column({ name: 'source_referral_id', type: 'text' }) sourceReferralId: string;
  @Column({ name: 'received_date', type: 'date' }) receivedDate: string;
  @Column({ type: 'text' }) priority: ReferralPriority;
  @Column({ type: 'text' }) status: ReferralStatus;
  @Column({ name: 'clock_start_date', type: 'date', nullable: true }) clockStartDate: string | null;
  @Column({ name: 'clock_stop_date', type: 'date', nullable: true }) clockStopDate: string | null;
  @Column({ name: 'clock_stop_reason', type: 'text', nullable: true }) clockStopReason:
    string | null;
  @Column({ name: 'removed_from_source_on', type: 'date', nullable: true }) removedFromSourceOn:
    string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
