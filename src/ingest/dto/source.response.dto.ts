import { ApiProperty } from '@nestjs/swagger';
import { ImportRunResponse } from './import-run.response.dto.js';

export class SourceResponse {
  @ApiProperty() id: string;
  @ApiProperty() provider: string;
  @ApiProperty() service: string;
  @ApiProperty({ enum: ['csv-file', 'csv-url', 'fhir'] }) kind: string;
  @ApiProperty({ enum: ['snapshot', 'delta'] }) mode: string;
  @ApiProperty({ description: 'File, drop folder or URL (no credentials, no query string)' })
  location: string;
  @ApiProperty({ nullable: true, type: String }) schedule: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Next scheduled pull, when the scheduler is on',
  })
  nextPullAt: string | null;
  @ApiProperty({
    description: 'Names of the environment variables holding credentials (never their values)',
    type: [String],
  })
  credentialEnv: string[];
  @ApiProperty({ type: ImportRunResponse, nullable: true }) lastRun: ImportRunResponse | null;
}

export class RejectResponse {
  @ApiProperty({
    description:
      'Row number as a spreadsheet shows it (header = 1); for FHIR the position in the search',
  })
  rowNumber: number;
  @ApiProperty({ nullable: true, type: String }) sourceReferralId: string | null;
  @ApiProperty({ description: 'One reason per field' }) problems: Array<{
    field: string;
    message: string;
  }>;
  @ApiProperty({
    description: 'The row as the provider sent it (patient data); null once cleared',
    nullable: true,
    type: Object,
  })
  raw: Record<string, unknown> | null;
  @ApiProperty() cleared: boolean;
  @ApiProperty({ nullable: true, type: String }) clearedByRunId: string | null;
}

export class RejectPage {
  @ApiProperty({ type: [RejectResponse] }) items: RejectResponse[];
  @ApiProperty({ nullable: true, type: String }) next: string | null;
}
