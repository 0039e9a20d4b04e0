/**
 * The capacity planner: from a target rate, a mode, a profile and the size of one runner, works out
 * how many k6 runners to use, the VU pool (Little's law, a multiple of the runner count), what rate
 * each runner really starts (k6's segment split), and the CPU and memory each runner needs
 * (planner/capacity.ts). It refuses plans that would idle or starve a runner, saying why, and
 * returns its arithmetic as text so a reviewer can check every number.
 *
 * Pure: the CLI (cli/plan.ts) parses flags and writes manifests; tests call this directly.
 */
import { k6Duration } from '../lib/config/duration.ts';
import { ConfigError } from '../lib/config/errors.ts';
import {
  DEFAULT_HOLD_MS,
  MAX_VU_HEADROOM,
  MIN_VU_HEADROOM,
  PROFILES,
  type ProfileName,
} from '../lib/config/profiles.ts';
import { parseRunConfig } from '../lib/config/run-config.ts';
import { decimal } from '../lib/format/numbers.ts';
import { type BundleName, bundleOf, modeEnv, type PlanMode } from '../lib/plan/modes.ts';
import { type Rat, toNumber } from '../lib/plan/rational.ts';
import { PlanError, planRun, type RunPlan } from '../lib/plan/run-plan.ts';
import { MAX_PARALLELISM } from '../lib/plan/segments.ts';
import { CAPACITY } from './capacity.ts';
import { formatCpu, formatMemory, mib } from './quantity.ts';

/** Latency of what holds a VU when not given, ms: the load profiles' own defaults, so script and plan agree. */
export { DEFAULT_HOLD_MS };

export interface PlanInput {
  /** TARGET_TPS: target transfers/s for the whole test. */
  tps: number;
  mode: PlanMode;
  profile: ProfileName;
  /** DURATION, ms. */
  durationMs: number;
  /** EXPECTED_LATENCY_MS; default DEFAULT_HOLD_MS[mode]. */
  latencyMs?: number;
  /** Headroom over Little's law (VU_HEADROOM), MIN_VU_HEADROOM..MAX_VU_HEADROOM; default 2. */
  headroom?: number;
  /** Runner count; when absent, the smallest that fits the runner size. */
  parallelism?: number;
  /** Total VUs, overriding Little's law (refused unless a multiple of the parallelism). */
  vus?: number;
  /** CPU one runner may use, millicores (the node share you give each runner). */
  runnerCpuMillicores: number;
  /** Memory one runner may use, bytes. */
  runnerMemoryBytes: number;
}

export interface RunnerPlan {
  /** 1-based, k6-operator's instance_id (1 when parallelism is 1). */
  runner: number;
  /** `--execution-segment` the operator passes (`0:1` when parallelism is 1). */
  segment: string;
  preAllocatedVUs: number;
  maxVUs: number;
  /** Share of the rate this runner starts (maxVUs_i / maxVUs). */
  share: Rat;
  /** Transfers/s this runner starts at TARGET_TPS. */
  targetTps: number;
  /** Transfers/s at the profile's peak (ramp/breakpoint go above TARGET_TPS). */
  peakTps: number;
  /** Transfers this runner sends over the profile (share of the whole volume). */
  expectedTransfers: number;
}

export interface ResourcePlan {
  cpuMillicores: number;
  memoryBytes: number;
  /** What the model says is needed before utilisation headroom and rounding. */
  cpuNeededMillicores: number;
  memoryNeededBytes: number;
}

export interface Plan {
  tps: number;
  peakTps: number;
  mode: PlanMode;
  profile: ProfileName;
  bundle: BundleName;
  durationMs: number;
  latencyMs: number;
  headroom: number;
  parallelism: number;
  /** Whether the parallelism was chosen by the planner. */
  parallelismChosen: boolean;
  /** Total VUs of the transfer scenario (maxVUs = preAllocatedVUs). */
  vus: number;
  /** Extra VUs per runner outside the transfer scenario (the collector of collect mode). */
  extraVusPerRunner: number;
  runners: RunnerPlan[];
  /** Requests = limits for each runner. */
  resources: ResourcePlan;
  runnerCpuMillicores: number;
  runnerMemoryBytes: number;
  /** Transfers the whole run sends. */
  totalTransfers: number;
  /** Env values the manifests set (the scenario contract of docs/ARCHITECTURE.md). */
  env: Record<string, string>;
  /** Human-readable computation, one step per line. */
  arithmetic: string[];
  warnings: string[];
  /** The scenario's own plan of this run (lib/plan/run-plan.ts): what the bundle will do with `env`. */
  run: RunPlan;
}

