import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ToolDocument } from '../scoring/tool-document.js';
import { rowsOf } from '../update-returning.js';

export interface ToolVersionRow {
  id: string;
  version: number;
  name: string;
  source: string;
  document: ToolDocument | null;
  status: 'draft' | 'active' | 'retired';
  valid: boolean;
  problems: string[];
  authorSubject: string;
  rationale: string;
  createdAt: string;
  updatedAt: string;
  firstActivatedAt: string | null;
}

export interface ActivationRow {
  activatedAt: string;
  activatedBy: string;
  rationale: string;
}

const COLUMNS = `id, version, name, source, document, status, valid, problems, author_subject as "authorSubject", rationale,
  created_at as "createdAt", updated_at as "updatedAt", first_activated_at as "firstActivatedAt"`;

export interface NewToolVersion {
  name: string;
  source: string;
  document: ToolDocument | null;
  valid: boolean;
  problems: string[];
  authorSubject: string;
  rationale: string;
}

@Injectable()
export class ToolVersionsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  transaction<T>(fn: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  async findActive(): Promise<ToolVersionRow | null> {
    const rows: ToolVersionRow[] = await this.db.query(
      `select ${COLUMNS} from prioritisation_tool_version where status = 'active'`,
    );
    return rows[0] ?? null;
  }

  async activeId(): Promise<string | null> {
    const rows: Array<{ id: string }> = await this.db.query(
      `select id from prioritisation_tool_version where status = 'active'`,
    );
    return rows[0]?.id ?? null;
  }

  async findById(id: string, m: EntityManager = this.db.manager): Promise<ToolVersionRow | null> {
    const rows: ToolVersionRow[] = await m.query(
      `select ${COLUMNS} from prioritisation_tool_version where id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async list(): Promise<ToolVersionRow[]> {
    return this.db.query(
      `select ${COLUMNS} from prioritisation_tool_version order by version desc`,
    );
  }

  async activations(id: string): Promise<ActivationRow[]> {
    return this.db.query(
      `select activated_at as "activatedAt", activated_by as "activatedBy", rationale
         from prioritisation_tool_activation where tool_version_id = $1 order by id`,
      [id],
    );
  }

  async insert(v: NewToolVersion, m: EntityManager): Promise<ToolVersionRow> {
    const rows: ToolVersionRow[] = await m.query(
      `insert into prioritisation_tool_version (name, source, document, valid, problems, author_subject, rationale)
       values ($1, $2, $3, $4, $5, $6, $7) returning ${COLUMNS}`,
      [
        v.name,
        v.source,
        v.document ? JSON.stringify(v.document) : null,
        v.valid,
        JSON.stringify(v.problems),
        v.authorSubject,
        v.rationale,
      ],
    );
    return rows[0];
  }

  async updateDraft(
    id: string,
    v: NewToolVersion,
    m: EntityManager,
  ): Promise<ToolVersionRow | null> {
    const rows = await rowsOf<ToolVersionRow>(
      m,
      `update prioritisation_tool_version
          set name = $2, source = $3, document = $4, valid = $5, problems = $6, author_subject = $7, rationale = $8, updated_at = now()
        where id = $1 and first_activated_at is null returning ${COLUMNS}`,
      [
        id,
        v.name,
        v.source,
        v.document ? JSON.stringify(v.document) : null,
        v.valid,
        JSON.stringify(v.problems),
        v.authorSubject,
        v.rationale,
      ],
    );
    return rows[0] ?? null;
  }

  /**
   * Makes `id` the one active version (the previous one is retired) and records the activation;
   * false, and nothing written, when it is the active version already.
   */
  async activate(
    id: string,
    activatedBy: string,
    rationale: string,
    m: EntityManager,
  ): Promise<boolean> {
    // Serialise activations so two admins cannot both see "no active version".
    await m.query(`lock table prioritisation_tool_version in share row exclusive mode`);
    const [current]: Array<{ status: string }> = await m.query(
      `select status from prioritisation_tool_version where id = $1`,
      [id],
    );
    if (current?.status === 'active') return false;
    await m.query(
      `update prioritisation_tool_version set status = 'retired' where status = 'active' and id <> $1`,
      [id],
    );
    await m.query(
      `update prioritisation_tool_version set status = 'active', first_activated_at = coalesce(first_activated_at, now()) where id = $1`,
      [id],
    );
    await m.query(
      `insert into prioritisation_tool_activation (tool_version_id, activated_by, rationale) values ($1, $2, $3)`,
      [id, activatedBy, rationale],
    );
    return true;
  }
}
