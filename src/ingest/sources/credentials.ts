import { IngestError } from '../ingest.errors.js';
import type { SourceAuthConfig } from './source-config.js';

/**
 * Builds the Authorization header for a source from the environment variables its configuration
 * names. Read at pull time (not at boot), so a rotated token is picked up by the next pull of a
 * restarted process and a missing secret fails only that source, with a clear message.
 * The one place outside config/ that reads the environment: the names are data (sources.yaml).
 */
export function authorizationHeader(
  auth: SourceAuthConfig | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (!auth) return undefined;
  const read = (name: string) => {
    const v = env[name];
    if (!v) throw IngestError.missingCredential(name);
    return v;
  };
  if (auth.bearerTokenEnv) return `Bearer ${read(auth.bearerTokenEnv)}`;
  if (auth.basicUserEnv && auth.basicPasswordEnv) {
    return `Basic ${Buffer.from(`${read(auth.basicUserEnv)}:${read(auth.basicPasswordEnv)}`).toString('base64')}`;
  }
  return undefined;
}

/** A URL safe to show and log: no credentials, no query string (it may carry a token or a search). */
export function displayLocation(location: string): string {
  try {
    const u = new URL(location);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return location;
  }
}
