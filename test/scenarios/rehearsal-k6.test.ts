/**
 * Live rehearsal on a REAL k6 (only when env K6 names a k6 binary; reported as skipped otherwise):
 * the bundled transfers scenario (dist/transfers.js, rebuilt into a temporary directory when dist/
 * is missing or older than its sources) runs against the simulator's fault profiles, and the
 * verdict k6 writes into `results/transfers-result.json` must name the culprit:
 *
 * - a GC-like sawtooth on the hub legs -> HUB-DEGRADING (sawtooth), period near the injected one;
 * - a queue build-up (prepare served at 25/s, arrivals 40/s) -> HUB-SATURATED (throughput): the
 *   completions plateau at the service rate while the generator keeps up (sim/README.md `queue`,
 *   docs/detectors.md "a queue filling up -> HUB-SATURATED");
 * - a slow payee (lognormal p50 800 ms, p99 2.5 s) -> HUB-SATURATED (latency);
 * - wait mode with too few VUs for the hub's (healthy, 100 ms) latency, given with VUS=1 while the
 *   plan's EXPECTED_LATENCY_MS is the real one -> GENERATOR-BOUND (vus);
 * - every POST refused synchronously with 3100 -> REJECTED, named by code, description and share;
 * - a slow hub: its answers hold a VU ~2 s (wait mode) where the pool was sized for
 *   EXPECTED_LATENCY_MS=100 (8 VUs at 40/s) -> HUB-SATURATED (latency), the observed hold against
 *   the planned one, although the pool ran dry;
 * - a CPU-starved k6: this test takes the k6 process's CPU away in irregular slices (SIGSTOP for
 *   80-250 ms after each 80-250 ms of SIGCONT, as a CPU quota or a busy node would) while the
 *   simulator answers fast and 20 VUs stand idle -> GENERATOR-BOUND (cpu).
 *
 * The last three also write `--out json`, which the post-run analyzer must judge the same way
 * (given the target and the latency the pool was sized for, as `--run-config` gives them).
 *
 * Nothing is compressed here: k6 runs the detectors with their shipped defaults (collect mode's
 * collector VU sees its runner's whole stream in 0.5 s buckets, so a 6 s sawtooth is visible after
 * three periods). The seven runs go in parallel (40 TPS each, one simulator each in this process),
 * about 75 s in all. Never runs in CI (no k6 there).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/index.ts';
import type { AnalysisReport } from '../../analyzer/model/types.ts';
import { bundleEntries } from '../../build/bundle.ts';
import { ENV_VARS } from '../../lib/config/run-config.ts';
import type { FaultProfile } from '../../sim/runtime/faults.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';

const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);
const ROOT = path.resolve(import.meta.dirname, '../..');

if (!haveK6) {
  console.warn(
    'test/scenarios/rehearsal-k6.test.ts: SKIPPED — set K6=/path/to/k6 to rehearse the verdict on a real k6',
  );
}

/** The verdict as the result JSON carries it (lib/verdict/format.ts verdictJson). */
interface VerdictJson {
  status: string;
  summary: string;
  cause?: string;
  evidence: string[];
  advice: string[];
  invariant: { ok?: boolean; failures: string[] };
  signals: {
    durationS?: number;
    generator: {
      iterations: number;
      dropped: number;
      dropRatio?: number;
      starvedRate?: number;
      cpuStarvedRate?: number;
      headroomMin?: number;
      iterationMedMs?: number;
      lagP95Ms?: number;
    };
    hub: {
      driftingRate?: number;
      sawtoothRate?: number;
      driftLastMsPerMin?: number;
      sawtoothPeriodS?: number;
      sawtoothAmplitudeMs?: number;
    };
    transfers: {
      sent: number;
      committed: number;
      rejected: number;
      rejectedSync: number;
      e2eP99Ms?: number;
      successRate?: number;
    };
  };
}

