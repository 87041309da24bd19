import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'service' })
export class ServiceEntity {
  @PrimaryColumn({ type: 'text' }) code: string;
  @Column({ type: 'text' }) name: string;
  @Column({ name: 'public_name', type: 'text' }) publicName: string;
  @Column({ name: 'target_weeks', type: 'int' }) targetWeeks: number;
  @Column({ name: 'measurement_regime', type: 'text' }) measurementRegime: string;
  @Column({ name: 'treatment_function', type: 'text', nullable: true }) treatmentFunction:
    string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}
