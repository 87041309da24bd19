import { ApiProperty } from '@nestjs/swagger';

export class ReferralListItem {
  @ApiProperty() id: string;
  @ApiProperty() childId: string;
  @ApiProperty() childPseudonym: string;
  @ApiProperty() service: string;
  @ApiProperty() provider: string;
  @ApiProperty() receivedDate: string;
  @ApiProperty() priority: string;
  @ApiProperty() status: string;
  @ApiProperty({ nullable: true }) clockStartDate: string | null;
  @ApiProperty({ nullable: true }) clockStopDate: string | null;
  @ApiProperty({
    nullable: true,
    description:
      "Days on the RTT clock to today (or to the stop, or to the day the provider's list stopped listing the referral); null when the clock was nullified after a missed first appointment (no clock start)",
  })
  daysWaited: number | null;
  @ApiProperty({ nullable: true, description: 'Weeks completed (null as daysWaited)' })
  weeksWaited: number | null;
}

export class ReferralPage {
  @ApiProperty({ type: [ReferralListItem] }) items: ReferralListItem[];
  @ApiProperty({
    nullable: true,
    description: 'Pass as ?cursor= to get the next page; null on the last page',
  })
  next: string | null;
}