/** Thrown when a plan would idle or starve a runner; `reasons` say why, `arithmetic` shows the numbers. */
export class PlanRefused extends Error {
  readonly reasons: string[];
  readonly arithmetic: string[];
  constructor(reasons: string[], arithmetic: string[]) {
    super(`plan refused:\n${reasons.map((r) => `  - ${r}`).join('\n')}`);
    this.name = 'PlanRefused';
    this.reasons = reasons;
    this.arithmetic = arithmetic;
  }
}

/**
 * Seconds a runner may take to start answering /v1/status before the kubelet kills it: the
 * manifests' liveness probe (initialDelaySeconds 30 + failureThreshold 8 × periodSeconds 15).
 */
export const PROBE_TOLERANCE_S =
  CAPACITY.livenessProbe.initialDelaySeconds +
  CAPACITY.livenessProbe.failureThreshold * CAPACITY.livenessProbe.periodSeconds;

function roundUp(x: number, step: number): number {
  return Math.max(step, Math.ceil(x / step - 1e-9) * step);
}

type ReasonKind = 'idle' | 'uneven' | 'starved-rate' | 'vus' | 'cpu' | 'memory' | 'config';

interface Reason {
  kind: ReasonKind;
  text: string;
}

interface Evaluation {
  parallelism: number;
  /** The run plan at this parallelism; undefined when the scenario itself would refuse it. */
  run: RunPlan | undefined;
  resources: ResourcePlan | undefined;
  reasons: Reason[];
  /** The capacity model's arithmetic. */
  lines: string[];
}

/** An evaluation stopped before the capacity model: the scenario would refuse this plan. */
function refusedEarly(
  p: number,
  problems: ReadonlyArray<{ kind: ReasonKind; text: string }>,
  arithmetic: readonly string[] = [],
): Evaluation {
  return {
    parallelism: p,
    run: undefined,
    resources: undefined,
    reasons: [...problems],
    lines: [...arithmetic],
  };
}

function validateInput(input: PlanInput): string[] {
  const bad: string[] = [];
  const pos = (v: number | undefined, field: string, what: string): void => {
    if (v !== undefined && (typeof v !== 'number' || !Number.isFinite(v) || v <= 0))
      bad.push(`${field}: expected ${what}, got ${v}`);
  };
  pos(input.tps, 'tps', 'a positive number of transfers per second');
  pos(input.durationMs, 'duration', 'a positive duration');
  pos(input.latencyMs, 'latency-ms', 'a positive number of milliseconds');
  pos(input.runnerCpuMillicores, 'runner-cpu', 'a positive CPU quantity');
  pos(input.runnerMemoryBytes, 'runner-memory', 'a positive memory quantity');
  if (
    input.headroom !== undefined &&
    !(
      Number.isFinite(input.headroom) &&
      input.headroom >= MIN_VU_HEADROOM &&
      input.headroom <= MAX_VU_HEADROOM
    )
  ) {
    bad.push(
      `headroom: expected a number from ${MIN_VU_HEADROOM} to ${MAX_VU_HEADROOM}, got ${input.headroom}`,
    );
  }
  if (
    input.parallelism !== undefined &&
    !(Number.isInteger(input.parallelism) && input.parallelism >= 1 && input.parallelism <= MAX_PARALLELISM)
  ) {
    bad.push(`parallelism: expected an integer 1..${MAX_PARALLELISM}, got ${input.parallelism}`);
  }
  if (input.vus !== undefined && !(Number.isSafeInteger(input.vus) && input.vus >= 1)) {
    bad.push(`vus: expected a positive integer, got ${input.vus}`);
  }
  if (!(input.profile in PROFILES))
    bad.push(`profile: expected one of ${Object.keys(PROFILES).join(', ')}, got ${input.profile}`);
  if (!(input.mode in DEFAULT_HOLD_MS))
    bad.push(`mode: expected collect, wait, e2e or outbound, got ${input.mode}`);
  return bad;
}

/** The scenario's environment for this input at parallelism `p`: what the manifests set. */
export function scenarioEnv(input: PlanInput, p: number): Record<string, string> {
  const env: Record<string, string> = {
    PROFILE: input.profile,
    TARGET_TPS: String(input.tps),
    DURATION: k6Duration(input.durationMs),
    PARALLELISM: String(p),
  };
  const m = modeEnv(input.mode);
  if (m) env.MODE = m;
  env.EXPECTED_LATENCY_MS = String(input.latencyMs ?? DEFAULT_HOLD_MS[input.mode]);
  if (input.headroom !== undefined) env.VU_HEADROOM = String(input.headroom);
  if (input.vus !== undefined) env.VUS = String(input.vus);
  return env;
}

