import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { Explanation } from '../../scoring/explain.js';

export class ToolVersionRef {
  @ApiProperty() id: string;
  @ApiProperty() version: number;
  @ApiProperty() name: string;
}

export class OverrideView {
  @ApiProperty() band: string;
  @ApiProperty({
    description: 'The override ends on this date and the child returns to the tool band.',
  })
  reviewDate: string;
  @ApiProperty() setBy: string;
  @ApiProperty() setAt: string;
  @ApiPropertyOptional({ description: 'Clinicians only' }) reason?: string;
}

export class HistoryView {
  @ApiProperty() scoredAt: string;
  @ApiProperty() asAt: string;
  @ApiProperty() toolVersionId: string;
  @ApiProperty({ nullable: true, description: 'null when the child left every list' }) score:
    number | null;
  @ApiProperty({ nullable: true }) toolBand: string | null;
  @ApiProperty({ nullable: true }) band: string | null;
}

export class ChildPriorityResponse {
  @ApiProperty() childId: string;
  @ApiProperty() pseudonym: string;
  @ApiProperty() identifiable: boolean;
  @ApiPropertyOptional() nhsNumber?: string;
  @ApiPropertyOptional() givenName?: string | null;
  @ApiPropertyOptional() familyName?: string | null;
  @ApiPropertyOptional() dateOfBirth?: string;
  @ApiProperty({ description: 'The date the waits and ages were measured at' }) asAt: string;
  @ApiProperty() scoredAt: string;
  @ApiProperty({ type: ToolVersionRef }) toolVersion: ToolVersionRef;
  @ApiProperty() score: number;
  @ApiProperty({ description: 'The band in force (a clinician override, or the tool band)' })
  band: string;
  @ApiProperty({ description: "The tool's own band" }) toolBand: string;
  @ApiProperty({ description: 'A trigger asks for clinical review' }) review: boolean;
  @ApiProperty({
    description:
      'A rule could not be applied (missing data or a failing rule): see explanation.problems',
  })
  flagged: boolean;
  @ApiProperty({
    description: 'The explanation re-derived from the stored inputs gives the stored score',
  })
  consistent: boolean;
  @ApiProperty({ type: OverrideView, nullable: true }) override: OverrideView | null;
  @ApiProperty({ type: [String] }) topReasons: string[];
  @ApiProperty({
    description:
      'Factor by factor: inputs and points; counted referral points + child points = score',
  })
  explanation: Explanation;
  @ApiProperty({ type: [HistoryView], description: 'Score changes, newest first' })
  history: HistoryView[];
}
