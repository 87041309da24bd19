import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ChildReferralView {
  @ApiProperty() id: string;
  @ApiProperty() service: string;
  @ApiProperty() serviceName: string;
  @ApiProperty() provider: string;
  @ApiProperty() providerName: string;
  @ApiProperty() receivedDate: string;
  @ApiProperty({
    nullable: true,
    description:
      "Weeks completed on the RTT clock, to today, to the clock stop, or to the day the provider's list stopped listing the referral; null when the clock was stopped and nullified because the first appointment was missed (see waitNote)",
  })
  weeksWaited: number | null;
  @ApiProperty({
    nullable: true,
    description:
      'The weeks in words where the number alone would mislead: why weeksWaited is null (e.g. "Clock stopped (did not attend): the first appointment was missed. A new clock starts at zero when the appointment is rebooked."), or that it stopped counting when the referral left the provider\'s list; otherwise null',
  })
  waitNote: string | null;
  @ApiProperty() status: string;
  /** Clinical detail only for services the caller works in; otherwise "also waiting for X since Y". */
  @ApiPropertyOptional() priority?: string;
  @ApiPropertyOptional() clockStartDate?: string | null;
  @ApiPropertyOptional() clockStopDate?: string | null;
  @ApiPropertyOptional() clockStopReason?: string | null;
  @ApiPropertyOptional() summary?: string;
}

export class ChildFlagView {
  @ApiProperty() code: string;
  @ApiPropertyOptional() detail: string | null;
  @ApiProperty() source: string;
  @ApiProperty() recordedOn: string;
}

export class ChildResponse {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Stable pseudonym, safe to share in reports.' }) pseudonym: string;
  @ApiProperty({ description: 'true when identifiable fields are included' }) identifiable: boolean;
  @ApiPropertyOptional() nhsNumber?: string;
  @ApiPropertyOptional() givenName?: string | null;
  @ApiPropertyOptional() familyName?: string | null;
  @ApiPropertyOptional() dateOfBirth?: string;
  @ApiPropertyOptional() addressLines?: string[];
  @ApiPropertyOptional() postcode?: string | null;
  @ApiPropertyOptional() contactEmail?: string | null;
  @ApiPropertyOptional() contactPhone?: string | null;
  @ApiPropertyOptional() preferredChannel?: string;
  @ApiProperty() ageYears: number;
  @ApiPropertyOptional() locality: string | null;
  @ApiPropertyOptional() deprivationDecile: number | null;
  @ApiProperty() accessibility: Record<string, unknown>;
  @ApiProperty({ type: [ChildFlagView] }) flags: ChildFlagView[];
  @ApiProperty({ type: [ChildReferralView] }) referrals: ChildReferralView[];
}
