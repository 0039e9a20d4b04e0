import { bucketMsForRate } from '../../../lib/detectors/hub.ts';
import {
  driftSensitivity,
  SAWTOOTH_MIN_PERIOD_BUCKETS,
  sawtoothSensitivity,
} from '../../../lib/detectors/sensitivity.ts';
import type { VerdictStatus } from '../../../lib/verdict/status.ts';
import { childSeed, Prng } from '../../../node/prng.ts';
import { type GeneratorTraceSpec, generatorTrace } from './generator-trace.ts';
import { bucketMedianNoise, type LatencyTraceSpec, type NoiseModel } from './latency-trace.ts';

/**
 * The labeled corpus: for each class, a deterministic family of trace specs (seeded), drawn over
 * realistic ranges, with positives at or above the documented sensitivity
 * (lib/detectors/sensitivity.ts). `hubCases` and `generatorCases` return specs plus their labels;
 * generate each trace with `latencyTrace` / `generatorTrace` only when needed, so a whole class
 * never sits in memory.
 */
export const HUB_CLASSES = [
  'stationary-normal',
  'stationary-lognormal',
  'stationary-pareto',
  'step',
  'gc-pauses',
  'drift',
  'sawtooth',
] as const;
export type HubClass = (typeof HUB_CLASSES)[number];

export const GENERATOR_CLASSES = ['gen-healthy', 'gen-slow-hub', 'vu-cap', 'cpu-starved'] as const;
export type GeneratorClass = (typeof GENERATOR_CLASSES)[number];

/** 'global': the whole stream (the analyzer); 'per-vu': what one VU of N sees. */
export type View = 'global' | 'per-vu';

export interface HubCase {
  cls: HubClass;
  view: View;
  spec: LatencyTraceSpec;
  /** bucket width the detector uses for this view */
  bucketMs: number;
  /** noise of one bucket median (ms), measured on a flat copy; 0 when not computed */
  sigmaB: number;
  /** what the hub detector must report at the end ('none' for the negative classes) */
  expect: 'none' | 'drift' | 'sawtooth';
  /** true pauses in the trace (gc-pauses only; counted approximately from the spec) */
  pauseClass: boolean;
}

export interface GeneratorCase {
  cls: GeneratorClass;
  view: View;
  spec: GeneratorTraceSpec;
  /** for the per-vu view: which VU's iterations to feed (a VU that ran iterations) */
  vu: number;
  expect: 'none' | 'vus' | 'cpu';
}

function noiseFor(cls: HubClass, rng: Prng, base: number): NoiseModel {
  const kind =
    cls === 'stationary-normal'
      ? 'normal'
      : cls === 'stationary-lognormal'
        ? 'lognormal'
        : cls === 'stationary-pareto'
          ? 'pareto'
          : rng.pick(['normal', 'lognormal', 'pareto'] as const);
  switch (kind) {
    case 'normal':
      return { kind, sigmaMs: base * rng.uniform(0.05, 0.25) };
    case 'lognormal':
      return { kind, sigma: rng.uniform(0.1, 0.5) };
    case 'pareto':
      return { kind, alpha: rng.uniform(1.6, 3) };
  }
}

/**
 * `count` cases of class `cls` in view `view`, from `seed`. Positive classes compute the bucket
 * noise of their spec (one flat trace of up to 200 buckets) to size the signal.
 */
export function hubCases(cls: HubClass, view: View, count: number, seed = 1): HubCase[] {
  const out: HubCase[] = [];
  const classIndex = HUB_CLASSES.indexOf(cls) + (view === 'per-vu' ? 100 : 0);
  for (let k = 0; k < count; k++) {
    const rng = new Prng(childSeed(seed * 1009 + classIndex, k));
    const base = rng.uniform(50, 300);
    const noise = noiseFor(cls, rng, base);
    const durationS = 600;
    let ratePerS: number;
    let perSample: number;
    let viewSpec: LatencyTraceSpec['view'];
    if (view === 'global') {
      ratePerS = rng.pick([100, 200, 400]);
      perSample = ratePerS;
    } else {
      ratePerS = rng.pick([100, 200]);
      const vus = rng.pick([10, 40, 100]);
      viewSpec = { vus, vu: rng.int(vus) };
      perSample = ratePerS / vus;
    }
    const bucketMs = bucketMsForRate(perSample);
    const spec: LatencyTraceSpec = {
      seed: childSeed(seed * 7919 + classIndex, k),
      durationS,
      ratePerS,
      baseMs: base,
      noise,
      shape: { kind: 'flat' },
      ...(viewSpec ? { view: viewSpec } : {}),
    };
    let sigmaB = 0;
    let expect: HubCase['expect'] = 'none';
    const needsNoise = cls === 'drift' || cls === 'sawtooth' || cls === 'step';
    if (needsNoise)
      sigmaB = bucketMedianNoise(
        { ...spec, durationS: Math.min(durationS, (200 * bucketMs) / 1000) },
        bucketMs,
      );
    const bucketS = bucketMs / 1000;
    switch (cls) {
      case 'step': {
        // a fall never takes the latency below half its base (latency cannot go to zero)
        const size = rng.uniform(3, 20) * sigmaB;
        const deltaMs = rng.next() < 0.7 ? size : -Math.min(size, base / 2);
        spec.shape = { kind: 'step', atS: rng.uniform(150, 450), deltaMs };
        break;
      }
      case 'gc-pauses':
        spec.shape = {
          kind: 'pauses',
          minIntervalS: 5,
          maxIntervalS: rng.uniform(10, 60),
          minMs: 150,
          maxMs: rng.uniform(300, 800),
        };
        break;
      case 'drift':
        expect = 'drift';
        spec.shape = {
          kind: 'drift',
          startS: rng.uniform(0, 200),
          msPerMin: rng.uniform(1, 4) * driftSensitivity(sigmaB, bucketS),
        };
        break;
      case 'sawtooth': {
        expect = 'sawtooth';
        // periods 5..120 s, never under the documented minimum of 6 buckets for the view
        const minP = Math.max(5, SAWTOOTH_MIN_PERIOD_BUCKETS * bucketS);
        const periodS = minP * (120 / minP) ** rng.next();
        spec.shape = {
          kind: 'sawtooth',
          periodS,
          amplitudeMs: rng.uniform(1, 3) * sawtoothSensitivity(sigmaB, periodS / bucketS),
          phaseS: rng.uniform(0, 120),
        };
        break;
      }
      default:
        break;
    }
    out.push({ cls, view, spec, bucketMs, sigmaB, expect, pauseClass: cls === 'gc-pauses' });
  }
  return out;
}

