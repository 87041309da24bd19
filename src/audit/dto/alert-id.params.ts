import { Matches } from 'class-validator';

export class AlertIdParams {
  @Matches(/^[1-9]\d{0,17}$/, {
    message: 'id must be the auditEventId of a break-glass alert (a number)',
  })
  id: string;
}
