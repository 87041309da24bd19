import { IsUUID } from 'class-validator';

export class ChildIdParams {
  @IsUUID('all', {
    message: 'id must be a child id (a UUID such as 0b7c…); you can find ids in /api/referrals',
  })
  id: string;
}
