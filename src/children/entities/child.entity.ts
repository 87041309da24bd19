import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export type ContactChannel = 'email' | 'sms' | 'letter';

export interface AccessibilityNeeds {
  largePrint?: boolean;
  easyRead?: boolean;
  /** Preferred language (ISO 639-1, e.g. "pl"); an interpreter is offered when not "en". */
  language?: string;
  interpreter?: boolean;
  braille?: boolean;
}

@Entity({ name: 'child' })
export class ChildEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'nhs_number', type: 'char', length: 10 }) nhsNumber: string;
  /** Stable per-deployment pseudonym (HMAC of the NHS number) shown where identity is not needed. */
  @Column({ type: 'text' }) pseudonym: string;
  @Column({ name: 'given_name', type: 'text', nullable: true }) givenName: string | null;
  @Column({ name: 'family_name', type: 'text', nullable: true }) familyName: string | null;
  @Column({ name: 'date_of_birth', type: 'date' }) dateOfBirth: string;
  @Column({ name: 'address_lines', type: 'jsonb', default: () => `'[]'` }) addressLines: string[];
  @Column({ type: 'text', nullable: true }) postcode: string | null;
  @Column({ name: 'lsoa_code', type: 'text', nullable: true }) lsoaCode: string | null;
  @Column({ type: 'text', nullable: true }) locality: string | null;
  @Column({ name: 'deprivation_decile', type: 'smallint', nullable: true }) deprivationDecile:
    number | null;
  @Column({ name: 'contact_email', type: 'text', nullable: true }) contactEmail: string | null;
  @Column({ name: 'contact_phone', type: 'text', nullable: true }) contactPhone: string | null;
  @Column({ name: 'preferred_channel', type: 'text', default: 'letter' })
  preferredChannel: ContactChannel;
  @Column({ type: 'jsonb', default: () => `'{}'` }) accessibility: AccessibilityNeeds;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