function evaluate(input: PlanInput, p: number): Evaluation {
  const env = scenarioEnv(input, p);
  let run: RunPlan;
  try {
    run = planRun(parseRunConfig(bundleOf(input.mode), env));
  } catch (e) {
    if (e instanceof PlanError) return refusedEarly(p, e.problems, e.arithmetic);
    if (e instanceof ConfigError) {
      return refusedEarly(
        p,
        e.problems.map((x) => ({ kind: 'config', text: `the scenario refuses ${x.field}: ${x.message}` })),
      );
    }
    throw e;
  }
  const reasons: Reason[] = [];
  const lines: string[] = [];
  const minTarget = Math.min(...run.runners.map((r) => r.tps));
  if (minTarget < 1) {
    reasons.push({
      kind: 'starved-rate',
      text:
        `parallelism ${p} gives a runner ${fmt(minTarget)} transfers/s (< 1/s): too many runners for ${input.tps} TPS; ` +
        `use at most ${Math.max(1, Math.floor(input.tps))}`,
    });
  }
  const biggest = run.runners.reduce((a, r) => (toNumber(r.share) > toNumber(a.share) ? r : a));
  const runnerVus = biggest.vus + biggest.extraVus;
  const runnerPeak = biggest.peakTps;
  const runnerTransfers = biggest.expectedTransfers;
  const req = CAPACITY.requestsPerTransfer[input.mode];
  const cpuNeeded =
    CAPACITY.baseCpuMillicores + runnerPeak * (req * CAPACITY.cpuMsPerRequest + CAPACITY.cpuMsPerTransfer);
  const cpu = Math.max(
    CAPACITY.minCpuMillicores,
    roundUp(cpuNeeded / CAPACITY.cpuTargetUtilisation, CAPACITY.cpuStepMillicores),
  );
  const samples = req * CAPACITY.trendSamplesPerRequest + CAPACITY.trendSamplesPerTransfer[input.mode];
  const trendBytes = runnerTransfers * samples * CAPACITY.trendBytesPerSample * CAPACITY.trendOverhead;
  const churnBytes = runnerPeak * CAPACITY.memoryPerTpsBytes;
  const memNeeded =
    CAPACITY.baseMemoryBytes + runnerVus * CAPACITY.memoryPerVuBytes + churnBytes + trendBytes;
  const mem = Math.max(
    CAPACITY.minMemoryBytes,
    roundUp(memNeeded / CAPACITY.memoryTargetUtilisation, CAPACITY.memoryStepBytes),
  );
  lines.push(
    `CPU per runner: ${CAPACITY.baseCpuMillicores}m base + ${fmt(runnerPeak)} transfers/s × (${req} req × ` +
      `${CAPACITY.cpuMsPerRequest} ms + ${CAPACITY.cpuMsPerTransfer} ms) = ${fmt(cpuNeeded)}m; ÷ ${CAPACITY.cpuTargetUtilisation} ` +
      `→ requests = limits = ${cpu}m (floor ${CAPACITY.minCpuMillicores}m; runner size ${input.runnerCpuMillicores}m)`,
  );
  lines.push(
    `memory per runner: ${mib(CAPACITY.baseMemoryBytes)} base + ${runnerVus} VUs × ${mib(CAPACITY.memoryPerVuBytes)} + ` +
      `${fmt(runnerPeak)} transfers/s × ${mib(CAPACITY.memoryPerTpsBytes)} + ` +
      `Trend samples ${fmt(runnerTransfers)} transfers × ${fmt(samples)} × ${CAPACITY.trendBytesPerSample} B × ` +
      `${CAPACITY.trendOverhead} (${mib(trendBytes)}) = ${mib(memNeeded)}; ÷ ${CAPACITY.memoryTargetUtilisation} → ` +
      `requests = limits = ${formatMemory(mem)} (floor ${formatMemory(CAPACITY.minMemoryBytes)}; runner size ${formatMemory(input.runnerMemoryBytes)})`,
  );
  const initSeconds = (runnerVus * CAPACITY.vuInitCpuMs) / cpu;
  lines.push(
    `start-up per runner: ${runnerVus} VUs × ${CAPACITY.vuInitCpuMs} ms CPU = ${fmt((runnerVus * CAPACITY.vuInitCpuMs) / 1000)} ` +
      `CPU-s ≈ ${fmt(initSeconds)} s at ${cpu}m (the liveness probe tolerates ${PROBE_TOLERANCE_S} s)`,
  );
  if (initSeconds > PROBE_TOLERANCE_S) {
    reasons.push({
      kind: 'cpu',
      text:
        `initializing ${runnerVus} VUs would take about ${Math.ceil(initSeconds)} s at ${formatCpu(cpu)}, longer than the ` +
        `${PROBE_TOLERANCE_S} s the liveness probe allows; use more runners or more CPU per runner`,
    });
  }
  if (cpu > input.runnerCpuMillicores) {
    reasons.push({
      kind: 'cpu',
      text:
        `each runner needs ${formatCpu(cpu)} CPU but a runner has ${formatCpu(input.runnerCpuMillicores)}: a CPU-starved ` +
        `runner starts iterations late and inflates latencies; use more runners (--parallelism) or bigger ones (--runner-cpu)`,
    });
  }
  if (mem > input.runnerMemoryBytes) {
    reasons.push({
      kind: 'memory',
      text:
        `each runner needs ${formatMemory(mem)} memory but a runner has ${formatMemory(input.runnerMemoryBytes)}: an ` +
        `OOM-killed runner silently drops 1/${p} of the load; use more runners (--parallelism) or bigger ones (--runner-memory)`,
    });
  }
  return {
    parallelism: p,
    run,
    resources: {
      cpuMillicores: cpu,
      memoryBytes: mem,
      cpuNeededMillicores: cpuNeeded,
      memoryNeededBytes: memNeeded,
    },
    reasons,
    lines,
  };
}

