import { ApiProperty } from '@nestjs/swagger';

export class EquityGroup {
  @ApiProperty({
    description: 'The group: a quintile (1-5), an age group, a locality, or "unknown"',
  })
  key: string;
  @ApiProperty() children: number;
  @ApiProperty({ description: 'Children in each band of the tool (the band shown)' })
  bands: Record<string, number>;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The middle child's longest wait, in completed weeks",
  })
  medianWeeksWaited: number | null;
  @ApiProperty({ description: "Children whose band is a clinician's override" })
  overridden: number;
  @ApiProperty() overriddenPercent: number;
}

export class EquityReport {
  @ApiProperty({ nullable: true, type: String }) asAt: string | null;
  @ApiProperty({ description: 'The tool version of the live scores' })
  toolVersion: { id: string; version: number; name: string };
  @ApiProperty({ description: '"all providers", or the providers of the caller\'s ICB' })
  scope: 'all providers' | { providers: string[] };
  @ApiProperty({ type: [String] }) bands: string[];
  @ApiProperty({ type: EquityGroup }) overall: EquityGroup;
  @ApiProperty({ type: [EquityGroup] }) byDeprivationQuintile: EquityGroup[];
  @ApiProperty({ type: [EquityGroup] }) byAgeGroup: EquityGroup[];
  @ApiProperty({ type: [EquityGroup] }) byLocality: EquityGroup[];
  @ApiProperty({ type: [String] }) notes: string[];
}
