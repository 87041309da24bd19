import { ApiProperty } from '@nestjs/swagger';

export class FamilySessionResponse {
  @ApiProperty({ description: 'Send as "Authorization: Bearer <accessToken>".' })
  accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ description: 'Seconds until the session ends.' }) expiresIn: number;
  @ApiProperty({ description: 'The one child this session can see.' }) childId: string;
}
