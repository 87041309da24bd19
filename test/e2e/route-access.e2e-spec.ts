import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { Role } from '../../src/auth/auth-user.js';
import { DemoSeeder } from '../../src/demo/demo-seeder.service.js';
import { insertChild, insertReferral } from '../factories/waiting-list.factory.js';
import { ALL_SERVICES, createTestApp, resetData, type TestApp } from '../utils/test-app.js';

/**
 * Who may call each route: 'public' (no sign-in) or the roles allowed. This table is the access
 * policy, decided route by route; the test below compares it with every route the running app
 * registers, so a new route without an entry here (or a stale entry) fails until someone decides.
 */
type Access = 'public' | readonly Role[];
const EXPECTED: Record<string, Access> = {
  // Service health and API documentation (served by Swagger, outside Nest's guards).
  'GET /health': 'public',
  'GET /docs': 'public',
  'GET /docs/': 'public',
  'GET /docs/index.html': 'public',
  'GET /docs/LICENSE': 'public',
  'GET /docs/swagger-ui-init.js': 'public',
  'GET /docs/docs/swagger-ui-init.js': 'public',
  'GET /docs-json': 'public',
  'GET /docs-yaml': 'public',
  // Identity (issue 5).
  'GET /api/auth/me': ['commissioner', 'clinician', 'admin', 'family', 'auditor'],
  'POST /api/auth/family-session': 'public', // a sign-in route: the signed link is the credential
  // Audit (issue 5): auditors only.
  'GET /api/audit': ['auditor'],
  'GET /api/audit/alerts': ['auditor'],
  'POST /api/audit/alerts/:id/acknowledge': ['auditor'],
  // Children: identifiable to clinicians and the child's own family, pseudonymised to commissioners.
  'GET /api/children/:id': ['clinician', 'commissioner', 'family'],
  'POST /api/children/:id/family-link': ['clinician'],
  // Waiting lists.
  'GET /api/referrals': ['clinician', 'commissioner'],
  // Prioritisation: ranked lists for clinicians and commissioners (pseudonymised for the latter);
  // overrides are clinical decisions (clinicians only); families and clinicians record check-ins;
  // tools are admin's to write and activate, readable by the roles that must understand a ranking.
  'GET /api/ranked': ['clinician', 'commissioner'],
  'GET /api/children/:id/priority': ['clinician', 'commissioner'],
  'PUT /api/children/:id/priority/override': ['clinician'],
  'DELETE /api/children/:id/priority/override': ['clinician'],
  'POST /api/children/:id/check-ins': ['family', 'clinician'],
  'GET /api/prioritisation/tools': ['admin', 'clinician', 'commissioner', 'auditor'],
  'GET /api/prioritisation/tools/active': ['admin', 'clinician', 'commissioner', 'auditor'],
  'GET /api/prioritisation/tools/:id': ['admin', 'clinician', 'commissioner', 'auditor'],
  'POST /api/prioritisation/tools/validate': ['admin'],
  'POST /api/prioritisation/tools': ['admin'],
  'PUT /api/prioritisation/tools/:id': ['admin'],
  'POST /api/prioritisation/tools/:id/activate': ['admin'],
  'POST /api/prioritisation/preview': ['admin'],
  'POST /api/prioritisation/rescore': ['admin'],
  'GET /api/prioritisation/runs': ['admin', 'commissioner', 'auditor'],
  'GET /api/prioritisation/runs/:id': ['admin', 'commissioner', 'auditor'],
  'GET /api/prioritisation/equity': ['commissioner', 'admin'],
  'GET /api/prioritisation/notices': ['clinician'],
  'POST /api/prioritisation/notices/:id/read': ['clinician'],
  // Ingest (sources are admin's; import runs are data-quality facts commissioners may see; rejects hold raw rows).
  'GET /api/sources': ['admin'],
  'POST /api/sources/:id/pulls': ['admin'],
  'GET /api/imports': ['admin', 'commissioner'],
  'GET /api/imports/:id': ['admin', 'commissioner'],
  'GET /api/imports/:id/rejects': ['admin'],
  'GET /api/data-quality': ['admin', 'clinician'],
  // RTT reporting: aggregate figures for commissioners and admins; publishing snapshots is admin's.
  'GET /api/reports/rtt': ['commissioner', 'admin'],
  'GET /api/reports/rtt/csv': ['commissioner', 'admin'],
  'GET /api/reports/rtt/chart': ['commissioner', 'admin'],
  'GET /api/reports/rtt/snapshots': ['commissioner', 'admin'],
  'POST /api/reports/rtt/snapshots': ['admin'],
};

