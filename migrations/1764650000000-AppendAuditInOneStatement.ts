import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_append(...): extends the audit hash chain in one statement (one round trip) instead of
 * BEGIN, lock, read the last hash, INSERT, COMMIT. It takes the chain lock (the same
 * transaction-scoped advisory lock as before, "WAUD"), reads the last hash, and inserts the given
 * records in order, each hashed as src/audit/audit-hash.ts does:
 *   hash = hex(SHA-256(prev_hash + "|" + canonical record))
 * The canonical record's UTF-8 bytes come from the application (canonicalJson, hex-encoded so the
 * database encoding cannot change a byte); `npm run audit:verify` recomputes every hash from the
 * stored columns, so a record whose bytes did not match its columns would show as a broken row.
 * SECURITY INVOKER: the caller needs INSERT and SELECT on audit_event (waitwell_app has exactly that),
 * and nothing here can update or delete a row. Arrays of equal length, one element per record;
 * returns the new ids in the same order.
 */
export class AppendAuditInOneStatement1764650000000 implements MigrationInterface {
  name = 'AppendAuditInOneStatement1764650000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create function audit_append(
        p_occurred_at timestamptz[], p_actor_subject text[], p_actor_role text[], p_action text[],
        p_resource text[], p_child_ids jsonb[], p_purpose text[], p_request_id text[], p_detail jsonb[],
        p_source_ip text[], p_canonical_hex text[]
      ) returns bigint[]
      language plpgsql
      security invoker
      as $$
      declare
        prev text;
        h text;
        new_id bigint;
        ids bigint[] := '{}';
      begin
        perform pg_advisory_xact_lock(1463899460); -- 0x57415544 "WAUD", as AuditRepository
        select a.hash into prev from audit_event a order by a.id desc limit 1;
        for i in 1 .. coalesce(array_length(p_canonical_hex, 1), 0) loop
          h := encode(sha256(convert_to(coalesce(prev, '') || '|', 'UTF8') || decode(p_canonical_hex[i], 'hex')), 'hex');
          insert into audit_event (occurred_at, actor_subject, actor_role, action, resource, child_ids, purpose,
                                   request_id, detail, source_ip, prev_hash, hash)
          values (p_occurred_at[i], p_actor_subject[i], p_actor_role[i], p_action[i], p_resource[i],
                  array(select jsonb_array_elements_text(p_child_ids[i]))::uuid[], p_purpose[i], p_request_id[i],
                  p_detail[i], p_source_ip[i], prev, h)
          returning id into new_id;
          ids := ids || new_id;
          prev := h;
        end loop;
        return ids;
      end $$`);
    await q.query(
      `revoke all on function audit_append(timestamptz[], text[], text[], text[], text[], jsonb[], text[], text[], jsonb[], text[], text[]) from public`,
    );
    await q.query(
      `grant execute on function audit_append(timestamptz[], text[], text[], text[], text[], jsonb[], text[], text[], jsonb[], text[], text[]) to waitwell_app`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `drop function audit_append(timestamptz[], text[], text[], text[], text[], jsonb[], text[], text[], jsonb[], text[], text[])`,
    );
  }
}
