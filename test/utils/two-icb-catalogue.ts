import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { CatalogueConfig } from '../../src/config/catalogue.schema.js';

/** The provider a second ICB (QAA) commissions, beside the default catalogue's QZZ providers. */
export const OTHER_ICB_PROVIDER = 'RQQ';

/**
 * The default catalogue with a second ICB (QAA) and its provider (OTHER_ICB_PROVIDER), written to
 * a folder of its own: `file` for WAITWELL_CATALOGUE_FILE, `dir` to remove after the tests.
 */
export function twoIcbCatalogue(prefix: string): { dir: string; file: string } {
  const catalogue = parse(
    readFileSync(new URL('../../config/catalogue.yaml', import.meta.url), 'utf8'),
  ) as CatalogueConfig;
  catalogue.providers.push({
    code: OTHER_ICB_PROVIDER,
    name: 'Westshire Community Health NHS Trust',
    commissioner: 'QAA',
  });
  catalogue.commissioners.push({ code: 'QAA', name: 'Second Demo Integrated Care Board' });
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'catalogue.yaml');
  writeFileSync(file, stringify(catalogue));
  return { dir, file };
}