/**
 * Where break-glass (X-Break-Glass-Reason) is honoured, and for which roles: only the reading of a
 * child's record and priority. On every other route the header is refused, so a new route cannot
 * widen what break-glass opens without an entry here.
 */
const BREAK_GLASS: Record<string, readonly Role[]> = {
  'GET /api/children/:id': ['clinician', 'commissioner'],
  'GET /api/children/:id/priority': ['clinician'],
};

/** Query strings that make a route return real data (so the identifiability sweep sees real answers). */
const SAMPLE_QUERY: Record<string, string> = {
  'GET /api/referrals': 'limit=500',
  'GET /api/reports/rtt': 'month=2026-11',
  'GET /api/reports/rtt/csv': 'month=2026-11',
  'GET /api/reports/rtt/chart': 'month=2026-11',
};

const CALLERS = ['anonymous', 'commissioner', 'clinician', 'admin', 'family', 'auditor'] as const;
type Caller = (typeof CALLERS)[number];

interface Fixture {
  childId: string;
  importRunId: string;
}

/** Routes as the running Express app has them (Nest controllers and anything mounted directly). */
function registeredRoutes(t: TestApp): string[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }> };
  };
  const out = new Set<string>();
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    // Nest's catch-all not-found handler (every method, any path) is not a route of the API.
    if (layer.route.path === '{/*splat}') continue;
    for (const method of Object.keys(layer.route.methods)) {
      out.add(`${method.toUpperCase()} ${layer.route.path}`);
    }
  }
  return [...out].sort();
}

function concretePath(route: string, f: Fixture): string {
  const path = route.split(' ')[1];
  const id = path.startsWith('/api/imports/')
    ? f.importRunId
    : path.startsWith('/api/audit/alerts/')
      ? '1'
      : f.childId;
  return path.replace(':id', id);
}

