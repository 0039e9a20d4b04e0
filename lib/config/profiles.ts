/**
 * Load profiles as typed data. A profile says how the arrival rate evolves over the test; the run
 * plan (`planRun` in `lib/plan/run-plan.ts`, with `loadScenario` in `lib/plan/options.ts`) turns it,
 * with the run's inputs (target TPS, duration, PARALLELISM, expected latency), into k6 scenarios.
 * Never the `--vus/--duration` shortcuts: they replace the scenarios entirely
 * (docs/facts/k6.md#scenario-overrides).
 *
 * Rates are fractions of TARGET_TPS so that one table serves 5 TPS smoke runs and 1000 TPS proofs.
 */
export const PROFILE_NAMES = ['smoke', 'load', 'ramp', 'soak', 'breakpoint'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** A step of a ramping profile: reach `rate` × TARGET_TPS over `rampShare`, then hold it for `holdShare` of DURATION. */
export interface RampStep {
  rate: number;
  rampShare: number;
  holdShare: number;
}

export type ProfileShape =
  /** constant-arrival-rate at TARGET_TPS for DURATION. */
  | { kind: 'constant' }
  /** ramping-arrival-rate through `steps` (shares of DURATION add up to 1). */
  | { kind: 'steps'; startRate: number; steps: readonly RampStep[] };

export interface ProfileSpec {
  description: string;
  /** TARGET_TPS when the variable is not set. */
  defaultTps: number;
  /** DURATION when the variable is not set, ms. */
  defaultDurationMs: number;
  /** Shortest DURATION that still makes the profile what it claims to be, ms. */
  minDurationMs: number;
  shape: ProfileShape;
  /**
   * Whether the run should stop at the first sustained threshold failure (breakpoint: the point of
   * the test is to find where the system breaks, then stop loading it).
   */
  abortOnFail: boolean;
  /**
   * Fewest VUs per runner whatever Little's law says: at a few TPS the formula gives one VU, and a
   * single slow request (a cold connection, a busy laptop) would drop iterations in a smoke run.
   */
  minVusPerRunner: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Five equal steps to 125 % with short ramps between them: the knee shows as the step where latency or errors turn. */
const RAMP_STEPS: readonly RampStep[] = [0.25, 0.5, 0.75, 1, 1.25].map((rate) => ({
  rate,
  rampShare: 0.04,
  holdShare: 0.16,
}));

export const PROFILES = {
  smoke: {
    description: 'a few transfers per second for a short time: proves wiring, config and accounting',
    defaultTps: 5,
    defaultDurationMs: 30_000,
    minDurationMs: 1000,
    shape: { kind: 'constant' },
    abortOnFail: false,
    minVusPerRunner: 5,
  },
  load: {
    description: 'constant arrival rate at TARGET_TPS (default 1000) for DURATION',
    defaultTps: 1000,
    defaultDurationMs: 10 * MINUTE,
    minDurationMs: 1000,
    shape: { kind: 'constant' },
    abortOnFail: false,
    minVusPerRunner: 1,
  },
  ramp: {
    description: 'steps of 25, 50, 75, 100 and 125 % of TARGET_TPS, to find the knee',
    defaultTps: 1000,
    defaultDurationMs: 20 * MINUTE,
    minDurationMs: 25_000,
    shape: { kind: 'steps', startRate: 0, steps: RAMP_STEPS },
    abortOnFail: false,
    minVusPerRunner: 1,
  },
  soak: {
    description: 'constant arrival rate at TARGET_TPS for at least an hour (the Mojaloop 1000 TPS / 1 h bar)',
    defaultTps: 1000,
    defaultDurationMs: HOUR,
    minDurationMs: HOUR,
    shape: { kind: 'constant' },
    abortOnFail: false,
    minVusPerRunner: 1,
  },
  breakpoint: {
    description:
      'linear ramp from 0 to 200 % of TARGET_TPS; thresholds abort the run where the system breaks',
    defaultTps: 1000,
    defaultDurationMs: 20 * MINUTE,
    minDurationMs: 10_000,
    shape: { kind: 'steps', startRate: 0, steps: [{ rate: 2, rampShare: 1, holdShare: 0 }] },
    abortOnFail: true,
    minVusPerRunner: 1,
  },
} as const satisfies Record<ProfileName, ProfileSpec>;

/** The highest rate a profile reaches, as a multiple of TARGET_TPS (sizes the VU pool). */
export function peakRateFactor(spec: ProfileSpec): number {
  if (spec.shape.kind === 'constant') return 1;
  return Math.max(spec.shape.startRate, ...spec.shape.steps.map((s) => s.rate));
}

/** Transfers a profile sends at `tps` over `durationMs`, as a multiple of TARGET_TPS × DURATION (area under the rate). */
export function volumeFactor(spec: ProfileSpec): number {
  if (spec.shape.kind === 'constant') return 1;
  let area = 0;
  let rate = spec.shape.startRate;
  for (const s of spec.shape.steps) {
    area += ((rate + s.rate) / 2) * s.rampShare + s.rate * s.holdShare;
    rate = s.rate;
  }
  return area;
}

/**
 * What holds a VU, per mode, and how long it is expected to take when EXPECTED_LATENCY_MS is not
 * set. Collect mode: only the POST /transfers (the outcome is read later by the collector).
 * Wait, e2e, outbound: the whole flow including callbacks.
 */
export const DEFAULT_HOLD_MS = {
  collect: 50,
  wait: 500,
  e2e: 1500,
  outbound: 1500,
} as const;

/** Spare VU capacity over Little's law (latency spikes, GC, connection churn). */
export const VU_HEADROOM = 2;

/** The range VU_HEADROOM (and the planner's --headroom) accepts: at least Little's law, at most 100×. */
export const MIN_VU_HEADROOM = 1;
export const MAX_VU_HEADROOM = 100;

/**
 * Most VUs one k6 runner may hold: "one k6 instance can handle 30-40k VUs" (k6 docs, running large
 * tests), and each costs about a megabyte; a plan above it needs more runners.
 */
export const MAX_VUS_PER_RUNNER = 30_000;

/**
 * Headroom the verdicts advise over an *observed* tail iteration time (p95 in the run's verdict,
 * p99 in the analyzer): the tail is already in the figure, so less than VU_HEADROOM, which
 * multiplies an expected typical latency.
 */
export const OBSERVED_VU_HEADROOM = 1.5;

/** Runners the verdicts advise for a CPU-starved generator that had `parallelism`: half as many again, at least one more. */
export function moreRunners(parallelism: number): number {
  return Math.max(parallelism + 1, Math.ceil(parallelism * 1.5));
}
