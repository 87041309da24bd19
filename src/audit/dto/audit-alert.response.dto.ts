import { ApiProperty } from '@nestjs/swagger';
import { AuditChildRef } from './audit-event.response.dto.js';

export class AlertAcknowledgement {
  @ApiProperty() by: string;
  @ApiProperty() at: string;
  @ApiProperty({ nullable: true }) outcome: string | null;
}

export class AuditAlertView {
  @ApiProperty({ description: 'Id of the break-glass audit record' }) auditEventId: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty() actorSubject: string;
  @ApiProperty() actorRole: string;
  @ApiProperty() resource: string;
  @ApiProperty({ type: [AuditChildRef] }) children: AuditChildRef[];
  @ApiProperty({ nullable: true }) reason: string | null;
  @ApiProperty({ nullable: true }) requestId: string | null;
  @ApiProperty({
    nullable: true,
    description:
      'Whether the caller could see the child without breaking glass (false: a child outside their services or ICB view; null: recorded before this was kept)',
  })
  normallyVisible: boolean | null;
  @ApiProperty({ type: AlertAcknowledgement, nullable: true })
  acknowledgement: AlertAcknowledgement | null;
}

export class AuditAlertPage {
  @ApiProperty({ type: [AuditAlertView] }) items: AuditAlertView[];
  @ApiProperty({ nullable: true }) next: string | null;
}

export class AcknowledgeAlertResponse {
  @ApiProperty() auditEventId: string;
  @ApiProperty() acknowledgementId: string;
}
