import { ApiProperty } from '@nestjs/swagger';
import type { RunRow } from '../import-run.repository.js';

export class ImportRunCounts {
  @ApiProperty({ description: 'Rows (or FHIR ServiceRequests) read so far' }) read: number;
  @ApiProperty() new: number;
  @ApiProperty() updated: number;
  @ApiProperty() unchanged: number;
  @ApiProperty({
    description: 'Referrals missing from a full snapshot, marked removed-from-source',
  })
  removedFromSource: number;
  @ApiProperty() rejected: number;
  @ApiProperty() childrenNew: number;
  @ApiProperty() childrenChanged: number;
}

export class ImportRunError {
  @ApiProperty() code: string;
  @ApiProperty() message: string;
}

export class ImportRunResponse {
  @ApiProperty() id: string;
  @ApiProperty() sourceId: string;
  @ApiProperty({ enum: ['csv-file', 'csv-url', 'fhir'] }) kind: string;
  @ApiProperty({ enum: ['snapshot', 'delta'] }) mode: string;
  @ApiProperty({ enum: ['schedule', 'api', 'cli', 'startup'] }) trigger: string;
  @ApiProperty() triggeredBy: string;
  @ApiProperty({ enum: ['running', 'succeeded', 'failed'] }) status: string;
  @ApiProperty({ description: 'reading, applying, done or failed' }) phase: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'File path or URL (without query string)',
  })
  location: string | null;
  @ApiProperty({ nullable: true, type: String }) contentSha256: string | null;
  @ApiProperty() startedAt: string;
  @ApiProperty({ nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ description: 'So far, while running' }) durationMs: number;
  @ApiProperty({ type: ImportRunCounts }) counts: ImportRunCounts;
  @ApiProperty({ type: ImportRunError, nullable: true }) error: ImportRunError | null;
}

export class ImportRunPage {
  @ApiProperty({ type: [ImportRunResponse] }) items: ImportRunResponse[];
  @ApiProperty({ nullable: true, type: String }) next: string | null;
}

export function toImportRunResponse(r: RunRow, now = new Date()): ImportRunResponse {
  return {
    id: r.id,
    sourceId: r.sourceId,
    kind: r.sourceKind,
    mode: r.mode,
    trigger: r.trigger,
    triggeredBy: r.triggeredBy,
    status: r.status,
    phase: r.phase,
    location: r.location,
    contentSha256: r.contentSha256,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    durationMs: (r.finishedAt ?? now).getTime() - r.startedAt.getTime(),
    counts: {
      read: r.rowsRead,
      new: r.rowsNew,
      updated: r.rowsUpdated,
      unchanged: r.rowsUnchanged,
      removedFromSource: r.rowsRemoved,
      rejected: r.rowsRejected,
      childrenNew: r.childrenNew,
      childrenChanged: r.childrenChanged,
    },
    error: r.errorCode ? { code: r.errorCode, message: r.errorMessage ?? '' } : null,
  };
}
