/**
 * Installs conformance/ (the real Mojaloop software the conformance tests run the kit against) when
 * it is missing or older than its lock file; `npm test` runs this before vitest. Once installed it
 * costs nothing: the hash of the lock file it was installed from is kept in node_modules.
 *
 * A failed install (offline, registry down) does not stop `npm test`: it is written to the marker
 * file that the conformance tests quote when they report themselves skipped, or fail under
 * CONFORMANCE_REQUIRED=1 (CI). `CONFORMANCE_INSTALL=0` skips this step.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const DIR = path.resolve(import.meta.dirname, '../../conformance');
const MODULES = path.join(DIR, 'node_modules');
const STAMP = path.join(MODULES, '.kit-installed-from');
/** Read by test/support/ttk.ts. */
const FAILED = path.join(MODULES, '.ttk-install-failed');

function main(): number {
  if (process.env.CONFORMANCE_INSTALL === '0') {
    console.log('conformance: install skipped (CONFORMANCE_INSTALL=0)');
    return 0;
  }
  const lock = createHash('sha256')
    .update(readFileSync(path.join(DIR, 'package-lock.json')))
    .digest('hex');
  if (existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === lock && !existsSync(FAILED)) return 0;
  console.log(
    'conformance: installing the Mojaloop Testing Toolkit and sdk-standard-components (npm ci --prefix conformance, once; ~1 min, ~450 MB)',
  );
  const r = spawnSync('npm', ['ci', '--prefix', DIR, '--no-audit', '--no-fund', '--loglevel=error'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status === 0) {
    writeFileSync(STAMP, `${lock}\n`);
    rmSync(FAILED, { force: true });
    console.log('conformance: installed');
    return 0;
  }
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`
    .trim()
    .split('\n')
    .slice(-3)
    .join('\n');
  mkdirSync(MODULES, { recursive: true });
  writeFileSync(FAILED, `${tail || `npm ci exited with ${r.status}`}\n`);
  console.log(`conformance: INSTALL FAILED (the conformance tests will say so):\n${tail}`);
  return 0;
}

process.exitCode = main();
