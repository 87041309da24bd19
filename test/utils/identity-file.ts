import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

/** Writes an identity file (config/identity.yaml layout) for one test app; pass its path as WAITWELL_IDENTITY_FILE. */
export function writeIdentityFile(content: Record<string, unknown>): string {
  const file = join(mkdtempSync(join(tmpdir(), 'waitwell-identity-')), 'identity.yaml');
  writeFileSync(file, stringify(content));
  return file;
}