interface Rehearsal {
  name: string;
  faults: FaultProfile;
  env: Record<string, string>;
  /** take k6's CPU away: SIGSTOP for `stopMs`, then SIGCONT for `runMs` (each uniform in its range) */
  throttle?: { runMs: [number, number]; stopMs: [number, number] };
  /** also write `--out json` and analyze it with this EXPECTED_LATENCY_MS */
  analyzeWith?: { expectedLatencyMs: number };
}

const SAWTOOTH_PERIOD_S = 6;
const TPS = 40;

const REHEARSALS: Rehearsal[] = [
  {
    name: 'gc sawtooth',
    faults: { name: 'sawtooth-6s', sawtooth: { periodMs: SAWTOOTH_PERIOD_S * 1000, peakMs: 250 } },
    env: { MODE: 'collect', DURATION: '60s', TIMEOUT_MS: '5000', EXPECTED_LATENCY_MS: '200' },
  },
  {
    name: 'queue build-up',
    faults: { name: 'queue-25', queue: { ratePerSec: 25 } },
    env: { MODE: 'collect', DURATION: '40s', TIMEOUT_MS: '5000', EXPECTED_LATENCY_MS: '200' },
  },
  {
    name: 'slow payee',
    faults: {
      name: 'slow-payee',
      slowPayee: { fspId: 'payeefsp', latency: { dist: 'lognormal', p50Ms: 800, p99Ms: 2500 } },
    },
    env: { MODE: 'collect', DURATION: '40s', TIMEOUT_MS: '10000', EXPECTED_LATENCY_MS: '200' },
  },
  {
    name: 'starved generator (too few VUs)',
    faults: { name: 'fixed-100ms', latency: { payee: { dist: 'fixed', ms: 100 } } },
    // One VU for a ~100 ms hold carries about 1/4 of the rate. The plan knows the hold
    // (EXPECTED_LATENCY_MS=100): the pool is short, the hub is not slow. (A plan of 5 ms for a
    // 100 ms hub would blame the hub's latency: docs/verdicts.md.)
    env: { MODE: 'wait', DURATION: '40s', TIMEOUT_MS: '5000', EXPECTED_LATENCY_MS: '100', VUS: '1' },
  },
  {
    name: 'rejected (synchronous 3100)',
    faults: { name: 'sync-3100', errors: [{ code: '3100', rate: 1, at: 'sync' }] },
    env: { MODE: 'collect', DURATION: '15s', TIMEOUT_MS: '5000', EXPECTED_LATENCY_MS: '50' },
    analyzeWith: { expectedLatencyMs: 50 },
  },
  {
    name: 'slow hub holds the VUs',
    faults: { name: 'slow-prepare', latency: { prepare: { dist: 'lognormal', p50Ms: 1800, p99Ms: 2600 } } },
    // ceil(40/s x 100 ms x 2) = 8 VUs; each held ~2 s carries 4/s
    env: { MODE: 'wait', DURATION: '20s', TIMEOUT_MS: '8000', EXPECTED_LATENCY_MS: '100' },
    analyzeWith: { expectedLatencyMs: 100 },
  },
  {
    name: 'CPU-starved k6 (throttled)',
    faults: { name: 'none' },
    env: { MODE: 'collect', DURATION: '30s', TIMEOUT_MS: '5000', VUS: '20', EXPECTED_LATENCY_MS: '50' },
    throttle: { runMs: [80, 250], stopMs: [80, 250] },
    analyzeWith: { expectedLatencyMs: 50 },
  },
];

/** A k6 run may take load + graceful stop + setup/teardown; anything beyond this is a hang. */
const RUN_TIMEOUT_MS = 150_000;

interface Outcome {
  code: number | null;
  out: string;
  verdict: VerdictJson | undefined;
  seconds: number;
  hubCommitted?: number;
  /** the k6 --out json file, when written */
  json?: string;
  report?: AnalysisReport;
}

const outcomes = new Map<string, Outcome>();
const sims: SimulatorHandle[] = [];
let work = '';

/** Newest modification time (ms) of the .ts files under the bundle's source folders. */
function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['lib', 'scenarios', 'thresholds']) walk(path.join(ROOT, d));
  return newest;
}

