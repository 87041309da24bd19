import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { TRACKED_FIELDS } from '../matching/identity-rules.js';
import { PageCursor, PageLimit } from '../../common/pagination/page-query.decorators.js';

export class DataQualityQuery {
  @ApiPropertyOptional({ enum: ['open', 'resolved'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'resolved'], { message: 'status must be open or resolved' })
  status?: 'open' | 'resolved';

  @ApiPropertyOptional({ enum: TRACKED_FIELDS })
  @IsOptional()
  @IsIn(TRACKED_FIELDS, { message: `field must be one of: ${TRACKED_FIELDS.join(', ')}` })
  field?: string;

  @ApiPropertyOptional({ description: 'Only issues involving this source id' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, { message: 'source must be a source id such as "rxa-slt"' })
  source?: string;

  @PageLimit(500, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class DataQualitySourceValue {
  @ApiProperty() sourceId: string;
  @ApiProperty({ description: 'This source is the one the child record currently shows' })
  kept: boolean;
  @ApiProperty({
    description: 'What this source says (identifiable)',
    nullable: true,
    type: String,
  })
  value: string | null;
  @ApiProperty({ description: 'When this source last changed the value' }) changedAt: string;
  @ApiProperty() lastRunId: string;
}

export class DataQualityIssue {
  @ApiProperty() id: string;
  @ApiProperty() childId: string;
  @ApiProperty() pseudonym: string;
  @ApiProperty({ enum: TRACKED_FIELDS }) field: string;
  @ApiProperty({ enum: ['open', 'resolved'] }) status: string;
  @ApiProperty() keptSourceId: string;
  @ApiProperty() openedAt: string;
  @ApiProperty() updatedAt: string;
  @ApiProperty({ nullable: true, type: String }) resolvedAt: string | null;
  @ApiProperty({ type: [DataQualitySourceValue] }) sources: DataQualitySourceValue[];
}

export class DataQualityPage {
  @ApiProperty({ type: [DataQualityIssue] }) items: DataQualityIssue[];
  @ApiProperty({ nullable: true, type: String }) next: string | null;
}
