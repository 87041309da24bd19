import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';

export const ALERT_OUTCOMES = ['appropriate', 'inappropriate', 'escalated'] as const;

/** Structured outcome only (no free text in the audit): escalated = passed to the Caldicott Guardian. */
export class AcknowledgeAlertRequest {
  @ApiProperty({ enum: ALERT_OUTCOMES })
  @IsIn(ALERT_OUTCOMES, { message: `outcome must be one of: ${ALERT_OUTCOMES.join(', ')}` })
  outcome: (typeof ALERT_OUTCOMES)[number];
}
