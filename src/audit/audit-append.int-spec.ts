import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createTestApp, type TestApp } from '../../test/utils/test-app.js';
import { auditHash } from './audit-hash.js';
import { verifyAuditChain } from './audit-verification.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

const actor = { subject: 'append-test', role: 'clinician' };

interface StoredRow {
  id: string;
  occurredAt: Date;
  childIds: string[];
  detail: Record<string, unknown>;
  purpose: string | null;
  prevHash: string | null;
  hash: string;
}

describe('audit append (audit_append in one statement, concurrent appends grouped)', () => {
  let t: TestApp;
  let verifier: pg.Client;
  beforeAll(async () => {
    t = await createTestApp();
    verifier = new pg.Client({ connectionString: process.env.WAITWELL_TEST_DATABASE_URL });
    await verifier.connect();
  });
  afterAll(async () => {
    await verifier.end();
    await t.close();
  });

  const rowsOf = (requestId: string): Promise<StoredRow[]> =>
    t.db.query(
      `select id::text as id, occurred_at as "occurredAt", child_ids::text[] as "childIds", detail, purpose,
              prev_hash as "prevHash", hash
         from audit_event where detail ->> 'test' = $1 order by id`,
      [requestId],
    );

  it('should hash each row exactly as auditHash does, so concurrent appends leave a chain that verifies', async () => {
    const audit = t.app.get(AuditService);
    const awkward = {
      test: 'concurrent',
      text: 'naïve café — “quotes” \\ back\\slash \u0001 and emoji 🧒🏽',
      zeta: 1,
      alpha: { nested: [3, 0.1, 1e21, -0, true, null], 'key with space': 'x' },
      ascii: 'A"B\'C\nD\tE',
    };
    const n = 40;
    const ids = Array.from(
      { length: n },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    await Promise.all(
      ids.map((childId, i) =>
        audit.record({
          action: 'read',
          resource: 'child',
          childIds: [childId.toUpperCase()],
          purpose: i % 2 ? 'direct-care' : undefined,
          detail: { ...awkward, i },
          actor,
        }),
      ),
    );
    const rows = await rowsOf('concurrent');
    expect(rows).toHaveLength(n);
    expect(new Set(rows.map((r) => r.childIds[0]))).toEqual(new Set(ids));
    for (const r of rows) {
      expect(r.hash).toBe(
        auditHash(r.prevHash, {
          occurredAt: r.occurredAt.toISOString(),
          actorSubject: actor.subject,
          actorRole: actor.role,
          action: 'read',
          resource: 'child',
          childIds: r.childIds,
          purpose: r.purpose,
          requestId: null,
          detail: r.detail,
          sourceIp: null,
        }),
      );
    }
    const report = await verifyAuditChain(verifier);
    expect(report.ok).toBe(true);
    expect(report.firstBreak).toBeNull();
  });

  it('should fail only the record that cannot be stored when it is appended together with others', async () => {
    const repository = t.app.get(AuditRepository);
    const entry = (childIds: string[]) => ({
      occurredAt: new Date().toISOString(),
      actorSubject: actor.subject,
      actorRole: actor.role,
      action: 'read',
      resource: 'child',
      childIds,
      purpose: null,
      requestId: null,
      detail: { test: 'isolation' },
      sourceIp: null,
    });
    const outcomes = await Promise.all(
      [
        ['10000000-0000-4000-8000-000000000001'],
        ['not-a-uuid'],
        ['10000000-0000-4000-8000-000000000002'],
        ['10000000-0000-4000-8000-000000000003'],
      ].map((childIds) =>
        repository.append([entry(childIds)]).then(
          (ids) => ({ ok: true, ids }),
          () => ({ ok: false, ids: [] as string[] }),
        ),
      ),
    );
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true, true]);
    const stored = await rowsOf('isolation');
    expect(stored.map((r) => r.id)).toEqual(outcomes.flatMap((o) => o.ids));
    expect((await verifyAuditChain(verifier)).ok).toBe(true);
  });

  it("should merge the child-id index's pending list apart from the appends, as the app role, which still cannot change audit rows", async () => {
    const audit = t.app.get(AuditService);
    const childId = '00000000-0000-4000-8000-0000000c1ea0';
    // More appends than one cleaning interval: a background cleaning runs while they are appended.
    await Promise.all(
      Array.from({ length: 120 }, (_, i) =>
        audit.record({
          action: 'list',
          resource: 'ranked-list',
          childIds: [childId],
          detail: { test: 'clean', i },
          actor,
        }),
      ),
    );
    expect(await t.db.query(`select current_user as role`)).toEqual([{ role: 'waitwell_app' }]);
    const [{ pages }] = await t.db.query<Array<{ pages: string }>>(
      `select audit_clean_child_index()::text as pages`,
    );
    expect(Number(pages)).toBeGreaterThanOrEqual(0);
    // "Who saw this child" finds every record through the index, merged or pending.
    const [{ n }] = await t.db.query<Array<{ n: number }>>(
      `select count(*)::int as n from audit_event where child_ids @> array[$1::uuid]`,
      [childId],
    );
    expect(n).toBe(120);
    const refused = await t.db
      .query(`update audit_event set purpose = 'x' where detail ->> 'test' = 'clean'`)
      .then(
        () => null,
        (e: unknown) => (e as { code?: string }).code,
      );
    expect(refused).toBe('42501');
    expect((await verifyAuditChain(verifier)).ok).toBe(true);
  });

  it('should commit or roll back with the caller transaction when one is given', async () => {
    const audit = t.app.get(AuditService);
    const record = (label: string, m: Parameters<AuditService['record']>[1]) =>
      audit.record(
        { action: 'update', resource: 'child', detail: { test: 'transaction', label }, actor },
        m,
      );
    await t.db.transaction(async (m) => record('committed', m));
    await t.db
      .transaction(async (m) => {
        await record('rolled-back', m);
        throw new Error('the change fails');
      })
      .catch(() => undefined);
    const rows = await rowsOf('transaction');
    expect(rows.map((r) => r.detail.label)).toEqual(['committed']);
    expect((await verifyAuditChain(verifier)).ok).toBe(true);
  });
});