describe('route access: every registered route against the access table, for every role', () => {
  let t: TestApp;
  let routes: string[];
  let fixture: Fixture;
  const tokens = new Map<Caller, string>();
  const identities: Array<{ nhs: string; fullName: string }> = [];

  const call = (route: string, caller: Caller, breakGlassReason?: string) => {
    const [method, pattern] = route.split(' ');
    const query = SAMPLE_QUERY[route] ? `?${SAMPLE_QUERY[route]}` : '';
    const agent = request(t.http);
    const url = `${concretePath(`${method} ${pattern}`, fixture)}${query}`;
    const verbs: Record<string, (u: string) => request.Test> = {
      GET: (u) => agent.get(u),
      DELETE: (u) => agent.delete(u),
      // An empty body: allowed callers reach validation (400) without changing anything.
      POST: (u) => agent.post(u).send({}),
      PUT: (u) => agent.put(u).send({}),
      PATCH: (u) => agent.patch(u).send({}),
    };
    const verb = verbs[method];
    if (!verb) {
      throw new Error(`route-access test cannot call ${method} routes yet: add it to verbs`);
    }
    let req = verb(url);
    const token = tokens.get(caller);
    if (token) req = req.set('Authorization', `Bearer ${token}`);
    if (breakGlassReason) req = req.set('X-Break-Glass-Reason', breakGlassReason);
    return req;
  };

  beforeAll(async () => {
    t = await createTestApp();
    await resetData(t.db);
    await t.app.get(DemoSeeder).seed(60, 7, '2026-11-25');
    const child = await insertChild(t.db, { givenName: 'Rhiannon', familyName: 'Accesstable' });
    await insertReferral(t.db, child.id, { service: 'slt', provider: 'RXA' });
    await insertReferral(t.db, child.id, { service: 'neurodiversity', provider: 'RYB' });
    const [run] = await t.db.query<Array<{ id: string }>>(
      `select id::text as id from import_run order by started_at limit 1`,
    );
    fixture = { childId: child.id, importRunId: run?.id ?? '00000000-0000-4000-8000-000000000000' };
    const people = await t.db.query<Array<{ nhs: string; fullName: string }>>(
      `select nhs_number as nhs, coalesce(given_name, '') || ' ' || coalesce(family_name, '') as "fullName" from child`,
    );
    identities.push(...people);
    tokens.set('commissioner', await t.tokenFor({ role: 'commissioner', commissioner: 'QZZ' }));
    tokens.set('clinician', await t.tokenFor({ role: 'clinician', services: ALL_SERVICES }));
    tokens.set('admin', await t.tokenFor({ role: 'admin' }));
    tokens.set('family', await t.tokenFor({ role: 'family', childId: child.id }));
    tokens.set('auditor', await t.tokenFor({ role: 'auditor' }));
    routes = registeredRoutes(t);
  }, 60_000);
  afterAll(async () => t.close(), 30_000);

  it('should have an access decision for every registered route, and no stale entries', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect({ routesWithoutADecision: routes.filter((r) => !(r in EXPECTED)) }).toEqual({
      routesWithoutADecision: [],
    });
    expect({
      entriesForRoutesThatDoNotExist: Object.keys(EXPECTED).filter((r) => !routes.includes(r)),
    }).toEqual({ entriesForRoutesThatDoNotExist: [] });
  });

  it('should let each caller through exactly where the table says, and nowhere else', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const access = EXPECTED[route];
      if (access === undefined) continue; // reported by the test above
      for (const caller of CALLERS) {
        // A route that hangs is reported, not left to stall the run.
        const res = await call(route, caller)
          .timeout(10_000)
          .catch(
            (e: unknown) =>
              ({
                status: 599,
                body: { code: `no answer: ${(e as Error).message}` },
                text: '',
              }) as unknown as request.Response,
          );
        const code = String(res.body?.code ?? '');
        const refusedByGuard =
          res.status === 401 || (res.status === 403 && code.startsWith('auth.'));
        let ok: boolean;
        if (access === 'public') ok = !refusedByGuard;
        else if (caller === 'anonymous') ok = res.status === 401 && code === 'auth.no-token';
        else if (access.includes(caller)) ok = !refusedByGuard;
        else ok = res.status === 403 && code === 'auth.role-not-allowed';
        if (!ok) wrong.push(`${route} as ${caller}: ${res.status} ${code}`);
        if (res.status >= 500) wrong.push(`${route} as ${caller}: server error ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('should honour break-glass exactly where the break-glass table says, and refuse it elsewhere', async () => {
    expect(Object.keys(BREAK_GLASS).filter((r) => !routes.includes(r))).toEqual([]);
    const wrong: string[] = [];
    for (const route of routes) {
      const access = EXPECTED[route];
      if (!Array.isArray(access)) continue; // public routes take no sign-in, so no break-glass
      for (const caller of access as readonly Role[]) {
        const res = await call(route, caller, 'Route access table: checking break-glass');
        const code = String(res.body?.code ?? '');
        const expected = !(route in BREAK_GLASS)
          ? '400 auth.break-glass-not-available'
          : BREAK_GLASS[route].includes(caller)
            ? 'honoured'
            : '403 auth.break-glass-not-allowed';
        const got =
          code.startsWith('auth.') || res.status === 401 ? `${res.status} ${code}` : 'honoured';
        if (got !== expected) wrong.push(`${route} as ${caller}: ${got}, expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('should never give a commissioner an NHS number, a name or contact details (no break-glass)', async () => {
    const leaks: string[] = [];
    const identifying =
      /"(nhsNumber|nhs_number|givenName|given_name|familyName|family_name|dateOfBirth|addressLines|postcode|contactEmail|contactPhone)"\s*:\s*"[^"]/;
    for (const route of routes.filter(
      (r) =>
        r.startsWith('GET ') &&
        Array.isArray(EXPECTED[r]) &&
        (EXPECTED[r] as readonly Role[]).includes('commissioner'),
    )) {
      const res = await call(route, 'commissioner');
      const text = res.text ?? JSON.stringify(res.body);
      if (identifying.test(text)) {
        leaks.push(`${route}: identifying field ${identifying.exec(text)?.[1]}`);
      }
      for (const person of identities) {
        if (text.includes(person.nhs)) leaks.push(`${route}: an NHS number`);
        if (person.fullName.trim().includes(' ') && text.includes(person.fullName)) {
          leaks.push(`${route}: a child's name`);
        }
      }
    }
    expect([...new Set(leaks)]).toEqual([]);
  }, 60_000);
});
