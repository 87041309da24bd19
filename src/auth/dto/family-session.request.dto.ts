import { ApiProperty } from '@nestjs/swagger';
import { IsJWT, MaxLength } from 'class-validator';

export class FamilySessionRequest {
  @ApiProperty({ description: 'The link token from the message the family received.' })
  @IsJWT({ message: 'link must be the link token from your message, copied exactly' })
  @MaxLength(2048)
  link: string;
}
