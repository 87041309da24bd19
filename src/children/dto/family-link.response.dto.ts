import { ApiProperty } from '@nestjs/swagger';

export class FamilyLinkResponse {
  @ApiProperty() childId: string;
  @ApiProperty({
    description:
      'Signed link token for the family: they exchange it at POST /api/auth/family-session. Send it only to the family.',
  })
  link: string;
  @ApiProperty() expiresAt: string;
}
