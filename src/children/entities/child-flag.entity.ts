import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Flags that change a child's risk; each carries where it came from and when. */
export const CHILD_FLAG_CODES = [
  'child-in-care',
  'ehcp',
  'safeguarding-concern',
  'not-in-school', // excluded, suspended, part-time timetable, electively home educated or missing education
] as const;
export type ChildFlagCode = (typeof CHILD_FLAG_CODES)[number];

@Entity({ name: 'child_flag' })
export class ChildFlagEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'child_id', type: 'uuid' }) childId: string;
  @Column({ type: 'text' }) code: ChildFlagCode;
  /** Free-form detail code, e.g. "excluded" or "part-time-timetable" for not-in-school. */
  @Column({ type: 'text', nullable: true }) detail: string | null;
  /** Where the flag came from: an import source id, "clinician", "family" or "demo". */
  @Column({ type: 'text' }) source: string;
  @Column({ name: 'recorded_on', type: 'date' }) recordedOn: string;
  @Column({ name: 'ended_on', type: 'date', nullable: true }) endedOn: string | null;
}