/**
 * dist/transfers.js when it is newer than every source; else a fresh bundle through build/bundle.ts
 * in the temporary directory (dist/ is left to `npm run build`).
 */
async function transfersBundle(): Promise<string> {
  const dist = path.join(ROOT, 'dist', 'transfers.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newestSourceMs()) {
    console.log(`rehearsal-k6: using ${dist}`);
    return dist;
  }
  console.log(
    'rehearsal-k6: dist/transfers.js missing or older than lib/, scenarios/, thresholds/: bundling',
  );
  const { bundles, violations } = await bundleEntries(
    [path.join(ROOT, 'scenarios', 'transfers.ts')],
    work,
    false,
  );
  expect(violations).toEqual([]);
  const file = path.join(work, 'transfers.js');
  writeFileSync(file, bundles[0]!.code);
  return file;
}

/** SIGSTOP / SIGCONT slices on a child (its CPU taken away); returns the stop function (leaves it running). */
function throttle(child: ChildProcess, t: NonNullable<Rehearsal['throttle']>): () => void {
  const pick = ([a, b]: [number, number]) => a + (b - a) * Math.random();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const flip = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    stopped = !stopped;
    child.kill(stopped ? 'SIGSTOP' : 'SIGCONT');
    timer = setTimeout(flip, pick(stopped ? t.stopMs : t.runMs));
  };
  timer = setTimeout(flip, pick(t.runMs));
  return () => {
    clearTimeout(timer);
    if (stopped && child.exitCode === null) child.kill('SIGCONT');
  };
}

function runK6(
  bundle: string,
  hubUrl: string,
  env: Record<string, string>,
  slices?: Rehearsal['throttle'],
  outJson = false,
): Promise<Outcome> {
  const results = mkdtempSync(path.join(work, 'results-'));
  const args = ['run', '-q', '--no-color'];
  const json = path.join(results, 'k6.json');
  if (outJson) args.push('--out', `json=${json}`);
  const vars = { HUB_URL: hubUrl, RESULTS_DIR: results, PROFILE: 'load', TARGET_TPS: String(TPS), ...env };
  for (const [k, v] of Object.entries(vars)) args.push('-e', `${k}=${v}`);
  args.push(bundle);
  // k6 copies the calling environment into __ENV: drop the kit's variables (vitest sets MODE=test).
  const inherited = { ...process.env };
  for (const name of ENV_VARS) delete inherited[name];
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(K6!, args, { cwd: work, env: inherited });
    const unthrottle = slices ? throttle(child, slices) : () => {};
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => {
      unthrottle();
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('exit', (code) => {
      unthrottle();
      clearTimeout(timer);
      const file = path.join(results, 'transfers-result.json');
      const verdict = existsSync(file)
        ? (JSON.parse(readFileSync(file, 'utf8')) as { verdict?: VerdictJson }).verdict
        : undefined;
      resolve({
        code,
        out,
        verdict,
        seconds: (Date.now() - t0) / 1000,
        ...(outJson && existsSync(json) ? { json } : {}),
      });
    });
  });
}

const show = (name: string): string => {
  const o = outcomes.get(name);
  if (!o) return `${name}: no run`;
  const v = o.verdict;
  if (!v) return `${name}: k6 exit ${o.code}, no verdict in the result JSON\n${o.out.slice(-2000)}`;
  const a = o.report?.verdict;
  return [
    `${name} (k6 exit ${o.code}, ${o.seconds.toFixed(0)} s): ${v.status}/${v.cause ?? '-'} — ${v.summary} [hub ledger: ${o.hubCommitted} committed]`,
  ]
    .concat(v.evidence.map((e) => `  - ${e}`))
    .concat(
      a
        ? [
            `  analyzer: ${a.status}, culprit ${a.culprit} — ${a.headline}`,
            ...a.evidence.map((e) => `    - ${e}`),
          ]
        : [],
    )
    .join('\n');
};

