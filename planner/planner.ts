/**
 * The capacity planner: from a target rate, a mode, a profile and the size of one runner, works out
 * how many k6 runners to use, the VU pool (Little's law, a multiple of the runner count), what rate
 * each runner really starts (k6's segment split), and the CPU and memory each runner needs
 * (lib/plan/capacity.ts). It refuses plans that would idle or starve a runner, saying why, and
 * returns its arithmetic as text so a reviewer can check every number.
 *
 * Pure: the CLI (cli/plan.ts) parses flags and writes manifests; tests call this directly.
 */
import {
  DEFAULT_HOLD_MS,
  PROFILES,
  type ProfileName,
  peakRateFactor,
  volumeFactor,
} from '../lib/config/profiles.ts';
import { decimalString, mul, type Rat, rat, ratFromNumber, toNumber } from '../lib/plan/rational.ts';
import {
  MAX_PARALLELISM,
  operatorSegments,
  type RunnerShare,
  scaleCount,
  splitArrivalRate,
} from '../lib/plan/segments.ts';
import { DEFAULT_HEADROOM, sizeVus } from '../lib/plan/sizing.ts';
import { CAPACITY } from './capacity.ts';
import { type BundleName, bundleOf, modeEnv, type PlanMode } from './modes.ts';
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
  /** Headroom over Little's law; default DEFAULT_HEADROOM. */
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

