/**
 * The transfers bundle under a real k6 against the Mojaloop Testing Toolkit (TTK) as the hub, with
 * the kit's simulator as the DFSP side (payer DFSP + callback relay, payee DFSP) beside it: the
 * smoke profile at a low rate for a few seconds, and the result JSON must balance with every
 * transfer committed — and agree with TTK's own callback history.
 *
 * Runs only when `K6` names a k6 binary and TTK is installed (conformance/); skipped otherwise. The
 * bundle is built into a temporary directory, as test/scenarios/k6-real.test.ts does, so it is
 * never a stale dist/.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import { ENV_VARS } from '../../lib/config/run-config.ts';
import type { RunResult } from '../../lib/summary/result.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { REPO_ROOT, startTtk, type Ttk, ttkSkipReason } from '../support/ttk.ts';
import { CONFORMANCE_APIS, tally, ttkView } from '../support/ttk-kit.ts';
import { harnessCallbackRules } from '../support/ttk-rules.ts';

const FILE = 'test/conformance/ttk-k6.test.ts';
const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);
const skip = ttkSkipReason() ?? (haveK6 ? undefined : 'set K6=/path/to/k6 to run the bundle under a real k6');
if (skip) console.warn(`${FILE}: SKIPPED — ${skip}`);

describe.skipIf(!!skip)('the transfers bundle under k6 against the Testing Toolkit as the hub', () => {
  let ttk: Ttk;
  let sim: SimulatorHandle;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ttk-k6-'));
    const [t, built] = await Promise.all([
      startTtk({
        userConfig: {
          FSPID: 'payeefsp',
          TRANSFERS_VALIDATION_ILP_PACKET: true,
          TRANSFERS_VALIDATION_CONDITION: true,
        },
      }),
      bundleEntries([path.join(REPO_ROOT, 'scenarios', 'transfers.ts')], dir, false),
    ]);
    ttk = t;
    // The bundle rules (size budget, imports) are test/build's to enforce; here the bundle only has to run.
    if (built.violations.length > 0)
      console.warn(`${FILE}: bundle check: ${JSON.stringify(built.violations)}`);
    expect(built.bundles.map((b) => b.name)).toEqual(['transfers']);
    for (const b of built.bundles) writeFileSync(path.join(dir, `${b.name}.js`), b.code);
    sim = await startSimulator({
      host: '127.0.0.1',
      shape: 'separate',
      services: ['payer', 'payee'],
      hubUrl: ttk.fspiopUrl,
      payerPort: 0,
      payeePort: 0,
      log: () => {},
    });
    await ttk.config({ CALLBACK_ENDPOINT: `${sim.urls.payer}/dfsp/payerfsp` });
    await ttk.setRules('callback', harnessCallbackRules(await ttk.rules('callback')));
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
    await ttk?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function k6run(env: Record<string, string>): Promise<{ code: number; out: string; results: string }> {
    const results = mkdtempSync(path.join(dir, 'results-'));
    const args = ['run', '-q', '--no-color'];
    for (const [k, v] of Object.entries({ RESULTS_DIR: results, ...env })) args.push('-e', `${k}=${v}`);
    args.push(path.join(dir, 'transfers.js'));
    // k6 copies the process environment into __ENV: drop the kit's variables (vitest sets MODE=test).
    const inherited = { ...process.env };
    for (const name of ENV_VARS) delete inherited[name];
    return new Promise((resolve) => {
      const child = spawn(K6!, args, { cwd: dir, env: inherited });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => resolve({ code: code ?? -1, out, results }));
    });
  }

  it.each([CONFORMANCE_APIS[1]!, CONFORMANCE_APIS[3]!])(
    '%s, smoke profile: the result balances with every transfer committed, as TTK decided',
    async (_name, api) => {
      await ttk.clearHistory();
      const r = await k6run({
        HUB_URL: ttk.fspiopUrl,
        RELAY_URL: sim.relayUrl!,
        PROFILE: 'smoke',
        TARGET_TPS: '3',
        DURATION: '3s',
        TIMEOUT_MS: '2000',
        ...(api as Record<string, string>),
      });
      const file = path.join(r.results, 'transfers-result.json');
      expect(existsSync(file), r.out).toBe(true);
      const res = JSON.parse(readFileSync(file, 'utf8')) as RunResult;
      const o = res.outcomes;
      expect.soft(o.sent, 'k6 sent transfers').toBeGreaterThanOrEqual(6);
      expect
        .soft(
          { balanced: o.balanced, timedOut: o.timedOut },
          `the result balances, nothing timed out (${o.equation})`,
        )
        .toEqual({ balanced: true, timedOut: 0 });
      expect
        .soft(
          { committed: o.committed, rejected: o.rejected, rejectedByCode: o.rejectedByCode },
          'every transfer committed',
        )
        .toEqual({ committed: o.sent, rejected: 0, rejectedByCode: {} });
      // TTK's history: one decision per transfer it received, every one COMMITTED, as many as k6 counted.
      const history = await ttk.history();
      const ids = [
        ...new Set(
          history.map((c) => /^\/transfers\/([^/]+)/.exec(c.path)?.[1]).filter((x) => x !== undefined),
        ),
      ];
      expect
        .soft(tally(ttkView(ids, history, () => undefined).decided.values()), 'TTK committed what k6 counted')
        .toEqual({
          COMMITTED: o.committed,
        });
      expect.soft(r.code, r.out.slice(-3000)).toBe(0);
    },
    120_000,
  );
});