/** Iteration time a VU is held, ms: median network (lognormal mean factor) plus overhead. */
function holdMs(networkMs: number, overheadMs: number): number {
  return networkMs * Math.exp(0.045) + overheadMs;
}

export function generatorCases(cls: GeneratorClass, view: View, count: number, seed = 1): GeneratorCase[] {
  const out: GeneratorCase[] = [];
  const classIndex = GENERATOR_CLASSES.indexOf(cls) + (view === 'per-vu' ? 100 : 0) + 50;
  for (let k = 0; k < count; k++) {
    const rng = new Prng(childSeed(seed * 1013 + classIndex, k));
    const rate = rng.uniform(50, 400);
    const networkMs = rng.uniform(20, 300);
    const overheadMs = rng.uniform(1, 5);
    const durationS = 180;
    const ramp = rng.next() < 0.3;
    const schedule: GeneratorTraceSpec['schedule'] = ramp
      ? {
          kind: 'ramping',
          startRate: 0,
          stages: [
            { durationS: 30, target: rate },
            { durationS: durationS - 30, target: rate },
          ],
        }
      : { kind: 'constant', rate };
    let netDrift = 0;
    let maxNet = networkMs;
    if (cls === 'gen-slow-hub') {
      netDrift = rng.uniform(20, 60);
      maxNet = networkMs + (netDrift * durationS) / 60;
    }
    const need = (rate * holdMs(maxNet, overheadMs)) / 1000;
    let maxVUs: number;
    let stalls: GeneratorTraceSpec['stalls'];
    let expect: GeneratorCase['expect'] = 'none';
    if (cls === 'vu-cap') {
      maxVUs = Math.max(1, Math.floor(need * rng.uniform(0.5, 0.9)));
      expect = 'vus';
    } else {
      maxVUs = Math.ceil(need * rng.uniform(1.8, 3)) + 5;
      if (cls === 'cpu-starved') {
        // stalls of >= 50 ms at 0.5..2 per second (the documented sensitivity): exponential
        // durations, so the overall stall rate is scaled up by 1 / P(duration >= 50 ms)
        const meanMs = rng.uniform(60, 200);
        stalls = { perS: rng.uniform(0.5, 2) / Math.exp(-50 / meanMs), meanMs };
        expect = 'cpu';
      }
    }
    const spec: GeneratorTraceSpec = {
      seed: childSeed(seed * 7927 + classIndex, k),
      durationS,
      schedule,
      maxVUs,
      networkMs,
      overheadMs,
      ...(netDrift ? { networkDriftMsPerMin: netDrift } : {}),
      ...(stalls ? { stalls } : {}),
    };
    // the per-VU view follows a VU that surely ran iterations: one of the first half
    const vu = rng.int(Math.max(1, Math.min(maxVUs, Math.ceil(need)) >> 1));
    out.push({ cls, view, spec, vu, expect });
  }
  return out;
}

