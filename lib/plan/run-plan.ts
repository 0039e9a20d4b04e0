/**
 * The run plan: one function turns a validated run config into everything a run is planned to be —
 * the VU pool (Little's law, or VUS), how k6 splits it and the rate over the runners, the load
 * scenario and the collector, their lengths, the thresholds, and the k6 options. The scenarios'
 * exported options, the planner and its manifests, the capacity model and both verdicts read this
 * plan; nothing else plans.
 *
 * VU sizing. A VU is busy for the latency L of whatever holds it: the POST alone in collect mode
 * (the outcome is read later, in batches, by the collector), the whole flow in wait, e2e and
 * outbound modes. At an arrival rate λ, Little's law gives λ·L busy VUs on average; the pool is
 *
 *     VUs = roundUpToMultiple( ceil(λ_peak · L / 1000 · VU_HEADROOM), PARALLELISM )
 *           raised to the profile's minimum per runner
 *
 * with `maxVUs = preAllocatedVUs = VUs`: fixed capacity, because k6 creates missing VUs one at a
 * time, only after a drop, re-running the init context (docs/facts/k6.md#vu-allocation). The multiple
 * of PARALLELISM matters because k6 splits an arrival rate across runners by their share of maxVUs,
 * not by segment length (docs/facts/k6.md#rate-split): a multiple gives every runner λ/PARALLELISM.
 *
 * Pure and k6-safe; in k6 only the coordinating VU calls it (lib/k6/coordinator.lazy.ts).
 */
import { k6Duration } from '../config/duration.ts';
import { DEFAULT_HOLD_MS, MAX_VUS_PER_RUNNER, peakRateFactor, volumeFactor } from '../config/profiles.ts';
import type { RunConfig } from '../config/run-config.ts';
import { decimal } from '../format/numbers.ts';
import { type BundleName, bundleOf, type PlanMode, planModeOf } from './modes.ts';
import {
  baseThresholds,
  COLLECTOR_MARGIN_MS,
  composedThresholds,
  type K6Options,
  loadScenario,
  mergeThresholds,
  minCommittedPerRunner,
  type ScenarioOptions,
  SUMMARY_TREND_STATS,
  SYSTEM_TAGS,
  type Threshold,
  tlsAuthOptions,
  visibilityThresholds,
} from './options.ts';
import { decimalString, mul, type Rat, rat, ratFromNumber, toNumber } from './rational.ts';
import { type RunnerShare, scaleCount, splitArrivalRate } from './segments.ts';
import { sizeVus } from './sizing.ts';

export interface VuPlan {
  /** Latency of what holds a VU, ms (EXPECTED_LATENCY_MS or the mode's default). */
  holdMs: number;
  headroom: number;
  /** Little's-law VUs before rounding to the parallelism: ceil(λ·L·headroom); undefined when VUS was given. */
  littleVus: number | undefined;
  /** The profile's floor: minVusPerRunner × PARALLELISM. */
  floorVus: number;
  /** preAllocatedVUs = maxVUs of the load scenario, whole test. */
  total: number;
  /** Whether the total came from VUS rather than Little's law. */
  given: boolean;
  /** The computation in one line. */
  arithmetic: string;
}

/** One runner's part of the load scenario, as k6 splits it (docs/facts/k6.md#rate-split). */
export interface RunnerPlan {
  /** 0-based runner index (what the kit embeds in ids; k6-operator's instance_id is index + 1). */
  index: number;
  /** `--execution-segment` of this runner (`0:1` when alone). */
  segment: string;
  /** preAllocatedVUs = maxVUs of the load scenario on this runner. */
  vus: number;
  /** Share of the rate this runner starts: its maxVUs / maxVUs. */
  share: Rat;
  /** Transfers/s this runner starts at TARGET_TPS, and at the profile's peak. */
  tps: number;
  peakTps: number;
  /** Transfers this runner sends over the profile. */
  expectedTransfers: number;
  /** Extra VUs on this runner outside the load scenario (the collector of collect mode). */
  extraVus: number;
}

export interface RunPlan {
  scenario: RunConfig['scenario'];
  mode: PlanMode;
  bundle: BundleName;
  profile: RunConfig['profile'];
  /** TARGET_TPS, whole test. */
  targetTps: number;
  /** Highest rate the profile reaches, whole test. */
  peakTps: number;
  /** DURATION, ms. */
  durationMs: number;
  parallelism: number;
  timeoutMs: number;
  vus: VuPlan;
  runners: RunnerPlan[];
  /** The load-generating scenario (named after the scenario kind), whole test. */
  load: { exec: string; scenario: ScenarioOptions; lengthMs: number; gracefulStopMs: number };
  /** Collect mode: one collector VU per runner reading outcomes for `durationMs`. */
  collector: { scenario: ScenarioOptions; durationMs: number } | undefined;
  /** Transfers the whole run sends, and what one runner must see committed for the target to be met. */
  volume: { transfers: number; minCommittedPerRunner: number };
  thresholds: Record<string, Threshold[]>;
  /** What the scenario module exports as `options`. */
  options: K6Options;
  /** The computation, one step per line, for logs, the planner and manifests. */
  arithmetic: string[];
}

