/**
 * `npm start` (cli/start.ts): argument parsing, the message when k6 is missing (no k6 needed), and,
 * when `K6` names a binary, the whole one-command run against the embedded simulator.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findK6, K6_INSTALL_URL } from '../../cli/k6-binary.ts';
import { k6Arguments } from '../../cli/start.ts';
import { parseStartArgs } from '../../cli/start-args.ts';

const root = path.resolve(import.meta.dirname, '../..');
const tsx = createRequire(import.meta.url).resolve('tsx');
const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);

function start(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, ['--import', tsx, path.join(root, 'cli/start.ts'), ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 240_000,
  });
}

describe('npm start arguments', () => {
  it.each([
    [[], { profile: 'smoke', scenario: 'transfers', mode: undefined, build: true, passthrough: [] }],
    [['--profile', 'load', '--scenario=e2e'], { profile: 'load', scenario: 'e2e' }],
    [
      ['--mode', 'wait', '--no-build', '--', '-e', 'TARGET_TPS=20'],
      { mode: 'wait', build: false, passthrough: ['-e', 'TARGET_TPS=20'] },
    ],
  ] as const)('%j', (argv, expected) => {
    const r = parseStartArgs(argv);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.args).toMatchObject(expected);
  });

  it.each([
    [['--profile', 'stress'], /--profile: expected one of smoke, load, ramp, soak, breakpoint/],
    [['--scenario', 'x'], /--scenario: expected one of transfers, e2e, outbound/],
    [['--mode', 'wait', '--scenario', 'e2e'], /--mode applies to the transfers scenario only/],
    [['--', '--vus', '10'], /--vus would replace the kit's scenarios/],
    [['--', '-d=10s'], /-d=10s would replace/],
    [['--bogus'], /unknown flag --bogus/],
  ] as const)('refuses %j', (argv, message) => {
    const r = parseStartArgs(argv);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it('hands k6 the simulator URL, the profile and the results dir, and never --vus/--duration', () => {
    const p = parseStartArgs(['--profile', 'load', '--', '-e', 'DURATION=10s']);
    if (!p.ok) throw new Error(p.error);
    expect(k6Arguments(p.args, 'http://127.0.0.1:5555', 'results')).toEqual([
      'run',
      '-e',
      'PROFILE=load',
      '-e',
      'HUB_URL=http://127.0.0.1:5555',
      '-e',
      'RESULTS_DIR=results',
      '-e',
      'DURATION=10s',
      path.join('dist', 'transfers.js'),
    ]);
  });
});

describe('without k6', () => {
  it('says how to install k6, that it is never bundled (AGPL), and exits non-zero', () => {
    for (const env of [
      { ...process.env, K6: '/nonexistent/k6' },
      { ...process.env, K6: '', PATH: mkdtempSync(path.join(tmpdir(), 'empty-path-')) },
    ]) {
      const r = start([], env);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(K6_INSTALL_URL);
      expect(r.stderr).toMatch(/AGPL/);
      expect(r.stderr).toMatch(/never bundles, downloads or\s+builds k6/);
    }
    expect(findK6({ K6: '/nonexistent/k6' })).toMatchObject({ ok: false });
  });
});

describe.skipIf(!haveK6)('npm start with a real k6 (K6 set)', () => {
  it('builds, runs the smoke profile against the embedded simulator, stops it and reports the results', () => {
    const results = mkdtempSync(path.join(tmpdir(), 'mk6-start-'));
    const env: NodeJS.ProcessEnv = { ...process.env, K6, RESULTS_DIR: results };
    delete env.MODE; // vitest sets MODE=test, and k6 reads the environment into __ENV
    const r = start(['--', '-e', 'DURATION=3s', '-e', 'TIMEOUT_MS=1000'], env);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/start: simulator listening on http:\/\/127\.0\.0\.1:\d+/);
    expect(r.stdout).toMatch(/start: simulator stopped/);
    expect(r.stdout).toContain(`results in ${path.join(results, 'transfers')}-result.json`);
    const res = JSON.parse(readFileSync(path.join(results, 'transfers-result.json'), 'utf8'));
    expect(res.outcomes.balanced).toBe(true);
    expect(res.outcomes.committed).toBe(res.outcomes.sent);
  });
});

if (!haveK6)
  console.warn('test/cli/start.test.ts: the real-k6 run is SKIPPED — set K6=/path/to/k6 to run it');
