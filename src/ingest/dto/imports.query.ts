import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsUUID, Matches } from 'class-validator';
import { PageCursor, PageLimit } from '../../common/pagination/page-query.decorators.js';

const toBool = ({ value }: { value: unknown }) =>
  value === undefined
    ? undefined
    : typeof value === 'boolean'
      ? value
      : typeof value === 'string' && ['1', 'true', 'yes'].includes(value.toLowerCase());

export class ListImportsQuery {
  @ApiPropertyOptional({ description: 'Source id' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, { message: 'source must be a source id such as "rxa-slt"' })
  source?: string;

  @ApiPropertyOptional({ enum: ['running', 'succeeded', 'failed'] })
  @IsOptional()
  @IsIn(['running', 'succeeded', 'failed'], {
    message: 'status must be running, succeeded or failed',
  })
  status?: string;

  @PageLimit(200, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}

export class RunIdParams {
  @IsUUID('all', { message: 'id must be an import run id' })
  id: string;
}

export class SourceIdParams {
  @Matches(/^[a-z0-9][a-z0-9-]{1,60}$/, { message: 'id must be a source id such as "rxa-slt"' })
  id: string;
}

export class PullQuery {
  @ApiPropertyOptional({
    description: 'Answer when the run has finished (200) instead of at once (202)',
    default: false,
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  wait?: boolean;
}

export class ListRejectsQuery {
  @ApiPropertyOptional({
    description: 'Also list rejects a later pull has cleared (their raw rows are gone)',
    default: false,
  })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  includeCleared?: boolean;

  @PageLimit(500, 100)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
