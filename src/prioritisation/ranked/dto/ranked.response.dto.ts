import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class RankedWait {
  @ApiProperty() service: string;
  @ApiProperty() provider: string;
  @ApiProperty({
    nullable: true,
    description:
      'Completed weeks on the RTT clock at the last rescore (asAt); null when the clock was stopped and nullified because the first appointment was missed (did not attend / was not brought): a new clock starts at zero when the appointment is rebooked',
  })
  weeksWaited: number | null;
  @ApiProperty({
    description: "This referral's place in its service list: referral points + child points",
  })
  score: number;
}

export class RankedItem {
  @ApiProperty() childId: string;
  @ApiProperty({ description: 'Stable pseudonym' }) pseudonym: string;
  @ApiPropertyOptional({ description: 'Clinicians only' }) nhsNumber?: string;
  @ApiPropertyOptional({ description: 'Clinicians only' }) givenName?: string | null;
  @ApiPropertyOptional({ description: 'Clinicians only' }) familyName?: string | null;
  @ApiPropertyOptional({ description: 'Clinicians only' }) dateOfBirth?: string;
  @ApiProperty() band: string;
  @ApiProperty() toolBand: string;
  @ApiProperty() overridden: boolean;
  @ApiProperty({ description: 'A trigger asks for clinical review' }) review: boolean;
  @ApiProperty({ description: 'Scored without a rule that could not be applied (missing data)' })
  flagged: boolean;
  @ApiProperty({ description: 'Child score' }) score: number;
  @ApiProperty({ nullable: true, description: 'With ?service: the score this list is ranked by' })
  serviceScore: number | null;
  @ApiProperty({
    nullable: true,
    description:
      "Longest completed weeks waited at the last rescore (or, with ?service, that referral's wait); null when no wait can be timed: every clock shown was nullified after a missed first appointment and restarts at zero when rebooked (see waits)",
  })
  weeksWaited: number | null;
  @ApiProperty({ type: [RankedWait] }) waits: RankedWait[];
  @ApiProperty({ type: [String] }) topReasons: string[];
}

export class RankedPage {
  @ApiProperty({ type: [RankedItem] }) items: RankedItem[];
  @ApiProperty({ nullable: true }) next: string | null;
}

/**
 * A RankedPage already serialised (the controller sends it as application/json): the items are
 * written by PostgreSQL as JSON, so the hot list is not parsed and serialised again in Node.
 */
export type RankedPageJson = string & { readonly __rankedPageJson: true };