export interface PlanProblem {
  /** idle: a runner would get no VU; uneven: VUs not a multiple of the runners; vus: too many per runner. */
  kind: 'idle' | 'uneven' | 'vus';
  text: string;
}

/** Thrown when the config asks for a plan k6 would run wrong (uneven or idle runners, too many VUs). */
export class PlanError extends Error {
  readonly problems: readonly PlanProblem[];
  /** The sizing and k6's split as far as they were computed, for messages. */
  readonly arithmetic: readonly string[];
  constructor(problems: readonly PlanProblem[], arithmetic: readonly string[] = []) {
    super(
      problems.length === 1
        ? `invalid plan: ${problems[0]!.text}`
        : `invalid plan:\n${problems.map((r) => `  - ${r.text}`).join('\n')}`,
    );
    this.name = 'PlanError';
    this.problems = problems;
    this.arithmetic = arithmetic;
  }
}

const fmt = (x: number): string => decimal(x);

function vuPlan(config: RunConfig, peakTps: number): VuPlan {
  const p = config.parallelism;
  const floorVus = config.profileSpec.minVusPerRunner * p;
  const holdMs = config.expectedLatencyMs;
  const headroom = config.vuHeadroom;
  if (config.vus !== undefined) {
    return {
      holdMs,
      headroom,
      littleVus: undefined,
      floorVus,
      total: config.vus,
      given: true,
      arithmetic: `VUs = ${config.vus} (given with VUS; Little's law not applied); maxVUs = preAllocatedVUs = ${config.vus}`,
    };
  }
  const s = sizeVus({ targetTps: peakTps, holdMs, parallelism: p, headroom });
  if (s.vus >= floorVus) {
    return {
      holdMs,
      headroom,
      littleVus: s.littleVus,
      floorVus,
      total: s.vus,
      given: false,
      arithmetic: s.arithmetic,
    };
  }
  return {
    holdMs,
    headroom,
    littleVus: s.littleVus,
    floorVus,
    total: floorVus,
    given: false,
    arithmetic: `${s.arithmetic}; raised to the profile's minimum of ${config.profileSpec.minVusPerRunner} per runner: ${floorVus}`,
  };
}

/** k6's split of `vus` over `p` runners (the striping is only computed when the split is uneven). */
function sharesOf(vus: number, p: number): RunnerShare[] {
  return splitArrivalRate({ rate: 1, preAllocatedVUs: vus, maxVUs: vus }, p);
}

