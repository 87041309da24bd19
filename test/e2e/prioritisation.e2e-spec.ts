import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import request from 'supertest';
import { parse } from 'yaml';
import { DomainEvents } from '../../src/common/events/domain-events.js';
import { addDays, londonDate } from '../../src/common/time/calendar-date.js';
import { RescoreScheduler } from '../../src/prioritisation/rescore/rescore.scheduler.js';
import { RescoreService } from '../../src/prioritisation/rescore/rescore.service.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { asOwner, createTestApp, resetData, type TestApp } from '../utils/test-app.js';

const DEFAULT_TOOL = readFileSync(
  new URL('../../config/prioritisation-tool.yaml', import.meta.url),
  'utf8',
);
const today = londonDate();
const weeksAgo = (w: number) => addDays(today, -w * 7);
const yearsOld = (y: number) => addDays(today, -Math.round(y * 365.25) - 30);

describe('prioritisation (HTTP into PostgreSQL)', () => {
  let t: TestApp;
  let admin: string;
  let clinician: string;
  let commissioner: string;

  const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
  const rescore = async () =>
    (await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).expect(200)).body;
  const unreadNotices = async (token = clinician) =>
    (
      await request(t.http)
        .get('/api/prioritisation/notices?unread=true')
        .set(auth(token))
        .expect(200)
    ).body.items;
  const priority = async (childId: string, token = clinician) =>
    (await request(t.http).get(`/api/children/${childId}/priority`).set(auth(token)).expect(200))
      .body;

  beforeAll(async () => {
    t = await createTestApp();
    admin = await t.tokenFor({ role: 'admin' });
    clinician = await t.tokenFor({ role: 'clinician', sub: 'clinician-ward' });
    commissioner = await t.tokenFor({ role: 'commissioner' });
  });
  afterAll(async () => t.close());
  beforeEach(async () => resetData(t.db));

  /** A child aged 8 (no age factors), decile 6 (no deprivation points), waiting for the given services. */
  async function childWaitingFor(
    services: Array<[string, number]>,
    o: Parameters<typeof insertChild>[1] = {},
  ) {
    const child = await insertChild(t.db, { dateOfBirth: yearsOld(8), deprivationDecile: 6, ...o });
    for (const [service, weeks] of services) {
      await insertReferral(t.db, child.id, {
        service,
        provider: service === 'slt' ? 'RYB' : 'RXA',
        receivedDate: weeksAgo(weeks),
      });
    }
    return child;
  }

  it('should refuse a rescore request that carries fields, starting no run, and take one with none', async () => {
    await childWaitingFor([['slt', 18]]);
    const runs = async () =>
      (await t.db.query<Array<{ n: number }>>(`select count(*)::int as n from priority_run`))[0].n;
    const before = await runs();
    const refused = await request(t.http)
      .post('/api/prioritisation/rescore')
      .set(auth(admin))
      .send({ reason: 'new referrals from RXA' })
      .expect(400);
    expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(refused.body.detail).toMatch(/reason should not exist \(this route takes no body\)/);
    expect(await runs()).toBe(before);
    const list = await request(t.http)
      .post('/api/prioritisation/rescore')
      .set(auth(admin))
      .send(['slt'])
      .expect(400);
    expect(list.body.detail).toMatch(/body should not exist \(this route takes no body\)/);
    expect(await runs()).toBe(before);
    // An empty JSON object is no body.
    await request(t.http).post('/api/prioritisation/rescore').set(auth(admin)).send({}).expect(200);
    expect(await runs()).toBe(before + 1);
  });

  it('should install the default tool as version 1 and record it on every score', async () => {
    const child = await childWaitingFor([['slt', 18]]);
    const run = await rescore();
    expect(run).toMatchObject({
      kind: 'full',
      childrenScored: 1,
      referralsScored: 1,
      childrenFlagged: 0,
      toolVersion: 1,
    });
    const active = (
      await request(t.http)
        .get('/api/prioritisation/tools/active')
        .set(auth(commissioner))
        .expect(200)
    ).body;
    expect(active).toMatchObject({ version: 1, status: 'active', author: 'system', valid: true });
    expect(active.activations).toHaveLength(1);
    const [row] = await t.db.query(
      `select tool_version_id, run_id, score, band from child_priority where child_id = $1`,
      [child.id],
    );
    expect(row).toMatchObject({
      tool_version_id: active.id,
      run_id: run.runId,
      score: 20,
      band: 'P4',
    });
  });

  it('should rank a child waiting for three services above an otherwise identical child waiting for one', async () => {
    const one = await childWaitingFor([['slt', 20]]);
    const three = await childWaitingFor([
      ['slt', 20],
      ['neurodiversity', 1],
      ['community-paediatrics', 1],
    ]);
    await rescore();
    const all = (await request(t.http).get('/api/ranked').set(auth(commissioner)).expect(200)).body
      .items;
    expect(all.map((r: { childId: string }) => r.childId)).toEqual([three.id, one.id]);
    expect(all[0].score - all[1].score).toBe(35);
    // ...and in the SLT list itself: referral points + child points.
    const slt = (
      await request(t.http).get('/api/ranked?service=slt').set(auth(commissioner)).expect(200)
    ).body.items;
    expect(slt.map((r: { childId: string }) => r.childId)).toEqual([three.id, one.id]);
    expect(slt[0].serviceScore).toBeGreaterThan(slt[1].serviceScore);
    expect(slt[0].waits.map((w: { service: string }) => w.service).sort()).toEqual([
      'community-paediatrics',
      'neurodiversity',
      'slt',
    ]);
    expect(slt[0].topReasons).toContain('Waiting for more than one service (+35)');
  });

  it('should explain a score in words that add up to it, audited, identifiable only to clinicians', async () => {
    const child = await childWaitingFor(
      [
        ['slt', 27],
        ['neurodiversity', 6],
      ],
      { dateOfBirth: yearsOld(4), deprivationDecile: 3, flags: [{ code: 'ehcp' }] },
    );
    await rescore();
    const body = await priority(child.id);
    expect(body).toMatchObject({
      childId: child.id,
      nhsNumber: child.nhsNumber,
      identifiable: true,
      consistent: true,
      toolVersion: { version: 1 },
    });
    const e = body.explanation;
    const counted = e.referrals.filter((r: { counted: boolean }) => r.counted);
    const sum = [
      ...counted.flatMap((r: { factors: Array<{ points: number }> }) => r.factors),
      ...e.childFactors,
    ].reduce((s: number, f: { points: number }) => s + f.points, 0);
    expect(Math.round(sum * 10) / 10).toBe(body.score);
    // SLT 27/18*20 = 30 + early years 15; child: 2 services 20 + EHCP 10 + decile 3: 5.
    expect(body.score).toBe(80);
    expect(e.summary).toMatch(
      /^Score 80 = 45 from the highest-scoring referral \(Speech and language therapy\) \+ 35 child-level points\. Band P2/,
    );
    expect(counted[0].factors[0]).toMatchObject({
      id: 'waiting-time',
      points: 30,
      inputs: { 'referral.weeksWaited': 27, 'referral.targetWeeks': 18 },
    });
    expect(e.childFactors.map((f: { text: string }) => f.text)).toContain(
      'Has an EHCP: Has an Education, Health and Care Plan (EHCP) → +10 points',
    );
    // Services are named in the words, as the catalogue names them; the inputs keep the code.
    expect(counted[0].factors.find((f: { id: string }) => f.id === 'early-years')).toMatchObject({
      inputs: { 'referral.service': 'slt' },
      text: expect.stringMatching(/, waiting for Speech and language therapy → \+15 points$/),
    });
    expect(body.history).toHaveLength(1);
    const pseudo = await priority(child.id, commissioner);
    expect(pseudo).toMatchObject({ identifiable: false, pseudonym: child.pseudonym, score: 80 });
    expect(JSON.stringify(pseudo)).not.toContain(child.nhsNumber);
    const audit = await t.db.query(
      `select resource, actor_role from audit_event where $1 = any(child_ids) and resource like 'child-priority%' order by id`,
      [child.id],
    );
    expect(audit.map((a: { resource: string }) => a.resource)).toEqual([
      'child-priority',
      'child-priority-pseudonymised',
    ]);
    // A clinician of another service cannot see the child's priority or that service's list.
    const mh = await t.tokenFor({ role: 'clinician', sub: 'mh-only', services: ['mental-health'] });
    await request(t.http).get(`/api/children/${child.id}/priority`).set(auth(mh)).expect(404);
    await request(t.http).get('/api/ranked?service=slt').set(auth(mh)).expect(403);
  });

  it('should give the same scores for the same inputs and tool version on every rescore', async () => {
    await childWaitingFor(
      [
        ['slt', 30],
        ['mental-health', 3],
      ],
      { flags: [{ code: 'child-in-care' }] },
    );
    await childWaitingFor([['neurodiversity', 52]], { deprivationDecile: 1 });
    await rescore();
    const first = await t.db.query(
      `select child_id, score, band, factor_points, top_reasons from child_priority order by child_id`,
    );
    const firstRefs = await t.db.query(
      `select referral_id, points, rank_score, factor_points from referral_priority order by referral_id`,
    );
    await rescore();
    expect(
      await t.db.query(
        `select child_id, score, band, factor_points, top_reasons from child_priority order by child_id`,
      ),
    ).toEqual(first);
    expect(
      await t.db.query(
        `select referral_id, points, rank_score, factor_points from referral_priority order by referral_id`,
      ),
    ).toEqual(firstRefs);
    // Unchanged scores add no history rows.
    const [{ n }] = await t.db.query(`select count(*)::int as n from child_priority_history`);
    expect(n).toBe(2);
  });

  describe('tool documents', () => {
    it('should name the bad field of a schema error and the path of an unknown operator', async () => {
      const validateTool = async (source: string) =>
        (
          await request(t.http)
            .post('/api/prioritisation/tools/validate')
            .set(auth(admin))
            .send({ source })
            .expect(200)
        ).body;
      const bad = DEFAULT_TOOL.replace('minScore: 70 ', 'minScore: seventy ').replace(
        "{ '<': [{ 'var': 'child.ageYears' }, 5] }",
        '{ "eval": ["process.exit()"] }',
      );
      const res = await validateTool(bad);
      expect(res.valid).toBe(false);
      expect(res.problems).toEqual([
        expect.stringMatching(/^bands\[1\]\.minScore: minScore must be a number/),
      ]);
      const unsafe = await validateTool(
        DEFAULT_TOOL.replace(
          "{ '<': [{ 'var': 'child.ageYears' }, 5] }",
          '{ "eval": ["process.exit()"] }',
        ),
      );
      expect(unsafe.problems).toEqual([
        expect.stringMatching(/^factors\[2\]\.when\.eval: unknown operator "eval"/),
      ]);
      // Rules that could never work for any child are found before a draft goes live.
      const neverWorks = await validateTool(
        DEFAULT_TOOL.replace('    points: 15\n', "    points: 'fifteen'\n").replace(
          "{ '<': [{ 'var': 'child.ageYears' }, 5] }",
          "{ '<': [{ 'var': 'child.locality' }, 5] }",
        ),
      );
      expect(neverWorks).toMatchObject({
        valid: false,
        problems: [
          'factors[2].when.<[0]: "<" needs a number here, but child.locality is text',
          'factors[2].points: must give a number, but gives text',
        ],
      });
      // A bare `when:` would switch the factor off, and an empty label leave its explanation wordless.
      const empty = await validateTool(
        DEFAULT_TOOL.replace('    label: Clinical priority\n', "    label: ' '\n    when:\n"),
      );
      expect(empty).toMatchObject({
        valid: false,
        problems: [
          'factors[1].label: label is required',
          'factors[1].when: when is required: a JSONLogic condition (leave out the when line if the factor always applies)',
        ],
      });
    });

    it('should refuse blank or wrong-type text with one line that says what to give', async () => {
      const problemsOf = async (path: string, body: object) =>
        (await request(t.http).post(path).set(auth(admin)).send(body).expect(400)).body;
      const validate = '/api/prioritisation/tools/validate';
      expect(await problemsOf(validate, { source: 123 })).toMatchObject({
        code: 'request.invalid',
        errors: ['source: source must be a string'],
      });
      expect((await problemsOf(validate, { source: '' })).errors).toEqual([
        'source: source is required',
      ]);
      expect((await problemsOf(validate, { source: ' \n ' })).errors).toEqual([
        'source: source is required',
      ]);
      expect(
        (await problemsOf('/api/prioritisation/tools', { source: DEFAULT_TOOL, rationale: '   ' }))
          .errors,
      ).toEqual(['rationale: rationale is required']);
      const draft = (
        await request(t.http)
          .post('/api/prioritisation/tools')
          .set(auth(admin))
          .send({ source: DEFAULT_TOOL, rationale: 'same tool, to test activation' })
          .expect(201)
      ).body;
      const activate = `/api/prioritisation/tools/${draft.id}/activate`;
      expect(await problemsOf(activate, { rationale: '   ' })).toMatchObject({
        code: 'request.invalid',
        errors: ['rationale: rationale is required'],
      });
      expect((await problemsOf(activate, { rationale: 5 })).errors).toEqual([
        'rationale: rationale must be a string',
      ]);
      const [{ status }] = await t.db.query(
        `select status from prioritisation_tool_version where id = $1`,
        [draft.id],
      );
      expect(status).toBe('draft');
    });

    it('should keep a bad draft from activation, and keep scoring with the active tool', async () => {
      await childWaitingFor([['slt', 18]]);
      await rescore();
      const draft = (
        await request(t.http)
          .post('/api/prioritisation/tools')
          .set(auth(admin))
          .send({
            source: DEFAULT_TOOL.replace('cap: 60', 'cap: lots'),
            rationale: 'try a new cap',
          })
          .expect(201)
      ).body;
      expect(draft).toMatchObject({
        status: 'draft',
        valid: false,
        problems: expect.arrayContaining([
          expect.stringMatching(/^factors\[0\]\.cap: cap must be a number/),
        ]),
      });
      // Named as the document names itself, though it is not valid yet.
      expect(draft.name).toBe((parse(DEFAULT_TOOL) as { name: string }).name);
      const res = await request(t.http)
        .post(`/api/prioritisation/tools/${draft.id}/activate`)
        .set(auth(admin))
        .send({ rationale: 'go live' })
        .expect(400);
      expect(res.body.code).toBe('prioritisation.tool-invalid');
      expect(res.body.errors[0]).toMatch(/^factors\[0\]\.cap/);
      expect((await rescore()).toolVersion).toBe(1);
      await request(t.http)
        .post('/api/prioritisation/tools/validate')
        .set(auth(clinician))
        .send({ source: DEFAULT_TOOL })
        .expect(403);
    });

    it('should rescore everything on activation, record the version, and make it immutable', async () => {
      const one = await childWaitingFor([['slt', 18]]);
      const two = await childWaitingFor([
        ['slt', 18],
        ['neurodiversity', 13],
      ]);
      await rescore();
      const events: string[] = [];
      const sub = t.app
        .get(DomainEvents)
        .on('tool.activated')
        .subscribe((e) => events.push(e.toolVersionId));
      const source = DEFAULT_TOOL.replace(
        '        - 20\n        - 0\n    explain: Waiting for {child.serviceCount} services',
        '        - 30\n        - 0\n    explain: Waiting for {child.serviceCount} services',
      );
      const draft = (
        await request(t.http)
          .post('/api/prioritisation/tools')
          .set(auth(admin))
          .send({ source, rationale: 'Forum asked for more weight on two needs' })
          .expect(201)
      ).body;
      expect(draft.valid).toBe(true);
      const res = await request(t.http)
        .post(`/api/prioritisation/tools/${draft.id}/activate`)
        .set(auth(admin))
        .send({ rationale: 'Agreed at co-production group, 3 Nov' })
        .expect(200);
      sub.unsubscribe();
      expect(res.body.run).toMatchObject({
        kind: 'full',
        toolVersionId: draft.id,
        childrenScored: 2,
      });
      expect(events).toEqual([draft.id]);
      const rows = await t.db.query(
        `select child_id, tool_version_id, score from child_priority order by score`,
      );
      expect(rows.map((r: { tool_version_id: string }) => r.tool_version_id)).toEqual([
        draft.id,
        draft.id,
      ]);
      expect(rows.map((r: { child_id: string; score: number }) => [r.child_id, r.score])).toEqual([
        [one.id, 20],
        [two.id, 50],
      ]);
      const versions = (
        await request(t.http).get('/api/prioritisation/tools').set(auth(admin)).expect(200)
      ).body;
      expect(
        versions.map((v: { version: number; status: string }) => [v.version, v.status]),
      ).toEqual([
        [2, 'active'],
        [1, 'retired'],
      ]);
      const detail = (
        await request(t.http)
          .get(`/api/prioritisation/tools/${draft.id}`)
          .set(auth(admin))
          .expect(200)
      ).body;
      expect(detail.activations).toEqual([
        expect.objectContaining({
          activatedBy: 'admin-1',
          rationale: 'Agreed at co-production group, 3 Nov',
        }),
      ]);
      // The activation answers with the version as it is read, this activation listed.
      expect(res.body.toolVersion).toEqual(detail);
      const edit = await request(t.http)
        .put(`/api/prioritisation/tools/${draft.id}`)
        .set(auth(admin))
        .send({ source, rationale: 'sneaky edit' })
        .expect(409);
      expect(edit.body.code).toBe('prioritisation.tool-not-draft');
      // Activating the active version again changes nothing: no second activation, no rescore.
      const runsBefore = await t.db.query(`select count(*)::int as n from priority_run`);
      const again = await request(t.http)
        .post(`/api/prioritisation/tools/${draft.id}/activate`)
        .set(auth(admin))
        .send({ rationale: 'pressed twice' })
        .expect(409);
      expect(again.body.code).toBe('prioritisation.tool-already-active');
      expect(await t.db.query(`select count(*)::int as n from priority_run`)).toEqual(runsBefore);
      expect(
        await t.db.query(
          `select count(*)::int as n from prioritisation_tool_activation where tool_version_id = $1`,
          [draft.id],
        ),
      ).toEqual([{ n: 1 }]);
      await expect(
        t.db.query(`update prioritisation_tool_version set source = 'x' where id = $1`, [draft.id]),
      ).rejects.toThrow(/cannot be edited/);
      const [audit] = await t.db.query(
        `select actor_subject, detail from audit_event where action = 'activate' and detail->>'toolVersionId' = $1`,
        [draft.id],
      );
      expect(audit.actor_subject).toBe('admin-1');
    });
  });

  it('should preview how bands would move without touching live scores', async () => {
    await childWaitingFor([['slt', 18]], { locality: 'Riverside', deprivationDecile: 2 });
    await childWaitingFor(
      [
        ['slt', 36],
        ['mental-health', 1],
      ],
      { locality: 'Eastfield' },
    );
    await childWaitingFor([['neurodiversity', 60]], { locality: 'Eastfield' });
    await rescore();
    const before = await t.db.query(`select * from child_priority order by child_id`);
    const [{ runs }] = await t.db.query(`select count(*)::int as runs from priority_run`);
    // Draft: P2 from 50 instead of 70.
    const draft = DEFAULT_TOOL.replace('minScore: 70 ', 'minScore: 50 ');
    const res = await request(t.http)
      .post('/api/prioritisation/preview')
      .set(auth(admin))
      .send({ source: draft })
      .expect(200);
    expect(res.body).toMatchObject({ children: 3, movedUp: 2, movedDown: 0, unchanged: 1 });
    expect(res.body.bandSizes).toEqual({
      current: { P1: 0, P2: 0, P3: 2, P4: 1 },
      proposed: { P1: 0, P2: 2, P3: 0, P4: 1 },
    });
    expect(res.body.byLocality).toEqual([
      { key: 'Eastfield', children: 2, movedUp: 2, movedDown: 0, unchanged: 0 },
      { key: 'Riverside', children: 1, movedUp: 0, movedDown: 0, unchanged: 1 },
    ]);
    expect(res.body.byDeprivationQuintile.map((q: { key: string }) => q.key)).toEqual(['1', '3']);
    expect(res.body.largestMovers).toHaveLength(2);
    expect(res.body.largestMovers[0].pseudonym).toMatch(/^WW-/);
    expect(JSON.stringify(res.body)).not.toMatch(/nhsNumber|givenName/);
    expect(await t.db.query(`select * from child_priority order by child_id`)).toEqual(before);
    expect((await t.db.query(`select count(*)::int as runs from priority_run`))[0].runs).toBe(runs);
    // Nothing to preview, or two things: a request problem that says what to give.
    const stored = res.body.activeToolVersion.id as string;
    for (const [body, problem] of [
      [{}, /^source: source is required unless toolVersionId is given: /],
      [
        { source: draft, toolVersionId: stored },
        /^source: give source .* or toolVersionId .*, not both$/,
      ],
    ] as const) {
      const refused = await request(t.http)
        .post('/api/prioritisation/preview')
        .set(auth(admin))
        .send(body)
        .expect(400);
      expect(refused.body).toMatchObject({
        code: 'request.invalid',
        errors: [expect.stringMatching(problem)],
      });
    }
    await request(t.http)
      .post('/api/prioritisation/preview')
      .set(auth(admin))
      .send({ toolVersionId: stored })
      .expect(200);
  });

  it('should let a clinician override a band until the review date, then return the child to the tool band and tell them', async () => {
    const child = await childWaitingFor([['slt', 18]]);
    await rescore();
    const res = await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({
        band: 'P1',
        reason: 'Speech regression reported by school',
        reviewDate: addDays(today, 14),
      })
      .expect(200);
    expect(res.body).toMatchObject({
      band: 'P1',
      toolBand: 'P4',
      override: { band: 'P1', createdBy: 'clinician-ward' },
    });
    const explained = await priority(child.id);
    expect(explained).toMatchObject({
      band: 'P1',
      toolBand: 'P4',
      override: { band: 'P1', reason: 'Speech regression reported by school' },
    });
    // The explanation says the override in words, for every role; the reason stays with clinicians.
    expect(explained.explanation.summary).toMatch(
      new RegExp(
        String.raw`The tool's band P4 \([^)]*\)\. Shown as band P1 \([^)]*\) by a clinician's override ` +
          String.raw`\(clinician-ward\) until ${addDays(today, 14)}, when the child returns to the tool's band\.$`,
      ),
    );
    const pseudonymised = await priority(child.id, commissioner);
    expect(pseudonymised.override).not.toHaveProperty('reason');
    expect(pseudonymised.explanation.summary).toBe(explained.explanation.summary);
    expect(pseudonymised.explanation.summary).not.toContain('regression');
    const [audit] = await t.db.query(
      `select detail from audit_event where action = 'override' and $1 = any(child_ids)`,
      [child.id],
    );
    expect(JSON.stringify(audit.detail)).not.toContain('regression');
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P0', reason: 'x y z', reviewDate: addDays(today, 3) })
      .expect(400);
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P2', reason: 'x y z', reviewDate: today })
      .expect(400);
    // Overrides expire: a review date more than a year ahead (WAITWELL_OVERRIDE_MAX_REVIEW_DAYS) is
    // refused, naming the latest date allowed; a year ahead is accepted.
    const tooFar = await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P2', reason: 'x y z', reviewDate: '9999-12-31' })
      .expect(400);
    expect(tooFar.body).toMatchObject({
      code: 'prioritisation.review-date-too-far',
      detail: expect.stringContaining(`no later than ${addDays(today, 365)}`),
    });
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P2', reason: 'x y z', reviewDate: addDays(today, 366) })
      .expect(400);
    // A missing reason is said once, in words a clinician can act on.
    const noReason = await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P2', reviewDate: addDays(today, 3) })
      .expect(400);
    expect(noReason.body).toMatchObject({
      code: 'request.invalid',
      errors: ['reason: reason is required'],
    });
    // So is one that is only spaces, or too short once they are left out.
    for (const [reason, problem] of [
      ['   ', 'reason: reason is required'],
      ['', 'reason: reason is required'],
      [' ab ', 'reason: reason must be at least 3 characters, not counting spaces at either end'],
    ]) {
      const blank = await request(t.http)
        .put(`/api/children/${child.id}/priority/override`)
        .set(auth(clinician))
        .send({ band: 'P2', reason, reviewDate: addDays(today, 3) })
        .expect(400);
      expect(blank.body).toMatchObject({ code: 'request.invalid', errors: [problem] });
    }
    // The review date comes. Until the nightly job ends the override, the child's priority says
    // what the ranked lists show: the override's band, the override and words that agree.
    await t.db.query(`update priority_override set review_date = $2 where child_id = $1`, [
      child.id,
      today,
    ]);
    const due = await priority(child.id);
    expect(due).toMatchObject({ band: 'P1', toolBand: 'P4', override: { band: 'P1' } });
    expect(due.explanation.summary).toMatch(
      new RegExp(
        String.raw`Shown as band P1 \([^)]*\) by a clinician's override .* until ${today}`,
      ),
    );
    const [listed] = (
      await request(t.http).get('/api/ranked').set(auth(commissioner)).expect(200)
    ).body.items.filter((r: { childId: string }) => r.childId === child.id);
    expect(listed).toMatchObject({ band: 'P1', overridden: true });
    // The nightly job ends the override and tells the clinician.
    await t.app.get(RescoreScheduler).nightly(today);
    const after = await priority(child.id);
    expect(after).toMatchObject({ band: 'P4', toolBand: 'P4', override: null });
    expect(after.explanation.summary).toMatch(/Band P4 \([^)]*\)\.$/);
    const notices = await unreadNotices();
    expect(notices).toEqual([
      expect.objectContaining({
        childId: child.id,
        kind: 'override-expired',
        detail: expect.objectContaining({ band: 'P1' }),
        // In words, naming the child by pseudonym only, with what to do next.
        text: expect.stringMatching(
          new RegExp(
            `^Your override of child ${child.pseudonym} to band P1 reached its review date \\(${today}\\) and has ended.*set a new override`,
          ),
        ),
      }),
    ]);
    await request(t.http)
      .post(`/api/prioritisation/notices/${notices[0].id}/read`)
      .set(auth(clinician))
      .expect(204);
    expect(await unreadNotices()).toEqual([]);
    expect(after.history.map((h: { band: string }) => h.band)).toEqual(['P4', 'P1', 'P4']);
  });

  describe('an override when the child no longer waits for any service', () => {
    /** A child on the SLT list (tool band P4) whose band clinician-ward overrides to P1. */
    async function overriddenChild() {
      const child = await childWaitingFor([['slt', 18]]);
      await rescore();
      await request(t.http)
        .put(`/api/children/${child.id}/priority/override`)
        .set(auth(clinician))
        .send({
          band: 'P1',
          reason: 'Speech regression reported by school',
          reviewDate: addDays(today, 30),
        })
        .expect(200);
      return child;
    }
    const discharge = (childId: string) =>
      t.db.query(`update referral set status = 'discharged' where child_id = $1`, [childId]);
    const withdraw = (childId: string, token = clinician) =>
      request(t.http).delete(`/api/children/${childId}/priority/override`).set(auth(token));

    it('should let the clinician withdraw it once the last referral closed, before any rescore', async () => {
      const child = await overriddenChild();
      await discharge(child.id);
      // A clinician of a service the child was never referred to still cannot see the child.
      const mh = await t.tokenFor({ role: 'clinician', sub: 'mh-a', services: ['mental-health'] });
      const hidden = await withdraw(child.id, mh).expect(404);
      expect(hidden.body).toMatchObject({ code: 'prioritisation.override-not-found' });
      await withdraw(child.id).expect(204);
      const [row] = await t.db.query(
        `select ended_reason, ended_by from priority_override where child_id = $1`,
        [child.id],
      );
      expect(row).toEqual({ ended_reason: 'withdrawn', ended_by: 'clinician-ward' });
    });

    it('should end it at the rescore that finds the child gone, audited and told, and say so to a withdrawal', async () => {
      const child = await overriddenChild();
      await discharge(child.id);
      const run = await rescore();
      expect(run).toMatchObject({ childrenRemoved: 1, overridesEnded: 1 });
      const [row] = await t.db.query(
        `select ended_at, ended_reason, ended_by from priority_override where child_id = $1`,
        [child.id],
      );
      expect(row).toMatchObject({ ended_reason: 'no-longer-waiting', ended_by: 'system' });
      // Audited as expiry is: the system, the child, why; never the clinical reason.
      const audits = await t.db.query(
        `select actor_subject, actor_role, action, purpose, detail from audit_event
          where resource = 'child-priority-override' and $1 = any(child_ids)`,
        [child.id],
      );
      expect(audits).toEqual([
        {
          actor_subject: 'system',
          actor_role: 'system',
          action: 'update',
          purpose: 'no-longer-waiting',
          detail: { ended: 1, endedReason: 'no-longer-waiting', runId: run.runId },
        },
      ]);
      // The clinician who set it is told.
      const notices = await unreadNotices();
      expect(notices).toEqual([
        expect.objectContaining({
          childId: child.id,
          kind: 'override-ended',
          detail: expect.objectContaining({ band: 'P1', endedReason: 'no-longer-waiting' }),
          text: expect.stringMatching(
            new RegExp(
              `^Your override of child ${child.pseudonym} to band P1 .* has ended because the child no longer waits for any service`,
            ),
          ),
        }),
      ]);
      // Withdrawing it now says it already ended, when and why.
      const ended = await withdraw(child.id).expect(409);
      expect(ended.body).toMatchObject({ code: 'prioritisation.override-already-ended' });
      expect(ended.body.detail).toBe(
        `That child's override already ended at ${new Date(row.ended_at).toISOString()} because ` +
          "the child no longer waits for any service (every referral closed); a new referral is scored by the tool's band. There is nothing to withdraw.",
      );
      // A second rescore finds nothing more to end.
      expect(await rescore()).toMatchObject({ overridesEnded: 0 });
    });

    it('should not carry the band over to a new referral (incremental and full rescores)', async () => {
      const byImport = await overriddenChild();
      const byFullRun = await overriddenChild();
      await discharge(byImport.id);
      await discharge(byFullRun.id);
      const rescorer = t.app.get(RescoreService);
      expect(await rescorer.rescoreChildren([byImport.id], 'test')).toMatchObject({
        overridesEnded: 1,
      });
      await rescore();
      for (const child of [byImport, byFullRun]) {
        await insertReferral(t.db, child.id, {
          service: 'slt',
          provider: 'RYB',
          receivedDate: weeksAgo(18),
        });
      }
      await rescorer.rescoreChildren([byImport.id], 'test');
      await rescore();
      for (const child of [byImport, byFullRun]) {
        expect(await priority(child.id)).toMatchObject({
          band: 'P4',
          toolBand: 'P4',
          override: null,
        });
      }
      const listed = (await request(t.http).get('/api/ranked').set(auth(commissioner)).expect(200))
        .body.items;
      expect(listed).toEqual([
        expect.objectContaining({ band: 'P4', overridden: false }),
        expect.objectContaining({ band: 'P4', overridden: false }),
      ]);
    });

    it('should end it in a full rescore even for a child who left the lists without a score to lose', async () => {
      // As after a crash emptied the unlogged score tables, or for an override left open by a child
      // who left the lists before overrides ended this way: no score, so nobody finds the child gone.
      const child = await overriddenChild();
      await discharge(child.id);
      await asOwner(t.db, (runner) =>
        runner.query(`delete from child_priority where child_id = $1`, [child.id]),
      );
      expect(await rescore()).toMatchObject({ childrenRemoved: 0, overridesEnded: 1 });
      const [row] = await t.db.query(
        `select ended_reason from priority_override where child_id = $1`,
        [child.id],
      );
      expect(row).toEqual({ ended_reason: 'no-longer-waiting' });
    });
  });

  it('should rescore a child after a family check-in; a crisis forces P1 for review', async () => {
    const child = await childWaitingFor([['slt', 2]]);
    const other = await childWaitingFor([['slt', 2]]);
    await rescore();
    const family = await t.tokenFor({ role: 'family', sub: 'parent-1', childId: child.id });
    // Another child: plain words for the family, and where to get urgent help (it was a crisis).
    const notTheirs = await request(t.http)
      .post(`/api/children/${other.id}/check-ins`)
      .set(auth(family))
      .send({ answer: 'crisis' })
      .expect(404);
    expect(notTheirs.body.code).toBe('prioritisation.check-in-child-not-found');
    expect(notTheirs.body.detail).toMatch(/^We could not find that child .* was not sent\./);
    expect(notTheirs.body.detail).toMatch(/call 999.*NHS 111/);
    expect(notTheirs.body.detail).not.toMatch(/score|rescor|list you can see/);
    await request(t.http)
      .post(`/api/children/${child.id}/check-ins`)
      .set(auth(family))
      .send({ answer: 'terrible' })
      .expect(400);
    const res = await request(t.http)
      .post(`/api/children/${child.id}/check-ins`)
      .set(auth(family))
      .send({ answer: 'crisis' })
      .expect(201);
    expect(res.body).toMatchObject({ childId: child.id, answer: 'crisis', reportedOn: today });
    // The family is told what happens now and where to get help that cannot wait.
    expect(res.body.whatHappensNext).toMatch(/review their care/);
    expect(res.body.whatHappensNext).toMatch(/call 999/);
    expect(res.body.whatHappensNext).toMatch(/NHS 111/);
    // The SLT team is told (any of its clinicians sees it; the first to read it reads it for all);
    // a clinician of another service is not.
    const slt = await t.tokenFor({ role: 'clinician', sub: 'slt-a', services: ['slt'] });
    const sltToo = await t.tokenFor({ role: 'clinician', sub: 'slt-b', services: ['slt'] });
    const mh = await t.tokenFor({ role: 'clinician', sub: 'mh-a', services: ['mental-health'] });
    const [notice] = await unreadNotices(slt);
    expect(notice).toMatchObject({
      childId: child.id,
      pseudonym: child.pseudonym,
      kind: 'family-crisis',
      service: 'slt',
      detail: {
        checkInId: res.body.id,
        reportedOn: today,
        reportedByRole: 'family',
        service: 'slt',
      },
      readAt: null,
      readBy: null,
    });
    expect(notice.text).toBe(
      `The family of child ${child.pseudonym} reported a crisis on ${today} and were told that the ` +
        "child's Speech and language therapy team would review their care. Contact the family and " +
        "review the child's care as soon as you can; if the child may be in danger, follow your " +
        'safeguarding procedures. Marking this notice read marks it read for your whole team.',
    );
    expect(notice.text).not.toContain(child.nhsNumber);
    expect(await unreadNotices(mh)).toEqual([]);
    await request(t.http)
      .post(`/api/prioritisation/notices/${notice.id}/read`)
      .set(auth(mh))
      .expect(404);
    await request(t.http)
      .post(`/api/prioritisation/notices/${notice.id}/read`)
      .set(auth(sltToo))
      .expect(204);
    expect(await unreadNotices(slt)).toEqual([]);
    const [read] = (
      await request(t.http).get('/api/prioritisation/notices').set(auth(slt)).expect(200)
    ).body.items;
    expect(read).toMatchObject({ id: notice.id, readBy: 'slt-b', readAt: expect.any(String) });
    const p = await priority(child.id);
    expect(p).toMatchObject({
      band: 'P1',
      review: true,
      topReasons: ['Review: Family reported a crisis', expect.any(String)],
    });
    expect(p.explanation.triggers[0].text).toMatch(
      /^Family reported a crisis: The family said there was a crisis 0 days ago/,
    );
    await request(t.http)
      .post(`/api/children/${other.id}/check-ins`)
      .set(auth(clinician))
      .send({ answer: 'worse', reportedOn: addDays(today, -7) })
      .expect(201);
    // 2 weeks of an 18-week target: 2.2, plus 25 for "worse" within 8 weeks.
    expect((await priority(other.id)).score).toBe(27.2);
    const typo = await request(t.http)
      .post(`/api/children/${other.id}/check-ins`)
      .set(auth(clinician))
      .send({ answer: 'worse', reportedOn: '1990-01-01' })
      .expect(400);
    expect(typo.body.code).toBe('prioritisation.check-in-date-too-old');
    expect(typo.body.detail).toContain(`the earliest accepted is ${addDays(today, -365)}`);
    // "Worse" counts in the score; only a crisis sends the team a notice.
    expect(await unreadNotices(slt)).toEqual([]);
    // A child who waits for nothing now: no team is told, and the family is not told one was.
    await t.db.query(`update referral set status = 'discharged' where child_id = $1`, [child.id]);
    const discharged = await request(t.http)
      .post(`/api/children/${child.id}/check-ins`)
      .set(auth(family))
      .send({ answer: 'crisis' })
      .expect(201);
    expect(discharged.body.whatHappensNext).toMatch(/no team has been asked/);
    expect(discharged.body.whatHappensNext).toMatch(/call 999/);
    expect(await unreadNotices(slt)).toEqual([]);
  });

  it("should say in the explanation when a tool activated since has no band for a clinician's override", async () => {
    const child = await childWaitingFor([['slt', 18]]);
    await rescore();
    await request(t.http)
      .put(`/api/children/${child.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: 'Speech regression reported', reviewDate: addDays(today, 14) })
      .expect(200);
    // A version whose top band is called R1: the override's band P1 no longer exists.
    const draft = (
      await request(t.http)
        .post('/api/prioritisation/tools')
        .set(auth(admin))
        .send({ source: DEFAULT_TOOL.replaceAll('P1', 'R1'), rationale: 'rename the top band' })
        .expect(201)
    ).body;
    await request(t.http)
      .post(`/api/prioritisation/tools/${draft.id}/activate`)
      .set(auth(admin))
      .send({ rationale: 'testing' })
      .expect(200);
    const p = await priority(child.id);
    expect(p).toMatchObject({ flagged: true, override: null, band: 'P4' });
    expect(p.explanation.problems).toContainEqual({
      rule: 'clinician-override',
      referralId: null,
      text: expect.stringMatching(
        /override to band P1 \(set by clinician-ward, review date \d{4}-\d\d-\d\d\) was not applied: the tool version that scored this child has no band P1 \(its bands: R1, P2, P3, P4\)/,
      ),
    });
  });

  it('should score a child with missing data or a failing rule with the factors that apply, flag them and report it', async () => {
    const missing = await childWaitingFor([['slt', 18]], { flags: [{ code: 'ehcp' }] });
    await t.db.query(`update child set deprivation_decile = null where id = $1`, [missing.id]);
    const seven = await childWaitingFor([['slt', 18]], { dateOfBirth: yearsOld(7) });
    const fine = await childWaitingFor([['slt', 18]], { dateOfBirth: yearsOld(9) });
    const source = DEFAULT_TOOL.replace(
      'factors:\n',
      'factors:\n  - id: fragile\n    level: child\n    label: Fragile rule\n    points: { "/": [10, { "-": [{ "var": "child.ageYears" }, 7] }] }\n',
    );
    const draft = (
      await request(t.http)
        .post('/api/prioritisation/tools')
        .set(auth(admin))
        .send({ source, rationale: 'test a rule that divides' })
        .expect(201)
    ).body;
    const { run } = (
      await request(t.http)
        .post(`/api/prioritisation/tools/${draft.id}/activate`)
        .set(auth(admin))
        .send({ rationale: 'testing' })
        .expect(200)
    ).body;
    expect(run).toMatchObject({
      childrenScored: 3,
      childrenFlagged: 2,
      problems: { 'deprivation:missing-input': 1, 'fragile:error': 1 },
    });
    const [stored] = await t.db.query(
      `select children_flagged, problems from priority_run where id = $1`,
      [run.runId],
    );
    expect(stored).toEqual({
      children_flagged: 2,
      problems: { 'deprivation:missing-input': 1, 'fragile:error': 1 },
    });
    expect(await priority(missing.id)).toMatchObject({
      flagged: true,
      score: 20 + 10 + 10 / (8 - 7),
    });
    const s7 = await priority(seven.id);
    expect(s7).toMatchObject({ flagged: true, score: 20 });
    expect(s7.explanation.problems[0].text).toMatch(
      /"Fragile rule" was not applied: the rule failed/,
    );
    expect(await priority(fine.id)).toMatchObject({ flagged: false, score: 25 });
  });

  it('should rescore only the children an import run changed', async () => {
    const a = await childWaitingFor([['slt', 18]]);
    const b = await childWaitingFor([['slt', 18]]);
    await rescore();
    await insertReferral(t.db, a.id, {
      service: 'mental-health',
      provider: 'RYB',
      receivedDate: weeksAgo(1),
    });
    await insertReferral(t.db, b.id, {
      service: 'mental-health',
      provider: 'RYB',
      receivedDate: weeksAgo(1),
    });
    t.app
      .get(DomainEvents)
      .publish({ type: 'import.completed', runId: 'run-1', sourceId: 'test', childIds: [a.id] });
    for (let i = 0; i < 50; i++) {
      const [run] = await t.db.query(
        `select kind, status from priority_run where reason = 'import run run-1'`,
      );
      if (run?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const scores = await t.db.query(`select child_id, service_count from child_priority`);
    expect(
      Object.fromEntries(
        scores.map((s: { child_id: string; service_count: number }) => [
          s.child_id,
          s.service_count,
        ]),
      ),
    ).toEqual({ [a.id]: 2, [b.id]: 1 });
  });

  it('should page the ranked list by band, score and wait, without gaps or repeats, with filters', async () => {
    for (let i = 0; i < 30; i++) {
      await childWaitingFor(
        i % 3 === 0
          ? [
              ['slt', i],
              ['neurodiversity', i],
            ]
          : [['slt', i * 2]],
        {
          locality: i % 2 ? 'Eastfield' : 'Riverside',
          flags: i % 5 === 0 ? [{ code: 'safeguarding-concern' }] : [],
        },
      );
    }
    await rescore();
    // The audit is shared by every test file and never emptied: count this test's rows only.
    const auditedBefore: Array<{ n: number }> = await t.db.query(
      `select count(*)::int as n from audit_event where resource = 'ranked-list'`,
    );
    const seen: Array<{ band: string; score: number; weeksWaited: number }> = [];
    let cursor: string | null = null;
    do {
      const res: request.Response = await request(t.http)
        .get('/api/ranked')
        .query({ limit: 7, ...(cursor ? { cursor } : {}) })
        .set(auth(clinician))
        .expect(200);
      seen.push(...res.body.items);
      cursor = res.body.next;
    } while (cursor);
    expect(seen).toHaveLength(30);
    expect(new Set(seen.map((s) => (s as unknown as { childId: string }).childId)).size).toBe(30);
    // Band first (P1 before P4), then the higher score, then the longer wait.
    const before = (a: (typeof seen)[number], b: (typeof seen)[number]) =>
      a.band !== b.band
        ? a.band < b.band
        : a.score !== b.score
          ? a.score > b.score
          : a.weeksWaited >= b.weeksWaited;
    for (let i = 1; i < seen.length; i++) expect(before(seen[i - 1], seen[i])).toBe(true);
    expect(new Set(seen.map((s) => s.band)).size).toBeGreaterThan(1);
    expect(seen[0]).toHaveProperty('nhsNumber');
    const audit = await t.db.query(
      `select count(*)::int as n from audit_event where resource = 'ranked-list'`,
    );
    expect(audit[0].n - auditedBefore[0].n).toBe(5); // one audit record per page of identifiable rows
    const filtered = (
      await request(t.http)
        .get('/api/ranked?locality=Eastfield&multiNeed=true&flag=safeguarding-concern&minWeeks=10')
        .set(auth(commissioner))
        .expect(200)
    ).body.items;
    expect(filtered.length).toBeGreaterThan(0);
    for (const r of filtered) {
      expect(r.waits.length).toBeGreaterThan(1);
      expect(r.weeksWaited).toBeGreaterThanOrEqual(10);
      expect(r).not.toHaveProperty('nhsNumber');
    }
    // With a provider, "waited longer than N weeks" means at that provider: this child waits 60
    // weeks for SLT at RYB and 3 weeks at RXA, so is not among RXA's waits over 52 weeks.
    const elsewhere = await childWaitingFor(
      [
        ['slt', 60],
        ['neurodiversity', 3],
      ],
      { locality: 'Eastfield' },
    );
    const atRxa = await childWaitingFor([['neurodiversity', 60]], { locality: 'Eastfield' });
    // 52 weeks and 2 days at RYB: a 52+ week wait as the RTT report counts it (365 days or more),
    // shown as 52 completed weeks; and 51 weeks and 6 days, which is not.
    const justOver = await insertChild(t.db, { dateOfBirth: yearsOld(8), locality: 'Eastfield' });
    await insertReferral(t.db, justOver.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -(52 * 7 + 2)),
    });
    const justUnder = await insertChild(t.db, { dateOfBirth: yearsOld(8), locality: 'Eastfield' });
    await insertReferral(t.db, justUnder.id, {
      service: 'slt',
      provider: 'RYB',
      receivedDate: addDays(today, -(52 * 7 - 1)),
    });
    await rescore();
    const longWaiters = async (query: string) =>
      (
        await request(t.http)
          .get(`/api/ranked?limit=200&${query}`)
          .set(auth(commissioner))
          .expect(200)
      ).body.items.map((r: { childId: string }) => r.childId) as string[];
    const longAtRxa = await longWaiters('provider=RXA&minWeeks=52');
    expect(longAtRxa).toContain(atRxa.id);
    expect(longAtRxa).not.toContain(elsewhere.id);
    // Without a provider the longest wait counts wherever it is.
    const over52 = await longWaiters('minWeeks=52');
    expect(over52).toEqual(expect.arrayContaining([atRxa.id, elsewhere.id, justOver.id]));
    expect(over52).not.toContain(justUnder.id);
    // On SLT's list too (that referral's wait).
    const sltOver52 = await longWaiters('service=slt&minWeeks=52');
    expect(sltOver52).toContain(justOver.id);
    expect(sltOver52).not.toContain(justUnder.id);
    const p3 = (
      await request(t.http)
        .get('/api/ranked?band=P3&service=slt&provider=RYB')
        .set(auth(commissioner))
        .expect(200)
    ).body.items;
    for (const r of p3) expect(r.band).toBe('P3');
    await request(t.http).get('/api/ranked?cursor=bad').set(auth(commissioner)).expect(400);
    // A cursor continues only the list that gave it: on another list it would start that one again
    // from the top, or end it at once as if nobody else waited.
    const nextOf = async (query: string) =>
      (
        await request(t.http)
          .get(`/api/ranked?limit=2&${query}`)
          .set(auth(commissioner))
          .expect(200)
      ).body.next as string;
    const childrenCursor = await nextOf('');
    const sltCursor = await nextOf('service=slt');
    const otherList = async (query: string, cursor: string) =>
      (
        await request(t.http)
          .get(`/api/ranked?limit=2&${query}`)
          .query({ cursor })
          .set(auth(commissioner))
          .expect(400)
      ).body;
    expect(await otherList('service=slt', childrenCursor)).toMatchObject({
      code: 'prioritisation.cursor-of-another-list',
      detail: expect.stringMatching(/^That cursor continues the children's list, not the slt list/),
    });
    expect((await otherList('', sltCursor)).detail).toMatch(
      /^That cursor continues the slt list, not the children's list/,
    );
    expect((await otherList('service=neurodiversity', sltCursor)).detail).toMatch(
      /^That cursor continues the slt list, not the neurodiversity list/,
    );
    // The same list with other filters keeps its order, so its cursor still pages it.
    await request(t.http)
      .get('/api/ranked?limit=2&service=slt&band=P4')
      .query({ cursor: sltCursor })
      .set(auth(commissioner))
      .expect(200);
    await request(t.http).get('/api/ranked?service=dentistry').set(auth(commissioner)).expect(400);
    // A band the tool does not have is an error, not an empty list that reads "nobody in it".
    const lowerCase = await request(t.http)
      .get('/api/ranked?band=p1')
      .set(auth(commissioner))
      .expect(400);
    expect(lowerCase.body).toMatchObject({
      code: 'prioritisation.unknown-band',
      detail: '"p1" is not a band of the active tool; use one of: P1, P2, P3, P4.',
    });
    // So is a locality no child has: the known ones are named (read again when one is not known).
    const unknownLocality = await request(t.http)
      .get('/api/ranked?locality=eastfield')
      .set(auth(commissioner))
      .expect(400);
    expect(unknownLocality.body).toMatchObject({
      code: 'prioritisation.unknown-locality',
      detail:
        'There is no locality "eastfield" (the name must match exactly). Known localities: Eastfield, Riverside.',
    });
    await childWaitingFor([['slt', 3]], { locality: 'Northfield' });
    await request(t.http)
      .get('/api/ranked?locality=Northfield')
      .set(auth(commissioner))
      .expect(200);
    await request(t.http).get('/api/ranked').set(auth(admin)).expect(403);
  });

  it('should show how the live bands fall by deprivation, age and locality (aggregates only)', async () => {
    // The unit's demo providers: SLT with RYB, the rest with RXA (both the test ICB's).
    const a = await childWaitingFor([['slt', 10]], {
      deprivationDecile: 1,
      dateOfBirth: yearsOld(3),
      locality: 'Riverside',
    });
    await childWaitingFor(
      [
        ['slt', 30],
        ['mental-health', 5],
      ],
      { deprivationDecile: 2, dateOfBirth: yearsOld(8), locality: 'Riverside' },
    );
    await childWaitingFor([['neurodiversity', 50]], {
      deprivationDecile: 9,
      dateOfBirth: yearsOld(13),
      locality: 'Eastfield',
    });
    const d = await childWaitingFor([['slt', 2]], { dateOfBirth: yearsOld(17) });
    await t.db.query(`update child set deprivation_decile = null, locality = null where id = $1`, [
      d.id,
    ]);
    await rescore();
    await request(t.http)
      .put(`/api/children/${a.id}/priority/override`)
      .set(auth(clinician))
      .send({ band: 'P1', reason: 'Lost words since the summer', reviewDate: addDays(today, 30) })
      .expect(200);
    const res = await request(t.http)
      .get('/api/prioritisation/equity')
      .set(auth(commissioner))
      .expect(200);
    const live = await t.db.query<Array<{ band: string; n: number }>>(
      `select band, count(*)::int as n from child_priority group by band`,
    );
    expect(res.body).toMatchObject({
      asAt: today,
      toolVersion: { version: 1 },
      bands: ['P1', 'P2', 'P3', 'P4'],
      overall: {
        key: 'all',
        children: 4,
        bands: Object.fromEntries(
          ['P1', 'P2', 'P3', 'P4'].map((b) => [b, live.find((r) => r.band === b)?.n ?? 0]),
        ),
        overridden: 1,
        overriddenPercent: 25,
      },
    });
    const summary = (groups: Array<{ key: string; children: number; overridden: number }>) =>
      groups.map((g) => [g.key, g.children, g.overridden]);
    expect(summary(res.body.byDeprivationQuintile)).toEqual([
      ['1', 2, 1],
      ['5', 1, 0],
      ['unknown', 1, 0],
    ]);
    expect(summary(res.body.byAgeGroup)).toEqual([
      ['0-4', 1, 1],
      ['5-10', 1, 0],
      ['11-15', 1, 0],
      ['16+', 1, 0],
    ]);
    expect(summary(res.body.byLocality)).toEqual([
      ['Eastfield', 1, 0],
      ['Riverside', 2, 1],
      ['unknown', 1, 0],
    ]);
    // The middle child's longest wait: of 10 and 30 weeks, the first (percentile_disc).
    expect(res.body.byDeprivationQuintile[0]).toMatchObject({ medianWeeksWaited: 10 });
    expect(res.body.byAgeGroup[0].bands).toMatchObject({ P1: 1 });
    expect(JSON.stringify(res.body)).not.toMatch(/nhsNumber|pseudonym|childId|Lost words/);
    // Another ICB's commissioner: none of these children; an admin sees every provider.
    const otherIcb = await t.tokenFor({ role: 'commissioner', commissioner: 'QAA' });
    const theirs = await request(t.http)
      .get('/api/prioritisation/equity')
      .set(auth(otherIcb))
      .expect(200);
    expect(theirs.body.overall.children).toBe(0);
    expect(theirs.body.byLocality).toEqual([]);
    const everyone = await request(t.http)
      .get('/api/prioritisation/equity')
      .set(auth(admin))
      .expect(200);
    expect(everyone.body).toMatchObject({ scope: 'all providers', overall: { children: 4 } });
  });

  it("should show a commissioner only the lists of their own ICB's providers", async () => {
    const child = await childWaitingFor([['slt', 30]]);
    await rescore();
    const ours = (
      await request(t.http).get('/api/ranked?limit=200').set(auth(commissioner)).expect(200)
    ).body.items;
    expect(ours.map((r: { childId: string }) => r.childId)).toContain(child.id);
    const otherIcb = await t.tokenFor({ role: 'commissioner', commissioner: 'QAA' });
    const theirs = await request(t.http).get('/api/ranked').set(auth(otherIcb)).expect(200);
    expect(theirs.body.items).toEqual([]);
    const refused = await request(t.http)
      .get('/api/ranked?provider=RYB')
      .set(auth(otherIcb))
      .expect(403);
    expect(refused.body.code).toBe('prioritisation.provider-not-commissioned');
  });

  it("should explain a child's priority to a commissioner only when the child waits with their ICB's providers", async () => {
    const child = await childWaitingFor([['slt', 30]]);
    await rescore();
    await priority(child.id, commissioner);
    const otherIcb = await t.tokenFor({ role: 'commissioner', commissioner: 'QAA' });
    const auditedBefore = await t.db.query<Array<{ n: number }>>(
      `select count(*)::int as n from audit_event where $1 = any(child_ids)`,
      [child.id],
    );
    // As on the ranked lists and the child's record: another ICB's child is not there to be read.
    const res = await request(t.http)
      .get(`/api/children/${child.id}/priority`)
      .set(auth(otherIcb))
      .expect(404);
    expect(res.body.code).toBe('prioritisation.not-scored');
    expect(JSON.stringify(res.body)).not.toContain(child.pseudonym);
    await request(t.http).get(`/api/children/${child.id}`).set(auth(otherIcb)).expect(404);
    const auditedAfter = await t.db.query<Array<{ n: number }>>(
      `select count(*)::int as n from audit_event where $1 = any(child_ids)`,
      [child.id],
    );
    expect(auditedAfter[0].n).toBe(auditedBefore[0].n);
  });
});
