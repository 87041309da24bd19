import { ApiProperty } from '@nestjs/swagger';
import type { NoticeRow } from '../overrides.repository.js';
import { noticeText } from '../notice-text.js';

export class NoticeResponse {
  @ApiProperty() id: string;
  @ApiProperty() childId: string;
  @ApiProperty({ description: "The child's pseudonym (never a name or NHS number)" })
  pseudonym: string;
  @ApiProperty({ enum: ['override-expired', 'override-ended', 'family-crisis'] }) kind: string;
  @ApiProperty({
    description:
      'In plain words: what happened, to which child (by pseudonym) and what to do next; derived from the kind and detail',
  })
  text: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "Set when the notice went to a service's team rather than to one clinician",
  })
  service: string | null;
  @ApiProperty({
    description:
      'What the notice is about, as codes and dates: overrideId, band, reviewDate, endedReason; or checkInId, reportedOn, reportedByRole, service',
  })
  detail: Record<string, unknown>;
  @ApiProperty() createdAt: string;
  @ApiProperty({ nullable: true, type: String }) readAt: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: "Who marked it read (for a team's notice, the first of the team to do so)",
  })
  readBy: string | null;
}

export class NoticePage {
  @ApiProperty({ type: [NoticeResponse] }) items: NoticeResponse[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Pass as ?cursor= for the next page; null on the last page',
  })
  next: string | null;
}

export function toNoticeResponse(
  r: NoticeRow,
  serviceName: (code: string) => string,
): NoticeResponse {
  return {
    id: r.id,
    childId: r.childId,
    pseudonym: r.pseudonym,
    kind: r.kind,
    text: noticeText(r, serviceName),
    service: r.service,
    detail: r.detail,
    createdAt: r.createdAt.toISOString(),
    readAt: r.readAt?.toISOString() ?? null,
    readBy: r.readBy,
  };
}
