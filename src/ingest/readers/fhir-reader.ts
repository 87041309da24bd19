import { IngestError } from '../ingest.errors.js';
import { fieldsFingerprint } from '../mapping/fingerprint.js';
import {
  mapServiceRequest,
  type FhirPatient,
  type FhirServiceRequest,
} from '../mapping/fhir-mapper.js';
import { authorizationHeader, displayLocation } from '../sources/credentials.js';
import { FhirConfig, type ResolvedSource } from '../sources/source-config.js';
import { httpGet } from './http-fetch.js';
import type { SourceItem } from './source-item.js';

interface Bundle {
  resourceType: 'Bundle';
  type?: string;
  link?: Array<{ relation?: string; url?: string }>;
  entry?: Array<{ fullUrl?: string; resource?: { resourceType?: string; id?: string } }>;
}

/** Hard stop against a server whose next links loop or never end. */
const MAX_PAGES = 100_000;

/**
 * Searches ServiceRequest on a FHIR R4 server with the subject Patient included, following
 * Bundle.link[next] page by page (one page in memory at a time). Next links are followed as given
 * but only on the configured server, so the bearer token is never sent elsewhere. Yields the
 * ServiceRequests of one page at a time.
 */
export async function* readFhirItems(
  source: ResolvedSource,
  onPage?: (page: number) => void,
  stop?: AbortSignal,
): AsyncGenerator<SourceItem[]> {
  const cfg = Object.assign(new FhirConfig(), source.fhir ?? {});
  const auth = authorizationHeader(source.auth);
  const base = source.location.replace(/\/+$/, '');
  const first = new URL(`${base}/ServiceRequest`);
  first.searchParams.set('_include', 'ServiceRequest:subject');
  first.searchParams.set('_count', String(cfg.pageSize));
  for (const [k, v] of Object.entries(cfg.search)) first.searchParams.set(k, String(v));
  const origin = new URL(base).origin;
  const seen = new Set<string>();
  let url: string | undefined = first.toString();
  let position = 0;
  let page = 0;
  while (url) {
    if (seen.has(url) || page >= (cfg.maxPages ?? MAX_PAGES)) {
      throw IngestError.badFhir('the next links go round in a loop or never end');
    }
    seen.add(url);
    page++;
    const bundle = await fetchBundle(url, source, auth, stop);
    onPage?.(page);
    const patients = new Map<string, FhirPatient>();
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType !== 'Patient') continue;
      const p = e.resource as FhirPatient;
      if (p.id) patients.set(`Patient/${p.id}`, p);
      if (e.fullUrl) patients.set(e.fullUrl, p);
    }
    const items: SourceItem[] = [];
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType !== 'ServiceRequest') continue;
      position++;
      const sr = e.resource as FhirServiceRequest;
      const ref = sr.subject?.reference;
      const patient = ref ? (patients.get(ref) ?? patients.get(`${base}/${ref}`)) : undefined;
      const mapped = mapServiceRequest(sr, patient, cfg);
      if (!mapped) continue;
      items.push({
        rowNumber: position,
        referralId: mapped.fields.referralId?.trim() || null,
        fingerprint: fieldsFingerprint(mapped.fields),
        wellFormed: mapped.problems.length === 0,
        read: () => mapped,
        raw: () => ({ serviceRequest: sr, patient: patient ?? null }),
      });
    }
    if (items.length > 0) yield items;
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (next && new URL(next, base).origin !== origin) {
      throw IngestError.badFhir('a next link points to another server');
    }
    url = next ? new URL(next, base).toString() : undefined;
  }
}

async function fetchBundle(
  url: string,
  source: ResolvedSource,
  auth: string | undefined,
  stop?: AbortSignal,
): Promise<Bundle> {
  const display = displayLocation(source.location);
  const answer = await httpGet(url, {
    headers: {
      accept: 'application/fhir+json, application/json;q=0.9',
      ...(auth ? { authorization: auth } : {}),
    },
    timeoutMs: source.timeoutMs,
    retries: source.retries,
    retryBaseMs: source.retryBaseMs,
    display,
    stop,
  });
  let body: unknown;
  try {
    body = await answer.response.json();
  } catch (error) {
    if (stop?.aborted) throw IngestError.stopping();
    if ((error as Error).name === 'AbortError') {
      throw IngestError.timeout(display, source.timeoutMs);
    }
    throw IngestError.badFhir('a page is not JSON');
  } finally {
    answer.done();
  }
  const bundle = body as Bundle;
  const kind = (body as { resourceType?: unknown } | null)?.resourceType;
  if (kind !== 'Bundle') {
    throw IngestError.badFhir(
      `a page is ${typeof kind === 'string' ? `a ${kind}` : 'not a FHIR resource'}, not a Bundle`,
    );
  }
  return bundle;
}
