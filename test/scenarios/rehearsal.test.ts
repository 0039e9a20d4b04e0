import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../lib/config/run-config.ts';
import { prepareFlows } from '../../lib/flows/plan.ts';
import { verdictLines } from '../../lib/verdict/format.ts';
import { computeVerdict, type Verdict } from '../../lib/verdict/verdict.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { NodeHttpClient } from '../../node/http.ts';
import type { FaultProfile } from '../../sim/runtime/faults.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { REHEARSAL_TYPES, runArrival } from '../support/arrival.ts';
import { legacySummary } from '../support/summary-data.ts';

/**
 * Live rehearsal: real transfers (the wait-mode flow, driven in Node) against the simulator's
 * fault profiles, the detectors fed from them as a k6 runner's VUs would, a k6-shaped summary built
 * from the samples, and the verdict must name the culprit. Four runs in parallel, ~25 s.
 *
 * To fit CI the detector windows are compressed (drift 20 s, sawtooth 40 s with periods up to
 * 12 s, faster persistence), and the sawtooth is 4 s instead of the preset's 20 s; the algorithms
 * are the ones the accuracy tests measure at full windows.
 */
const DURATION_MS = 24_000;
const PROBE = {
  hubBucketMs: 500,
  hubAnalysisEveryS: 1,
  hubOptions: {
    driftWindowS: 20,
    sawtoothWindowS: 40,
    maxPeriodS: 12,
    driftPersistS: 3,
    sawtoothPersistS: 2,
    clearAfterS: 20,
  },
  generatorOptions: { attainmentWindowS: 5, cpuWindowS: 10, warmupS: 2, persistS: 2 },
};

interface Rehearsal {
  name: string;
  faults: FaultProfile;
  rate: number;
  maxVUs: number;
  timeoutMs: number;
  expectedLatencyMs: number;
}

const REHEARSALS: Rehearsal[] = [
  {
    name: 'gc sawtooth',
    faults: { name: 'sawtooth-4s', sawtooth: { periodMs: 4000, peakMs: 300 } },
    rate: 40,
    maxVUs: 40,
    timeoutMs: 5000,
    expectedLatencyMs: 200,
  },
  {
    name: 'queue build-up',
    faults: { name: 'queue', queue: { ratePerSec: 22 } },
    rate: 40,
    maxVUs: 120,
    timeoutMs: 2500,
    expectedLatencyMs: 100,
  },
  {
    name: 'slow payee',
    faults: {
      name: 'slow-payee',
      slowPayee: { fspId: 'payeefsp', latency: { dist: 'lognormal', p50Ms: 800, p99Ms: 2500 } },
    },
    rate: 20,
    maxVUs: 100,
    timeoutMs: 5000,
    expectedLatencyMs: 1500,
  },
  {
    name: 'starved generator (too few VUs)',
    faults: { name: 'fixed-100ms', latency: { payee: { dist: 'fixed', ms: 100 } } },
    rate: 40,
    maxVUs: 2,
    timeoutMs: 5000,
    expectedLatencyMs: 100,
  },
];

const sims: SimulatorHandle[] = [];
const verdicts = new Map<string, Verdict>();
const client = new NodeHttpClient();

beforeAll(async () => {
  await Promise.all(
    REHEARSALS.map(async (r, i) => {
      const sim = await startSimulator({ host: '127.0.0.1', port: 0, log: () => {}, faults: r.faults });
      sims[i] = sim;
      const config = parseRunConfig('transfers', {
        HUB_URL: sim.url,
        MODE: 'wait',
        TIMEOUT_MS: String(r.timeoutMs),
        PROFILE: 'load',
        TARGET_TPS: String(r.rate),
        DURATION: `${DURATION_MS / 1000}s`,
      });
      const plan = prepareFlows(config, nodeCrypto);
      const ctx = { now: Date.now, random: Math.random, crypto: nodeCrypto, runner: 10 + i };
      const run = await runArrival({
        rate: r.rate,
        durationMs: DURATION_MS,
        maxVUs: r.maxVUs,
        plan,
        ctx,
        client,
        probe: PROBE,
      });
      const summary = legacySummary(run.store, REHEARSAL_TYPES, run.durationMs);
      verdicts.set(
        r.name,
        computeVerdict(summary, {
          targetTps: r.rate,
          parallelism: 1,
          durationS: DURATION_MS / 1000,
          vus: r.maxVUs,
          expectedLatencyMs: r.expectedLatencyMs,
        }),
      );
    }),
  );
}, 120_000);

afterAll(async () => {
  client.close();
  await Promise.all(sims.map((s) => s?.close()));
});

const show = (v: Verdict | undefined) =>
  v ? [v.status, v.summary, ...v.evidence].join('\n  ') : 'no verdict';

describe('live rehearsal against the simulator', () => {
  it('prints the verdicts', () => {
    for (const [name, v] of verdicts) console.log(`${name}:\n${verdictLines(v).join('\n')}`);
    expect(verdicts.size).toBe(REHEARSALS.length);
  });

  it('a GC sawtooth is HUB-DEGRADING with its period and amplitude', () => {
    const v = verdicts.get('gc sawtooth');
    expect(v?.status, show(v)).toBe('HUB-DEGRADING');
    expect(v?.cause).toBe('sawtooth');
    const period = v!.signals.hub.sawtoothPeriodS!;
    expect(Math.abs(period / 4 - 1)).toBeLessThan(0.25);
    expect(v!.signals.hub.sawtoothAmplitudeMs).toBeGreaterThan(100);
  });

  it('a queue filling up (arrivals above its service rate) is HUB-SATURATED', () => {
    const v = verdicts.get('queue build-up');
    expect(v?.status, show(v)).toBe('HUB-SATURATED');
    expect(v!.signals.generator.dropped).toBe(0);
  });

  it('a slow payee breaks the latency invariant: HUB-SATURATED on latency', () => {
    const v = verdicts.get('slow payee');
    expect(v?.status, show(v)).toBe('HUB-SATURATED');
    expect(v?.cause).toBe('latency');
    expect(v!.invariant.ok).toBe(false);
  });

  it('too few VUs is GENERATOR-BOUND on VUs, with advice naming a pool size', () => {
    const v = verdicts.get('starved generator (too few VUs)');
    expect(v?.status, show(v)).toBe('GENERATOR-BOUND');
    expect(v?.cause).toBe('vus');
    expect(v!.signals.generator.dropRatio!).toBeGreaterThan(0.3);
    expect(v!.advice.join(' ')).toMatch(/maxVUs = preAllocatedVUs to at least \d+ per runner/);
  });
});
