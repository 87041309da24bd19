import type { DataSource } from 'typeorm';
import { insertChild } from '../factories/waiting-list.factory.js';

let counter = 0;

export type EventSpec = [
  type: string,
  date: string,
  recordedAt?: string,
  detail?: Record<string, unknown>,
];

/**
 * Inserts a pathway (referral) and its clock events as ingest would write them. `recordedAt` lets a
 * test place events in different imports (default: now, i.e. recorded by this call).
 */
export async function insertPathway(
  db: DataSource,
  o: { service: string; provider: string; events: EventSpec[]; childId?: string },
): Promise<string> {
  const childId = o.childId ?? (await insertChild(db)).id;
  const received = o.events.find((e) => e[0] === 'referral-received')?.[1] ?? o.events[0][1];
  const rows: Array<{ id: string }> = await db.query(
    `insert into referral (child_id, service_code, provider_code, source_id, source_referral_id, received_date, priority, status, clock_start_date)
     values ($1, $2, $3, 'rtt-test', $4, $5, 'routine', 'waiting', $5) returning id`,
    [childId, o.service, o.provider, `RTT-${process.pid}-${counter++}`, received],
  );
  for (const e of o.events) await addEvent(db, rows[0].id, e);
  return rows[0].id;
}

export async function addEvent(
  db: DataSource,
  referralId: string,
  [type, date, recordedAt, detail]: EventSpec,
): Promise<void> {
  await db.query(
    `insert into clock_event (referral_id, event_type, event_date, source, detail, recorded_at)
     values ($1, $2, $3, 'rtt-test', $4, coalesce($5::timestamptz, now()))`,
    [referralId, type, date, JSON.stringify(detail ?? {}), recordedAt ?? null],
  );
}

/** The month n months from the London month of `today` ("YYYY-MM"). */
export function monthOffset(today: string, n: number): string {
  const d = new Date(Date.UTC(Number(today.slice(0, 4)), Number(today.slice(5, 7)) - 1 + n, 1));
  return d.toISOString().slice(0, 7);
}
