import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Validate } from 'class-validator';
import { IsCalendarDate } from '../../overrides/dto/override.dto.js';

export const CHECK_IN_ANSWERS = ['no-change', 'worse', 'crisis'] as const;

export class CheckInBody {
  @ApiProperty({ enum: CHECK_IN_ANSWERS, description: 'How things are since the last check-in' })
  @IsIn(CHECK_IN_ANSWERS, { message: `answer must be one of: ${CHECK_IN_ANSWERS.join(', ')}` })
  answer: (typeof CHECK_IN_ANSWERS)[number];

  @ApiPropertyOptional({ description: 'The date the family reported (default today)' })
  @IsOptional()
  @Validate(IsCalendarDate)
  reportedOn?: string;
}

export class CheckInResponse {
  @ApiProperty() id: string;
  @ApiProperty() childId: string;
  @ApiProperty() answer: string;
  @ApiProperty() reportedOn: string;
  @ApiProperty() recordedAt: string;
  @ApiProperty({
    description:
      'For the family, in plain words: what happens now, and where to get help that cannot wait',
  })
  whatHappensNext: string;
}