const fmt = (x: number): string => decimal(x);

/**
 * The smallest parallelism whose plan has no refusal. Stops early when more runners cannot help
 * (a runner would drop under 1 transfer/s, or the given --vus would leave one idle); skips counts
 * that do not divide a given --vus. Returns the last capacity failure when nothing fits.
 */
function chooseParallelism(input: PlanInput): Evaluation {
  const first = evaluate(input, 1);
  if (first.reasons.length === 0) return first;
  let last = first;
  for (let p = 2; p <= MAX_PARALLELISM; p++) {
    const next = evaluate(input, p);
    if (next.reasons.length === 0) return next;
    const kinds = new Set(next.reasons.map((x) => x.kind));
    if (kinds.has('starved-rate') || kinds.has('idle')) break;
    // At the floor already: more runners cannot make a runner smaller.
    if (kinds.has('config')) return next;
    const cpuStuck = kinds.has('cpu') && (next.resources?.cpuMillicores ?? 0) <= CAPACITY.minCpuMillicores;
    const memStuck = kinds.has('memory') && (next.resources?.memoryBytes ?? 0) <= CAPACITY.minMemoryBytes;
    if (cpuStuck || memStuck) {
      last = next;
      break;
    }
    if (!kinds.has('uneven')) last = next;
  }
  return last;
}

/** Plans a distributed run; throws PlanRefused (with the arithmetic) when the plan would idle or starve a runner. */
export function makePlan(input: PlanInput): Plan {
  const bad = validateInput(input);
  if (bad.length > 0) throw new PlanRefused(bad, []);
  const chosen = input.parallelism === undefined;
  const ev = chosen ? chooseParallelism(input) : evaluate(input, input.parallelism!);
  const p = ev.parallelism;
  const run = ev.run;
  const lines: string[] = [];
  if (run) {
    lines.push(...run.arithmetic.slice(0, 3));
    lines.push(`parallelism: ${p}${chosen ? ' (the smallest that fits the runner size)' : ' (given)'}`);
    lines.push(...run.arithmetic.slice(3));
    lines.push(...ev.lines);
  } else {
    // Refused by the scenario's own plan: its arithmetic (when it got that far) is in ev.lines.
    lines.push(...ev.lines.slice(0, 3));
    lines.push(`parallelism: ${p}${chosen ? ' (the smallest that fits the runner size)' : ' (given)'}`);
    lines.push(...ev.lines.slice(3));
  }
  if (ev.reasons.length > 0 || !run || !ev.resources)
    throw new PlanRefused(
      ev.reasons.map((x) => x.text),
      lines,
    );

  const warnings: string[] = [];
  if (p === 1 && input.profile !== 'smoke') {
    warnings.push(
      'one runner: its failure loses the whole load; 2-4 runners are the usual choice for 1000 TPS',
    );
  }
  if (p > 20) warnings.push('k6 Cloud output (--out cloud) through k6-operator supports parallelism ≤ 20');

  const runners: RunnerPlan[] = run.runners.map((r) => ({
    runner: r.index + 1,
    segment: r.segment,
    preAllocatedVUs: r.vus,
    maxVUs: r.vus,
    share: r.share,
    targetTps: r.tps,
    peakTps: r.peakTps,
    expectedTransfers: r.expectedTransfers,
  }));
  return {
    tps: input.tps,
    peakTps: run.peakTps,
    mode: input.mode,
    profile: input.profile,
    bundle: run.bundle,
    durationMs: input.durationMs,
    latencyMs: run.vus.holdMs,
    headroom: run.vus.headroom,
    parallelism: p,
    parallelismChosen: chosen,
    vus: run.vus.total,
    extraVusPerRunner: run.runners[0]!.extraVus,
    runners,
    resources: ev.resources,
    runnerCpuMillicores: input.runnerCpuMillicores,
    runnerMemoryBytes: input.runnerMemoryBytes,
    totalTransfers: run.volume.transfers,
    env: scenarioEnv(input, p),
    arithmetic: lines,
    warnings,
    run,
  };
}
