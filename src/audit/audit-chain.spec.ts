import { describe, expect, it } from '@jest/globals';
import { ChainVerifier, describeReport, type StoredAuditRow } from './audit-chain.js';
import { auditHash, type AuditHashInput } from './audit-hash.js';

function chain(n: number): StoredAuditRow[] {
  const rows: StoredAuditRow[] = [];
  let prev: string | null = null;
  for (let i = 1; i <= n; i++) {
    const input: AuditHashInput = {
      occurredAt: `2026-11-25T10:00:0${i % 10}.000Z`,
      actorSubject: `user-${i}`,
      actorRole: 'clinician',
      action: 'read',
      resource: 'child',
      childIds: ['0b7c2d3e-1f20-4a5b-8c6d-7e8f9a0b1c2d'],
      purpose: 'direct-care',
      requestId: `req-${i}`,
      detail: { b: 1, a: [1, { z: true, y: null }] },
      sourceIp: i % 2 ? '127.0.0.1' : null,
    };
    const hash = auditHash(prev, input);
    rows.push({ ...input, id: String(i), prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

function verify(rows: StoredAuditRow[], checkpoint?: { id: string; hash: string }) {
  const v = new ChainVerifier(checkpoint);
  for (const r of rows) if (!v.push(r)) break;
  return v.report();
}

describe(ChainVerifier.name, () => {
  it('should accept an intact chain and report its head as a checkpoint', () => {
    const rows = chain(5);
    expect(verify(rows)).toEqual({
      ok: true,
      rows: 5,
      head: { id: '5', hash: rows[4].hash },
      firstBreak: null,
    });
    expect(verify(rows, { id: '3', hash: rows[2].hash }).ok).toBe(true);
    expect(describeReport(verify(rows))).toMatch(
      /^audit chain OK: 5 rows verified; head row 5 hash [0-9a-f]{64}/,
    );
  });

  it('should find an edited row', () => {
    const rows = chain(5);
    rows[2] = { ...rows[2], purpose: 'curiosity' };
    expect(verify(rows)).toMatchObject({
      ok: false,
      firstBreak: { id: '3', problem: 'content-changed' },
    });
  });

  it('should find a row whose hash was recomputed after editing, at the next row', () => {
    const rows = chain(5);
    const edited = { ...rows[2], actorSubject: 'someone-else' };
    rows[2] = { ...edited, hash: auditHash(edited.prevHash, edited) };
    expect(verify(rows)).toMatchObject({
      ok: false,
      firstBreak: { id: '4', problem: 'broken-link' },
    });
  });

  it('should find a removed row, and a removed first row', () => {
    const rows = chain(5);
    expect(verify([...rows.slice(0, 2), ...rows.slice(3)])).toMatchObject({
      ok: false,
      firstBreak: { id: '4', problem: 'broken-link' },
    });
    expect(verify(rows.slice(1))).toMatchObject({
      ok: false,
      firstBreak: { id: '2', problem: 'broken-link' },
    });
  });

  it('should treat key order in detail as the same record (jsonb reorders keys)', () => {
    const rows = chain(2);
    rows[0] = { ...rows[0], detail: { a: [1, { y: null, z: true }], b: 1 } };
    expect(verify(rows).ok).toBe(true);
  });

  it('should use a checkpoint to find rows cut off the end or a rewritten chain', () => {
    const rows = chain(5);
    const checkpoint = { id: '5', hash: rows[4].hash };
    expect(verify(rows.slice(0, 4), checkpoint)).toMatchObject({
      ok: false,
      firstBreak: { id: '5', problem: 'checkpoint-mismatch' },
    });
    expect(verify(rows, { id: '5', hash: 'f'.repeat(64) })).toMatchObject({
      ok: false,
      firstBreak: { id: '5', problem: 'checkpoint-mismatch' },
    });
    expect(describeReport(verify(rows.slice(0, 4), checkpoint))).toMatch(
      /^audit chain BROKEN at row 5: the checkpoint row is missing/,
    );
  });

  it('should hash rows written before source_ip existed exactly as before', () => {
    const input: AuditHashInput = {
      occurredAt: '2026-11-25T10:00:00.000Z',
      actorSubject: 's',
      actorRole: 'system',
      action: 'import',
      resource: 'referral-list',
      childIds: [],
      purpose: null,
      requestId: null,
      detail: {},
    };
    expect(auditHash(null, { ...input, sourceIp: null })).toBe(auditHash(null, input));
    expect(auditHash(null, { ...input, sourceIp: '10.0.0.1' })).not.toBe(auditHash(null, input));
  });
});