/** A k6 duration string the scenarios' DURATION parser accepts (`1h30m`, `10m`, `45s`, `1500ms`). */
export function k6Duration(ms: number): string {
  if (!Number.isInteger(ms) || ms <= 0)
    throw new Error(`duration: expected a positive whole number of ms, got ${ms}`);
  let rest = ms;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = Math.floor(rest / 1000);
  const msPart = rest - s * 1000;
  return (h ? `${h}h` : '') + (m ? `${m}m` : '') + (s ? `${s}s` : '') + (msPart ? `${msPart}ms` : '');
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

type ReasonKind = 'idle' | 'uneven' | 'starved-rate' | 'vus' | 'cpu' | 'memory';

interface Reason {
  kind: ReasonKind;
  text: string;
}

interface Evaluation {
  parallelism: number;
  vus: number;
  sizingLine: string;
  shares: RunnerShare[];
  resources: ResourcePlan;
  reasons: Reason[];
  lines: string[];
}

/** k6's split of `vus` over `p` runners; the striping is only computed when the split is uneven. */
function sharesFor(vus: number, p: number): RunnerShare[] {
  if (vus % p !== 0) return splitArrivalRate({ rate: 1, preAllocatedVUs: vus, maxVUs: vus }, p);
  const each = vus / p;
  const share = rat(1, p);
  return operatorSegments(p).map((f, i) => ({
    runner: p === 1 ? 0 : i + 1,
    segment: f.segment,
    preAllocatedVUs: each,
    maxVUs: each,
    share,
    rate: share,
    perSecond: toNumber(share),
    idle: each === 0,
  }));
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
  if (input.headroom !== undefined && !(Number.isFinite(input.headroom) && input.headroom >= 1)) {
    bad.push(`headroom: expected a number ≥ 1, got ${input.headroom}`);
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

interface Rates {
  latencyMs: number;
  headroom: number;
  peakTps: number;
  volume: number;
}

function evaluate(input: PlanInput, p: number, r: Rates): Evaluation {
  const reasons: Reason[] = [];
  const lines: string[] = [];
  let vus: number;
  let sizingLine: string;
  if (input.vus !== undefined) {
    vus = input.vus;
    sizingLine = `VUs = ${vus} (given with --vus; Little's law not applied); maxVUs = preAllocatedVUs = ${vus}`;
  } else {
    const sizing = sizeVus({
      targetTps: r.peakTps,
      holdMs: r.latencyMs,
      headroom: r.headroom,
      parallelism: p,
    });
    vus = sizing.vus;
    sizingLine = sizing.arithmetic;
  }
  const shares = sharesFor(vus, p);
  const tpsRat = ratFromNumber(input.tps, 'tps');
  const idle = shares.filter((s) => s.idle);
  if (idle.length > 0) {
    reasons.push({
      kind: 'idle',
      text:
        `${idle.length} of ${p} runners would get 0 maxVUs and sit idle (runners ${idle.map((s) => s.runner).join(', ')}): ` +
        `maxVUs ${vus} < parallelism ${p}; k6-operator also puts such a TestRun in stage error`,
    });
  } else if (vus % p !== 0) {
    const counts = shares.map((s) => s.maxVUs).join('/');
    const rates = shares.map((s) => decimalString(mul(tpsRat, s.share), 2)).join('/');
    reasons.push({
      kind: 'uneven',
      text:
        `maxVUs ${vus} is not a multiple of parallelism ${p}: k6 splits it ${counts} and the rate by the same shares ` +
        `(${rates} transfers/s instead of ${decimalString(mul(tpsRat, rat(1, p)), 2)} each); use a multiple of ${p}`,
    });
  }
  const extra = input.mode === 'collect' ? 1 : 0;
  let maxShare = shares[0]!.share;
  for (const s of shares) if (toNumber(s.share) > toNumber(maxShare)) maxShare = s.share;
  const share = toNumber(maxShare);
  const runnerVus = Math.max(...shares.map((s) => s.maxVUs)) + extra;
  const runnerPeak = r.peakTps * share;
  const runnerTransfers = r.volume * share;
  const minTarget = input.tps * Math.min(...shares.map((s) => toNumber(s.share)));
  if (idle.length === 0 && minTarget < 1) {
    reasons.push({
      kind: 'starved-rate',
      text:
        `parallelism ${p} gives a runner ${fmt(minTarget)} transfers/s (< 1/s): too many runners for ${input.tps} TPS; ` +
        `use at most ${Math.max(1, Math.floor(input.tps))}`,
    });
  }
  if (runnerVus > CAPACITY.maxVusPerRunner) {
    reasons.push({
      kind: 'vus',
      text: `${runnerVus} VUs per runner exceeds ${CAPACITY.maxVusPerRunner} (k6 docs: one instance handles 30-40k VUs); use more runners`,
    });
  }
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
    vus,
    sizingLine,
    shares,
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

function fmt(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return x.toFixed(x < 10 ? 3 : 1).replace(/\.?0+$/, '');
}

/**
 * The smallest parallelism whose plan has no refusal. Stops early when more runners cannot help
 * (a runner would drop under 1 transfer/s, or the given --vus would leave one idle); skips counts
 * that do not divide a given --vus. Returns the last capacity failure when nothing fits.
 */
function chooseParallelism(input: PlanInput, r: Rates): Evaluation {
  const first = evaluate(input, 1, r);
  if (first.reasons.length === 0) return first;
  let last = first;
  for (let p = 2; p <= MAX_PARALLELISM; p++) {
    const next = evaluate(input, p, r);
    if (next.reasons.length === 0) return next;
    const kinds = new Set(next.reasons.map((x) => x.kind));
    if (kinds.has('starved-rate') || kinds.has('idle')) break;
    // At the floor already: more runners cannot make a runner smaller.
    const cpuStuck = kinds.has('cpu') && next.resources.cpuMillicores <= CAPACITY.minCpuMillicores;
    const memStuck = kinds.has('memory') && next.resources.memoryBytes <= CAPACITY.minMemoryBytes;
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
  const spec = PROFILES[input.profile];
  const peakFactor = peakRateFactor(spec);
  const r: Rates = {
    latencyMs: input.latencyMs ?? DEFAULT_HOLD_MS[input.mode],
    headroom: input.headroom ?? DEFAULT_HEADROOM,
    peakTps: input.tps * peakFactor,
    volume: input.tps * volumeFactor(spec) * (input.durationMs / 1000),
  };
  const lines: string[] = [
    `plan: profile ${input.profile}, mode ${input.mode} (dist/${bundleOf(input.mode)}.js), TARGET_TPS ${input.tps}, ` +
      `DURATION ${k6Duration(input.durationMs)}` +
      (peakFactor !== 1
        ? `; the profile peaks at ${peakFactor} × ${input.tps} = ${fmt(r.peakTps)} transfers/s`
        : ''),
    `transfers in the run: ${fmt(input.tps)}/s × ${fmt(volumeFactor(spec))} (profile volume) × ${input.durationMs / 1000} s = ` +
      `${fmt(r.volume)}`,
    `latency holding a VU: ${r.latencyMs} ms${input.latencyMs === undefined ? ` (default for ${input.mode})` : ''}`,
  ];
  const chosen = input.parallelism === undefined;
  const ev = chosen ? chooseParallelism(input, r) : evaluate(input, input.parallelism!, r);
  const p = ev.parallelism;
  lines.push(`parallelism: ${p}${chosen ? ' (the smallest that fits the runner size)' : ' (given)'}`);
  lines.push(ev.sizingLine);
  lines.push(
    `k6 split: each runner's segment, its maxVUs, and the rate k6 re-cuts by maxVUs ${ev.vus} (k6-semantics §2.3):`,
  );
  const tpsRat = ratFromNumber(input.tps, 'tps');
  for (const [i, s] of ev.shares.entries()) {
    lines.push(
      `  runner ${String(i + 1).padEnd(3)} segment ${s.segment.padEnd(11)} preAllocatedVUs = maxVUs = ${String(s.maxVUs).padEnd(6)} ` +
        `rate ${input.tps} × ${s.maxVUs}/${ev.vus} = ${decimalString(mul(tpsRat, s.share), 3)}/s`,
    );
  }
  if (input.mode === 'collect')
    lines.push('  + 1 collector VU per runner (constant-vus with vus = parallelism)');
  lines.push(...ev.lines);
  const share0 = ev.shares[0]!.share;
  const total = Math.floor(r.volume);
  if (p > 1) {
    lines.push(
      `per-runner thresholds: each runner sees ${decimalString(share0, 4)} of the samples; scale counts by it ` +
        `(a global count>=${total} is count>=${scaleCount(total, share0)} per runner); ratios and percentiles need no scaling`,
    );
  }
  if (ev.reasons.length > 0)
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

  const runners: RunnerPlan[] = ev.shares.map((s, i) => ({
    runner: i + 1,
    segment: s.segment,
    preAllocatedVUs: s.preAllocatedVUs,
    maxVUs: s.maxVUs,
    share: s.share,
    targetTps: toNumber(mul(tpsRat, s.share)),
    peakTps: r.peakTps * toNumber(s.share),
    expectedTransfers: scaleCount(total, s.share),
  }));
  const env: Record<string, string> = {
    PROFILE: input.profile,
    TARGET_TPS: String(input.tps),
    DURATION: k6Duration(input.durationMs),
    PARALLELISM: String(p),
  };
  const m = modeEnv(input.mode);
  if (m) env.MODE = m;
  env.EXPECTED_LATENCY_MS = String(r.latencyMs);
  return {
    tps: input.tps,
    peakTps: r.peakTps,
    mode: input.mode,
    profile: input.profile,
    bundle: bundleOf(input.mode),
    durationMs: input.durationMs,
    latencyMs: r.latencyMs,
    headroom: r.headroom,
    parallelism: p,
    parallelismChosen: chosen,
    vus: ev.vus,
    extraVusPerRunner: input.mode === 'collect' ? 1 : 0,
    runners,
    resources: ev.resources,
    runnerCpuMillicores: input.runnerCpuMillicores,
    runnerMemoryBytes: input.runnerMemoryBytes,
    totalTransfers: total,
    env,
    arithmetic: lines,
    warnings,
  };
}