/** The analyzer's verdict on a run's --out json must agree with the in-run one. */
function expectAnalyzer(name: string, status: string, culprit: string, evidence: RegExp[]): void {
  const a = outcomes.get(name)?.report?.verdict;
  expect(a?.status, show(name)).toBe(status);
  expect(a?.culprit, show(name)).toBe(culprit);
  for (const re of evidence) expect(a!.evidence.join('\n'), show(name)).toMatch(re);
}

describe.skipIf(!haveK6)('verdict rehearsal on a real k6 (K6 set)', () => {
  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mk6-rehearsal-'));
    const bundle = await transfersBundle();
    await Promise.all(
      REHEARSALS.map(async (r, i) => {
        const sim = await startSimulator({ host: '127.0.0.1', port: 0, log: () => {}, faults: r.faults });
        sims[i] = sim;
        const o = await runK6(bundle, sim.url, r.env, r.throttle, r.analyzeWith !== undefined);
        if (o.json && r.analyzeWith)
          o.report = await analyze([o.json], {
            targetTps: TPS,
            expectedLatencyMs: r.analyzeWith.expectedLatencyMs,
          });
        // what the hub itself committed (late commits count as timeouts on the k6 side)
        const ledger = (await (await fetch(`${sim.url}/admin/ledger`)).json()) as {
          transfers: { final: { COMMITTED: number } };
        };
        outcomes.set(r.name, { ...o, hubCommitted: ledger.transfers.final.COMMITTED });
      }),
    );
  }, RUN_TIMEOUT_MS + 60_000);

  afterAll(async () => {
    await Promise.all(sims.map((s) => s?.close()));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('every run wrote a verdict (printed here), and k6 failed its thresholds (exit 99)', () => {
    for (const r of REHEARSALS) {
      console.log(show(r.name));
      expect(outcomes.get(r.name)?.verdict, show(r.name)).toBeDefined();
      // each profile is a failure: the detector and invariant thresholds turn it into k6's exit 99
      expect(outcomes.get(r.name)?.code, show(r.name)).toBe(99);
    }
  });

  it('a GC-like sawtooth is HUB-DEGRADING (sawtooth) with a period near the injected one', () => {
    const v = outcomes.get('gc sawtooth')?.verdict;
    expect(v?.status, show('gc sawtooth')).toBe('HUB-DEGRADING');
    expect(v?.cause, show('gc sawtooth')).toBe('sawtooth');
    const period = v!.signals.hub.sawtoothPeriodS!;
    expect(Math.abs(period / SAWTOOTH_PERIOD_S - 1), show('gc sawtooth')).toBeLessThan(0.25);
    // two hub legs of 0..250 ms: an end-to-end rise of up to ~500 ms per cycle
    expect(v!.signals.hub.sawtoothAmplitudeMs).toBeGreaterThan(100);
    expect(v!.signals.generator.dropped).toBe(0);
  });

  it('a queue building up (service rate below the arrival rate) is HUB-SATURATED on throughput', () => {
    const v = outcomes.get('queue build-up')?.verdict;
    expect(v?.status, show('queue build-up')).toBe('HUB-SATURATED');
    expect(v?.cause, show('queue build-up')).toBe('throughput');
    // the generator kept sending at the target; the hub completed at most its service rate
    expect(v!.signals.generator.dropped).toBe(0);
    const committedPerS = v!.signals.transfers.committed / v!.signals.durationS!;
    expect(committedPerS).toBeLessThanOrEqual(25 * 1.05);
    expect(committedPerS).toBeLessThan(0.95 * TPS);
  });

  it('a slow payee breaks the latency invariant: HUB-SATURATED on latency', () => {
    const v = outcomes.get('slow payee')?.verdict;
    expect(v?.status, show('slow payee')).toBe('HUB-SATURATED');
    expect(v?.cause, show('slow payee')).toBe('latency');
    expect(v!.invariant.ok).toBe(false);
    expect(v!.signals.transfers.e2eP99Ms).toBeGreaterThanOrEqual(1000);
  });

  it('too few VUs is GENERATOR-BOUND on VUs, with advice naming a pool size', () => {
    const name = 'starved generator (too few VUs)';
    const v = outcomes.get(name)?.verdict;
    expect(v?.status, show(name)).toBe('GENERATOR-BOUND');
    expect(v?.cause, show(name)).toBe('vus');
    expect(v!.signals.generator.dropRatio!).toBeGreaterThan(0.3);
    expect(v!.signals.generator.headroomMin).toBeLessThanOrEqual(0.02);
    expect(v!.invariant.ok).toBe(true);
    expect(v!.advice.join(' ')).toMatch(/maxVUs = preAllocatedVUs to at least \d+ per runner/);
  });

  it('a hub refusing every transfer synchronously is REJECTED, named by code, description and share', () => {
    const name = 'rejected (synchronous 3100)';
    const v = outcomes.get(name)?.verdict;
    expect(v?.status, show(name)).toBe('REJECTED');
    expect(v?.cause, show(name)).toBe('rejections');
    expect(v!.summary).toMatch(
      /^100\.0% of the transfers were rejected, most with 3100 Generic validation error$/,
    );
    const t = v!.signals.transfers;
    expect(t.rejected).toBe(t.sent);
    expect(t.rejectedSync).toBe(t.sent);
    expect(t.committed).toBe(0);
    const evidence = v!.evidence.join('\n');
    expect(evidence).toMatch(
      /(\d+) of \1 transfers rejected \(100\.0%; \1 synchronously\): 3100 Generic validation error ×\1/,
    );
    expect(evidence).toMatch(/×\d+ 3100: Generic validation error - injected fault/);
    // refused fast: the generator kept up (a stray drop on a busy machine is not starvation)
    expect(v!.signals.generator.dropRatio ?? 0).toBeLessThan(0.01);
    expectAnalyzer(name, 'REJECTED', 'hub', [
      /transfers rejected \(100\.00%\): 3100 Generic validation error ×\d+/,
      /×\d+ in the whole run: 3100: Generic validation error - injected fault/,
    ]);
  });

  it('a slow hub that holds the VUs until the pool runs dry is HUB-SATURATED (latency), not the generator', () => {
    const name = 'slow hub holds the VUs';
    const v = outcomes.get(name)?.verdict;
    expect(v?.status, show(name)).toBe('HUB-SATURATED');
    expect(v?.cause, show(name)).toBe('latency');
    expect(v!.signals.generator.dropRatio!).toBeGreaterThan(0.5);
    expect(v!.signals.generator.headroomMin).toBeLessThanOrEqual(0.02);
    const m = /held each VU (\d+) ms \(median iteration\) against the 100 ms the VU pool was sized for/.exec(
      v!.evidence.join('\n'),
    );
    expect(m, show(name)).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(1500);
    expect(Number(m![1])).toBeLessThan(2600);
    expect(v!.advice.join(' ')).toMatch(/EXPECTED_LATENCY_MS=\d+/);
    expectAnalyzer(name, 'HUB-SATURATED', 'hub', [
      /iterations took \d+ ms \(p50\) against the 100 ms the VU pool was sized for/,
    ]);
  });

  it('a CPU-starved k6 (its CPU taken away in slices, hub fast, VUs idle) is GENERATOR-BOUND (cpu)', () => {
    const name = 'CPU-starved k6 (throttled)';
    const v = outcomes.get(name)?.verdict;
    expect(v?.status, show(name)).toBe('GENERATOR-BOUND');
    expect(v?.cause, show(name)).toBe('cpu');
    const g = v!.signals.generator;
    expect(g.cpuStarvedRate!, show(name)).toBeGreaterThanOrEqual(0.1);
    expect(v!.evidence.join('\n')).toMatch(/CPU-starvation checks \d/);
    expect(v!.advice.join(' ')).toMatch(/CPU-starved/);
    expectAnalyzer(name, 'GENERATOR-BOUND', 'generator', [
      /could not keep its schedule although VUs were free/,
    ]);
  });
});

describe.skipIf(haveK6)('verdict rehearsal on a real k6', () => {
  it('skipped: set K6=/path/to/k6 to run it', () => {
    expect(haveK6).toBe(false);
  });
});