/** The whole plan of a run. Throws PlanError for a VU pool k6 would split wrong or that no runner can hold. */
export function planRun(config: RunConfig): RunPlan {
  const spec = config.profileSpec;
  const p = config.parallelism;
  const peakFactor = peakRateFactor(spec);
  const peakTps = config.targetTps * peakFactor;
  const vus = vuPlan(config, peakTps);
  const shares = sharesOf(vus.total, p);

  const problems: PlanProblem[] = [];
  const idle = shares.filter((s) => s.idle);
  if (idle.length > 0) {
    problems.push({
      kind: 'idle',
      text:
        `${idle.length} of ${p} runners would get 0 maxVUs and sit idle (runners ${idle.map((s) => s.runner).join(', ')}): ` +
        `maxVUs ${vus.total} < parallelism ${p}; k6-operator also puts such a TestRun in stage error`,
    });
  } else if (vus.total % p !== 0) {
    const counts = shares.map((s) => s.maxVUs).join('/');
    const tpsRat = ratFromNumber(config.targetTps, 'TARGET_TPS');
    const rates = shares.map((s) => decimalString(mul(tpsRat, s.share), 2)).join('/');
    problems.push({
      kind: 'uneven',
      text:
        `maxVUs ${vus.total} is not a multiple of parallelism ${p}: k6 splits it ${counts} and the rate by the same shares ` +
        `(${rates} transfers/s instead of ${decimalString(mul(tpsRat, rat(1, p)), 2)} each); use a multiple of ${p}`,
    });
  }
  const collect = config.scenario === 'transfers' && config.mode === 'collect';
  const extraVus = collect ? 1 : 0;
  const maxRunnerVus = Math.max(...shares.map((s) => s.maxVUs)) + extraVus;
  if (maxRunnerVus > MAX_VUS_PER_RUNNER) {
    problems.push({
      kind: 'vus',
      text:
        `${maxRunnerVus} VUs per runner exceeds ${MAX_VUS_PER_RUNNER} (k6 docs: one instance handles 30-40k VUs, ` +
        `about 1 MB each): ${vus.arithmetic}; lower TARGET_TPS or EXPECTED_LATENCY_MS, or use more runners (PARALLELISM)`,
    });
  }
  const tags = {
    mode: collect ? 'collect' : config.scenario === 'transfers' ? config.mode : config.scenario,
  };
  // Waiting VUs must be allowed to finish their wait, or their transfers end up unaccounted.
  const gracefulStopMs = collect ? Math.min(config.timeoutMs, 10_000) + 5000 : config.timeoutMs + 5000;
  const exec = config.scenario;
  const { scenario, lengthMs } = loadScenario(
    spec,
    config.targetTps,
    config.durationMs,
    vus.total,
    exec,
    gracefulStopMs,
    tags,
  );
  let collector: RunPlan['collector'];
  if (collect) {
    const durationMs = lengthMs + config.timeoutMs + COLLECTOR_MARGIN_MS;
    collector = {
      durationMs,
      scenario: {
        executor: 'constant-vus',
        exec: 'collector',
        // One collector VU per runner: k6 splits `vus` by segment, exactly, as it is PARALLELISM itself.
        vus: p,
        duration: k6Duration(durationMs),
        startTime: '0s',
        gracefulStop: '5s',
        tags: { mode: 'collect' },
      },
    };
  }

  const sets = composedThresholds(config, lengthMs);
  const thresholds = mergeThresholds(
    visibilityThresholds(config),
    baseThresholds(config, lengthMs, sets),
    sets,
  );
  const scenarios: Record<string, ScenarioOptions> = { [exec]: scenario };
  if (collector) scenarios.collector = collector.scenario;

  const total = Math.floor((config.targetTps * volumeFactor(spec) * lengthMs) / 1000);
  const tpsRat = ratFromNumber(config.targetTps, 'TARGET_TPS');
  const runners: RunnerPlan[] = shares.map((s, i) => ({
    index: i,
    segment: s.segment,
    vus: s.maxVUs,
    share: s.share,
    tps: toNumber(mul(tpsRat, s.share)),
    peakTps: peakTps * toNumber(s.share),
    expectedTransfers: scaleCount(total, s.share),
    extraVus,
  }));

  const mode = planModeOf(config);
  const arithmetic = [
    `plan: profile ${config.profile}, mode ${mode} (dist/${bundleOf(mode)}.js), TARGET_TPS ${config.targetTps}, ` +
      `DURATION ${k6Duration(config.durationMs)}` +
      (peakFactor !== 1
        ? `; the profile peaks at ${peakFactor} × ${config.targetTps} = ${fmt(peakTps)} transfers/s`
        : ''),
    `transfers in the run: ${fmt(config.targetTps)}/s × ${fmt(volumeFactor(spec))} (profile volume) × ${lengthMs / 1000} s = ${total}`,
    `latency holding a VU: ${vus.holdMs} ms${vus.holdMs === DEFAULT_HOLD_MS[mode] ? ` (the default for ${mode})` : ''}`,
    vus.arithmetic,
    `k6 split: each runner's segment, its maxVUs, and the rate k6 re-cuts by maxVUs ${vus.total} (docs/facts/k6.md#rate-split):`,
    ...runners.map(
      (r) =>
        `  runner ${String(r.index + 1).padEnd(3)} segment ${r.segment.padEnd(11)} preAllocatedVUs = maxVUs = ${String(r.vus).padEnd(6)} ` +
        `rate ${config.targetTps} × ${r.vus}/${vus.total} = ${decimalString(mul(tpsRat, r.share), 3)}/s`,
    ),
    ...(collect ? ['  + 1 collector VU per runner (constant-vus with vus = parallelism)'] : []),
  ];
  if (p > 1) {
    arithmetic.push(
      `per-runner thresholds: each runner sees ${decimalString(runners[0]!.share, 4)} of the samples; counts are scaled by it ` +
        `(a global count>=${total} is count>=${scaleCount(total, runners[0]!.share)} per runner); ratios and percentiles need no scaling`,
    );
  }

  if (problems.length > 0) throw new PlanError(problems, arithmetic);
  const tlsAuth = tlsAuthOptions(config);

  return {
    scenario: config.scenario,
    mode,
    bundle: bundleOf(mode),
    profile: config.profile,
    targetTps: config.targetTps,
    peakTps,
    durationMs: config.durationMs,
    parallelism: p,
    timeoutMs: config.timeoutMs,
    vus,
    runners,
    load: { exec, scenario, lengthMs, gracefulStopMs },
    collector,
    volume: { transfers: total, minCommittedPerRunner: minCommittedPerRunner(config, lengthMs) },
    thresholds,
    options: {
      scenarios,
      thresholds,
      summaryTrendStats: [...SUMMARY_TREND_STATS],
      systemTags: [...SYSTEM_TAGS],
      discardResponseBodies: true,
      setupTimeout: '60s',
      teardownTimeout: '60s',
      ...(config.cloud ? { cloud: config.cloud } : {}),
      ...(tlsAuth ? { tlsAuth } : {}),
    },
    arithmetic,
  };
}
