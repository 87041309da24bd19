import { ApiProperty } from '@nestjs/swagger';
import {
  IsString,
  Matches,
  MaxLength,
  Validate,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isIsoDate } from '../../../common/time/calendar-date.js';
import { IsNotBlank } from '../../../common/validation/is-not-blank.decorator.js';

@ValidatorConstraint({ name: 'isCalendarDate' })
export class IsCalendarDate implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return isIsoDate(value);
  }
  defaultMessage(): string {
    return '$property must be a calendar date such as 2026-12-31';
  }
}

export class SetOverrideBody {
  @ApiProperty({ description: 'A band code of the active tool, e.g. P1' })
  @Matches(/^[A-Za-z0-9-]{1,20}$/, { message: 'band must be a band code such as "P1"' })
  band: string;

  @ApiProperty({
    description:
      'Clinical reason (kept with the override; never logged or put in the audit detail)',
  })
  @IsString()
  @IsNotBlank(3)
  @MaxLength(2000)
  reason: string;

  @ApiProperty({
    description:
      'The override ends on this date (after today) and the child returns to the tool band',
  })
  @Validate(IsCalendarDate)
  reviewDate: string;
}

export class OverrideResponse {
  @ApiProperty() override: {
    id: string;
    childId: string;
    band: string;
    reason: string;
    reviewDate: string;
    createdBy: string;
    createdAt: string;
  };
  @ApiProperty({ nullable: true, description: 'Band now in force' }) band: string | null;
  @ApiProperty({ nullable: true }) toolBand: string | null;
}
