import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, Matches, Min } from 'class-validator';

const toBool = ({ value }: { value: unknown }) =>
  typeof value === 'string' ? ['1', 'true', 'yes'].includes(value.toLowerCase()) : value;

export class RttReportQuery {
  @ApiProperty({
    description:
      'Report month, YYYY-MM (census = last day of the month, or today for the current month)',
    example: '2026-10',
  })
  @Matches(/^\d{4}-\d{2}$/, { message: 'month must be YYYY-MM, for example 2026-10' })
  month: string;

  @ApiPropertyOptional({ description: 'Service code, e.g. slt' })
  @IsOptional()
  @Matches(/^[a-z][a-z0-9-]{1,40}$/, { message: 'service must be a service code such as "slt"' })
  service?: string;

  @ApiPropertyOptional({ description: 'Provider ODS code, e.g. RXA' })
  @IsOptional()
  @Matches(/^[A-Z0-9]{3,8}$/, { message: 'provider must be an ODS code such as "RXA"' })
  provider?: string;

  @ApiPropertyOptional({
    description: 'Census date within the month (default: the month end); implies a live report',
  })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'census must be a date YYYY-MM-DD' })
  census?: string;

  @ApiPropertyOptional({
    description:
      'Data cut-off (ISO instant): only events recorded by then count; implies a live report',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true },
    { message: 'dataCutoff must be an ISO 8601 instant, for example 2026-11-01T02:30:00Z' },
  )
  dataCutoff?: string;

  @ApiPropertyOptional({ description: 'Snapshot version to read (default: the latest)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @ApiPropertyOptional({ description: 'Ignore snapshots and compute from the data now' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  live?: boolean;
}

export class RttExportQuery extends RttReportQuery {
  @ApiPropertyOptional({
    enum: ['rtt', 'chs-sitrep'],
    description: 'rtt: NHS England RTT extract layout; chs-sitrep: CHS waiting-list bands',
  })
  @IsOptional()
  @IsIn(['rtt', 'chs-sitrep'], { message: 'layout must be rtt or chs-sitrep' })
  layout?: 'rtt' | 'chs-sitrep';
}

export class CreateRttSnapshotBody {
  @ApiProperty({ example: '2026-10' })
  @Matches(/^\d{4}-\d{2}$/, { message: 'month must be YYYY-MM, for example 2026-10' })
  month: string;
}

export class ListRttSnapshotsQuery {
  @ApiPropertyOptional({ example: '2026-10' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}$/, { message: 'month must be YYYY-MM, for example 2026-10' })
  month?: string;
}
