import { ApiProperty } from '@nestjs/swagger';

export class AuditChildRef {
  @ApiProperty() id: string;
  @ApiProperty({
    nullable: true,
    description: 'Stable pseudonym (null if the child is no longer held)',
  })
  pseudonym: string | null;
}

export class AuditEventView {
  @ApiProperty() id: string;
  @ApiProperty() occurredAt: string;
  @ApiProperty() actorSubject: string;
  @ApiProperty() actorRole: string;
  @ApiProperty() action: string;
  @ApiProperty() resource: string;
  @ApiProperty({ type: [AuditChildRef] }) children: AuditChildRef[];
  @ApiProperty({ nullable: true, description: 'Why: purpose, or the break-glass reason' }) purpose:
    string | null;
  @ApiProperty({ nullable: true }) requestId: string | null;
  @ApiProperty({ nullable: true }) sourceIp: string | null;
  @ApiProperty() detail: Record<string, unknown>;
  @ApiProperty() hash: string;
  @ApiProperty({ nullable: true }) prevHash: string | null;
}

export class AuditEventPage {
  @ApiProperty({ type: [AuditEventView] }) items: AuditEventView[];
  @ApiProperty({ nullable: true }) next: string | null;
}
