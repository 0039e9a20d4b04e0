/**
 * The bundles under a real k6 (the only proof they load in Sobek): run only when `K6` names a k6
 * binary, reported as skipped otherwise. Each run goes against the simulator in this process (k6
 * is a separate process), with short durations, and is checked through the JSON result file and
 * k6's own `--out json` stream, reconciled against the simulator's ledger transfer by transfer.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import { parseDurationMs } from '../../lib/config/duration.ts';
import { ENV_VARS, parseRunConfig } from '../../lib/config/run-config.ts';
import { bundleOf } from '../../lib/plan/modes.ts';
import { planRun } from '../../lib/plan/run-plan.ts';
import type { RunResult } from '../../lib/summary/result.ts';
import { PRESETS } from '../../planner/manifests/presets.ts';
import { buildTestRun } from '../../planner/manifests/testrun.ts';
import { makePlan } from '../../planner/planner.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import { admin, ledgerOf, ledgerTransfer, startTestSim } from '../support/sim.ts';

const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);
const root = path.resolve(import.meta.dirname, '../..');

if (!haveK6) {
  console.warn(
    'test/scenarios/k6-real.test.ts: SKIPPED — set K6=/path/to/k6 to run the bundles under a real k6',
  );
}

describe.skipIf(!haveK6)('bundles under a real k6 (K6 set)', () => {
  let sim: SimulatorHandle;
  let dir: string;

  beforeAll(async () => {
    sim = await startTestSim();
    dir = mkdtempSync(path.join(tmpdir(), 'mk6-real-'));
    const { bundles, violations } = await bundleEntries(
      ['transfers', 'e2e', 'outbound'].map((n) => path.join(root, 'scenarios', `${n}.ts`)),
      dir,
      false,
    );
    expect(violations).toEqual([]);
    for (const b of bundles) writeFileSync(path.join(dir, `${b.name}.js`), b.code);
  }, 120_000);

  afterAll(async () => {
    await sim?.close();
  });

  function k6run(
    bundle: string,
    env: Record<string, string>,
    extra: string[] = [],
    o: { interruptAfterMs?: number; cwd?: string } = {},
  ) {
    const results = mkdtempSync(path.join(dir, 'results-'));
    const args = ['run', '-q', '--no-color'];
    for (const [k, v] of Object.entries({ HUB_URL: sim.url, RESULTS_DIR: results, ...env }))
      if (v !== '') args.push('-e', `${k}=${v}`);
    args.push(...extra, path.join(dir, `${bundle}.js`));
    // k6 is a child process; the simulator keeps serving from this process's event loop meanwhile.
    return new Promise<{ code: number; out: string; results: string }>((resolve) => {
      import('node:child_process').then(({ spawn }) => {
        // k6 copies the process environment into __ENV: drop the kit's variables (vitest sets MODE=test).
        const inherited = { ...process.env };
        for (const name of ENV_VARS) delete inherited[name];
        // A shell keeps PWD equal to the working directory; spawn() does not.
        if (o.cwd) inherited.PWD = o.cwd;
        const child = spawn(K6!, args, { cwd: o.cwd ?? dir, env: inherited });
        // Ctrl-C: one SIGINT, as a terminal sends it to k6.
        if (o.interruptAfterMs !== undefined) setTimeout(() => child.kill('SIGINT'), o.interruptAfterMs);
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (out += d));
        child.on('exit', (code) => resolve({ code: code ?? -1, out, results }));
      });
    });
  }

  function result(dirName: string, name: string): RunResult {
    return JSON.parse(readFileSync(path.join(dirName, `${name}-result.json`), 'utf8')) as RunResult;
  }

  it('loads every bundle in Sobek (k6 inspect)', () => {
    for (const b of ['transfers', 'e2e', 'outbound']) {
      const env: NodeJS.ProcessEnv = { ...process.env, HUB_URL: sim.url };
      for (const name of ENV_VARS) if (name !== 'HUB_URL') delete env[name];
      const r = spawnSync(K6!, ['inspect', path.join(dir, `${b}.js`)], { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout) as { scenarios: Record<string, { executor: string }> };
      expect(Object.keys(o.scenarios)).toContain(b);
    }
  });

  it.each(PRESETS.map((p) => [p.dir, p] as const))(
    'the %s TestRun and `k6 inspect --execution-requirements` of its bundle agree on VUs and duration',
    (_, preset) => {
      const plan = makePlan(preset.plan);
      const tr = buildTestRun(plan, preset.deploy) as {
        spec: { parallelism: number; runner: { env: Array<{ name: string; value?: string }> } };
      };
      const args = ['inspect', '--execution-requirements'];
      for (const e of tr.spec.runner.env) if (e.value !== undefined) args.push('-e', `${e.name}=${e.value}`);
      args.push(path.join(dir, `${bundleOf(plan.mode)}.js`));
      const env: NodeJS.ProcessEnv = { ...process.env };
      for (const name of ENV_VARS) delete env[name];
      const r = spawnSync(K6!, args, { encoding: 'utf8', env });
      expect(r.status, r.stderr).toBe(0);
      const o = JSON.parse(r.stdout) as { maxVUs: number; totalDuration: string };
      const run = planRun(parseRunConfig(bundleOf(plan.mode), plan.env));
      expect(o.maxVUs, 'maxVUs = load VUs + collectors').toBe(
        plan.vus + (run.collector ? plan.parallelism : 0),
      );
      expect(tr.spec.parallelism).toBe(plan.parallelism);
      expect(parseDurationMs(o.totalDuration)).toBeGreaterThanOrEqual(run.load.lengthMs);
    },
  );

  it.each([
    ['transfers', {}],
    ['transfers', { MODE: 'wait' }],
    ['transfers', { API: 'iso20022' }],
    ['e2e', {}],
    ['outbound', {}],
  ] as const)('%s %j: passes its thresholds and balances', async (bundle, env) => {
    await admin(sim.url, 'POST', '/reset');
    // Generous VU sizing: a busy CI machine must not turn slow first requests into dropped iterations.
    const r = await k6run(bundle, {
      TARGET_TPS: '20',
      DURATION: '3s',
      TIMEOUT_MS: '1500',
      EXPECTED_LATENCY_MS: '2000',
      ...env,
    });
    expect(r.code, r.out).toBe(0);
    const res = result(r.results, bundle);
    expect(res.outcomes.balanced).toBe(true);
    expect(res.outcomes.sent).toBeGreaterThanOrEqual(55);
    expect(res.outcomes.committed).toBe(res.outcomes.sent);
    expect(res.thresholdsOk).toBe(true);
    expect(readFileSync(path.join(r.results, `${bundle}-junit.xml`), 'utf8')).toMatch(/failures="0"/);
    const ledger = await ledgerOf(sim.url);
    expect(ledger.transfers.final.COMMITTED).toBe(res.outcomes.committed);
  });

  it('collect mode under faults: the k6 accounting reconciles with the ledger to the transfer', async () => {
    await admin(sim.url, 'POST', '/reset');
    await admin(sim.url, 'PUT', '/faults', {
      name: 'mixed',
      errors: [
        { code: '4001', rate: 0.1, at: 'hub' },
        { code: '5100', rate: 0.1, at: 'payee' },
        { code: '2003', rate: 0.05, at: 'sync' },
      ],
      callbackLoss: { rate: 0.1, to: 'payer' },
      duplicateCallbacks: { rate: 0.2 },
      seed: 21,
    });
    try {
      const out = path.join(dir, 'points.json');
      const r = await k6run(
        'transfers',
        { TARGET_TPS: '30', DURATION: '4s', TIMEOUT_MS: '1500', EXPECTED_LATENCY_MS: '1000' },
        ['--out', `json=${out}`],
      );
      // Thresholds fail (success < 99 %): k6 exits 99, and the summary still balances.
      expect(r.code, r.out).toBe(99);
      const res = result(r.results, 'transfers');
      const o = res.outcomes;
      expect(o.balanced).toBe(true);
      expect(o.committed + o.rejected + o.timedOut).toBe(o.sent);
      // Per transfer, from k6's own output: ids are metadata on the outcome samples.
      const ids = {
        sent: new Set<string>(),
        committed: new Set<string>(),
        rejected: new Map<string, string>(),
      };
      for (const line of readFileSync(out, 'utf8').split('\n')) {
        if (!line.includes('"Point"')) continue;
        const p = JSON.parse(line) as {
          metric: string;
          data: { tags: Record<string, string>; metadata?: Record<string, string> };
        };
        const id = p.data.metadata?.transfer_id;
        // Metadata sticks to a VU's later samples: HTTP samples must not carry a previous transfer's id.
        if (p.metric.startsWith('http_req')) expect(id, `${p.metric} carries ${id}`).toBeUndefined();
        if (!id) continue;
        if (p.metric === 'ml_transfers_sent') ids.sent.add(id);
        if (p.metric === 'ml_transfers_committed') ids.committed.add(id);
        if (p.metric === 'ml_transfers_rejected')
          ids.rejected.set(id, `${p.data.tags.stage}:${p.data.tags.error_code}`);
      }
      expect(ids.sent.size).toBe(o.sent);
      expect(ids.committed.size).toBe(o.committed);
      expect(ids.rejected.size).toBe(o.rejected);
      for (const id of ids.committed)
        expect((await ledgerTransfer(sim.url, id))?.state, id).toBe('COMMITTED');
      for (const [id, how] of ids.rejected) {
        const hub = await ledgerTransfer(sim.url, id);
        if (how.startsWith('sync:')) expect(hub, id).toBeUndefined();
        else expect(`async:${hub?.errorCode}`, id).toBe(how);
      }
      const ledger = await ledgerOf(sim.url);
      expect(o.timedOut).toBeGreaterThan(0);
      expect(o.timedOut).toBeLessThanOrEqual(ledger.callbacks.lost);
      expect(o.duplicates).toBe(ledger.relay!.totals.duplicates);
      expect(o.rejectedSync).toBe(ledger.transfers.syncRejected['2003'] ?? 0);
    } finally {
      await admin(sim.url, 'PUT', '/faults', { name: 'none' });
    }
  });

  it('derives the runner index from the execution segment (runner 2 of 2) and collects only its partition', async () => {
    await admin(sim.url, 'POST', '/reset');
    const r = await k6run(
      'transfers',
      { TARGET_TPS: '20', DURATION: '3s', TIMEOUT_MS: '1500', PARALLELISM: '2', EXPECTED_LATENCY_MS: '2000' },
      ['--execution-segment', '1/2:1', '--execution-segment-sequence', '0,1/2,1'],
    );
    expect(r.code, r.out).toBe(0);
    const res = JSON.parse(
      readFileSync(path.join(r.results, 'transfers-runner1-result.json'), 'utf8'),
    ) as RunResult;
    expect(res.run.runner).toBe(1);
    expect(res.target.tpsPerRunner).toBe(10);
    expect(res.outcomes.balanced).toBe(true);
    expect(res.outcomes.committed).toBe(res.outcomes.sent);
    const { body: ledger } = await admin<{ relay: { runners: Record<string, { received: number }> } }>(
      sim.url,
      'GET',
      '/ledger',
    );
    const stats = ledger;
    expect(stats.relay.runners['1']!.received).toBe(res.outcomes.sent);
    expect(stats.relay.runners['0']?.received ?? 0).toBe(0);
  });

  it('stopped early (Ctrl-C): teardown drains the relay, and every outcome the hub decided is counted once', async () => {
    await admin(sim.url, 'POST', '/reset');
    // Outcomes take ~600 ms, so a stop leaves some in the relay and some in flight.
    await admin(sim.url, 'PUT', '/faults', { name: 'slow', latency: { payee: { dist: 'fixed', ms: 600 } } });
    try {
      const r = await k6run(
        'transfers',
        { TARGET_TPS: '30', DURATION: '20s', TIMEOUT_MS: '3000', EXPECTED_LATENCY_MS: '1000' },
        [],
        { interruptAfterMs: 4000 },
      );
      expect(r.out).toMatch(/teardown: the run stopped early; drained \d+ outcomes/);
      const o = result(r.results, 'transfers').outcomes;
      const ledger = await ledgerOf(sim.url);
      expect(o.balanced, o.equation).toBe(true);
      expect(o.sent).toBeGreaterThan(30);
      // Everything the hub committed reached the count; what is left is what never reached the hub.
      expect(o.committed).toBe(ledger.transfers.final.COMMITTED);
      expect(o.rejected).toBe(0);
      expect(o.timedOut + o.transportFailed).toBe(o.sent - o.committed);
      expect(o.sent - ledger.transfers.received).toBeLessThanOrEqual(o.timedOut + o.transportFailed);
      expect(o.timedOut + o.transportFailed).toBeLessThan(10);
    } finally {
      await admin(sim.url, 'PUT', '/faults', { name: 'none' });
    }
  });

  it('refuses a RESULTS_DIR that does not exist before any load; RESULTS_DIR=none writes stdout only', async () => {
    await admin(sim.url, 'POST', '/reset');
    const missing = await k6run('transfers', { RESULTS_DIR: path.join(dir, 'no-such-dir') });
    expect(missing.code).not.toBe(0);
    // k6 logs the message with its quotes escaped.
    const plain = (out: string) => out.replaceAll('\\"', '"');
    expect(plain(missing.out)).toMatch(
      /RESULTS_DIR: the directory ".*no-such-dir" does not exist and k6 cannot create it/,
    );
    expect((await ledgerOf(sim.url)).transfers.received).toBe(0);
    // Relative to k6's working directory (PWD), not to the script's.
    const cwd = mkdtempSync(path.join(dir, 'cwd-'));
    const relative = await k6run('transfers', { RESULTS_DIR: 'out', DURATION: '1s', TARGET_TPS: '2' }, [], {
      cwd,
    });
    expect(plain(relative.out)).toMatch(/RESULTS_DIR: the directory "out" \(.*cwd-.*\/out\) does not exist/);
    const none = await k6run(
      'transfers',
      { RESULTS_DIR: 'none', DURATION: '2s', TARGET_TPS: '2', TIMEOUT_MS: '1000' },
      [],
      {
        cwd,
      },
    );
    expect(none.code, none.out).toBe(0);
    expect(none.out).toContain('results: RESULTS_DIR=none: no result files written');
    expect(none.out).not.toMatch(/failed to handle the end-of-test summary/);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('exits non-zero in init, before any load, on an invalid config', async () => {
    await admin(sim.url, 'POST', '/reset');
    const r = await k6run('transfers', { PROFILE: 'stress', PARALLELISM: '0' });
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/invalid configuration \(2 problems\)/);
    expect(r.out).toMatch(/PROFILE: expected one of .*smoke.*load.*ramp.*soak.*breakpoint/);
    expect(r.out).toMatch(/PARALLELISM: expected an integer from 1 to 1024/);
    expect((await ledgerOf(sim.url)).transfers.received).toBe(0);
  });
});
