import { IsUUID } from 'class-validator';

export class ChildIdParams {
  @IsUUID('all', {
    message:
      "id must be a child id (a UUID such as 0b7c…), not an NHS number or a name: staff find children's ids in /api/referrals or /api/ranked, a family finds its child's in /api/auth/me",
  })
  id: string;
}