/**
 * The verdict corpus: runs whose right answer is a verdict, not a detector label, because the
 * detectors see the same thing in a run that is the hub's fault and in one that is the
 * generator's. Each is one runner's arrival-rate run (generator-trace.ts) with the plan that
 * sized it, judged by the in-run verdict (from the summary the run's samples make) and by the
 * analyzer (from its k6 output):
 *
 * - `rejected`: the hub refuses most transfers (60-100 %; synchronous 3100 or HTTP 400, or 3106
 *   by callback) and answers fast: REJECTED, named by code, description and share; never
 *   HUB-SATURATED (little committed throughput) nor GENERATOR-BOUND.
 * - `hub-holds-vus`: the hub answers in 1.5-2.5 s (median) where the VU pool was sized for
 *   50-100 ms (Little's law x 2, as the planner does), so the pool runs dry and iterations drop:
 *   HUB-SATURATED (latency), the hub's fault, with the observed hold against the planned one. The
 *   generator detector rightly reports an empty pool ('vus'); the verdict must not stop there.
 * - `cpu-bound`: a CPU-bound runner: the client's own time per iteration is 1.5-3x the hub's fast
 *   answers (5-30 ms, which the pool was sized for), CPU stalls make starts late in bursts and
 *   drop 30-70 % of the starts due in a stall while VUs sit idle: GENERATOR-BOUND (cpu), on the
 *   generator's own evidence, although iterations take well over twice the planned latency.
 */
export const VERDICT_CLASSES = ['rejected', 'hub-holds-vus', 'cpu-bound'] as const;
export type VerdictClass = (typeof VERDICT_CLASSES)[number];

export interface VerdictCase {
  cls: VerdictClass;
  spec: GeneratorTraceSpec;
  /** the runner's target (one runner: the whole test's), transfers per second */
  targetTps: number;
  /** what the VU pool was sized for (EXPECTED_LATENCY_MS), ms */
  expectedLatencyMs: number;
  /** what both verdicts must say: status, the in-run verdict's cause, the analyzer's culprit */
  expect: { status: VerdictStatus; cause: string; culprit: 'hub' | 'generator' };
  /** what the generator detector must report ('none' | 'vus' | 'cpu'), as in the generator corpus */
  detector: GeneratorCase['expect'];
}

const REJECTIONS: ReadonlyArray<NonNullable<GeneratorTraceSpec['rejections']>> = [
  {
    share: 1,
    code: '3100',
    stage: 'sync',
    description:
      'Generic validation error - body.amount.amount must match pattern "^([0]|([1-9][0-9]{0,17}))$"',
  },
  { share: 1, code: 'http400', stage: 'sync', description: 'HTTP 400: Bad Request' },
  {
    share: 1,
    code: '3106',
    stage: 'async',
    description: 'Modified request - the fulfilment does not match the condition',
  },
];

export function verdictCases(cls: VerdictClass, count: number, seed = 1): VerdictCase[] {
  const out: VerdictCase[] = [];
  const classIndex = VERDICT_CLASSES.indexOf(cls) + 200;
  for (let k = 0; k < count; k++) {
    const rng = new Prng(childSeed(seed * 1019 + classIndex, k));
    const rate = rng.uniform(50, 300);
    const durationS = 120;
    const base = {
      seed: childSeed(seed * 7933 + classIndex, k),
      durationS,
      schedule: { kind: 'constant' as const, rate },
    };
    switch (cls) {
      case 'rejected': {
        const networkMs = rng.uniform(5, 40);
        const overheadMs = rng.uniform(1, 5);
        const kind = REJECTIONS[k % REJECTIONS.length]!;
        const need = (rate * holdMs(networkMs, overheadMs)) / 1000;
        out.push({
          cls,
          spec: {
            ...base,
            maxVUs: Math.ceil(need * rng.uniform(1.8, 3)) + 5,
            networkMs,
            overheadMs,
            rejections: { ...kind, share: rng.uniform(0.6, 1) },
          },
          targetTps: rate,
          expectedLatencyMs: rng.uniform(50, 100),
          expect: { status: 'REJECTED', cause: 'rejections', culprit: 'hub' },
          detector: 'none',
        });
        break;
      }
      case 'hub-holds-vus': {
        const expectedLatencyMs = rng.uniform(50, 100);
        out.push({
          cls,
          spec: {
            ...base,
            // the planner's pool: Little's law with a headroom of 2, at least 5 VUs
            maxVUs: Math.max(5, Math.ceil(((rate * expectedLatencyMs) / 1000) * 2)),
            networkMs: rng.uniform(1500, 2500),
            overheadMs: rng.uniform(1, 5),
          },
          targetTps: rate,
          expectedLatencyMs,
          expect: { status: 'HUB-SATURATED', cause: 'latency', culprit: 'hub' },
          detector: 'vus',
        });
        break;
      }
      case 'cpu-bound': {
        const networkMs = rng.uniform(5, 30);
        const overheadMs = networkMs * rng.uniform(1.5, 3);
        const meanMs = rng.uniform(60, 200);
        const need = (rate * holdMs(networkMs, overheadMs)) / 1000;
        out.push({
          cls,
          spec: {
            ...base,
            maxVUs: Math.ceil(need * rng.uniform(1.8, 3)) + 5,
            networkMs,
            overheadMs,
            stalls: { perS: rng.uniform(0.5, 2) / Math.exp(-50 / meanMs), meanMs },
            idleDrops: rng.uniform(0.3, 0.7),
          },
          targetTps: rate,
          // the pool was sized for the hub's real answers; the client's own time is the extra
          expectedLatencyMs: networkMs,
          expect: { status: 'GENERATOR-BOUND', cause: 'cpu', culprit: 'generator' },
          detector: 'cpu',
        });
        break;
      }
    }
  }
  return out;
}

export { generatorTrace };
