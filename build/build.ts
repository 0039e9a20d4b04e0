/**
 * `npm run build`: bundles every scenarios/*.ts into dist/<name>.js for stock k6, runs the bundle
 * check, prints each bundle's size, and exits non-zero on any violation.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleEntries, findEntries } from './bundle.ts';
import { MAX_BUNDLE_BYTES } from './bundle-check.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<number> {
  const entries = await findEntries(path.join(root, 'scenarios'));
  if (entries.length === 0) {
    console.error('build: no scenarios/*.ts entry points found');
    return 1;
  }
  const { bundles, violations } = await bundleEntries(entries, path.join(root, 'dist'));
  for (const b of bundles) {
    const kib = (b.bytes / 1024).toFixed(1);
    const share = ((100 * b.bytes) / MAX_BUNDLE_BYTES).toFixed(0);
    console.log(`  dist/${b.name}.js  ${kib.padStart(7)} KiB  (${share}% of budget)`);
  }
  if (violations.length > 0) {
    console.error(`bundle check failed (${violations.length}):`);
    for (const v of violations) console.error(`  ${v.bundle}: [${v.rule}] ${v.detail}`);
    return 1;
  }
  console.log(`bundle check passed: ${bundles.length} bundle(s), only k6 modules external`);
  return 0;
}

process.exitCode = await main();
