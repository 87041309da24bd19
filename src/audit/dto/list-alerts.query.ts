import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageCursor, PageLimit } from '../../common/pagination/page-query.decorators.js';

export class ListAlertsQuery {
  @ApiPropertyOptional({ enum: ['open', 'acknowledged', 'all'], default: 'open' })
  @IsOptional()
  @IsIn(['open', 'acknowledged', 'all'], {
    message: 'status must be one of: open, acknowledged, all',
  })
  status?: 'open' | 'acknowledged' | 'all';

  @PageLimit(500, 50)
  limit?: number;

  @PageCursor()
  cursor?: string;
}
