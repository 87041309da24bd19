import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, type Role } from '../auth-user.js';

/** Who WaitWell thinks the caller is, and so what they may see. No patient data (not even the NHS number). */
export class MeResponse {
  @ApiProperty() subject: string;
  @ApiProperty({ enum: ROLES }) role: Role;
  @ApiProperty({ type: [String] }) services: string[];
  @ApiPropertyOptional() commissionerCode?: string;
  @ApiPropertyOptional({ description: 'For a family: the one child they can see.' })
  childId?: string;
  @ApiPropertyOptional() issuer?: string;
}
