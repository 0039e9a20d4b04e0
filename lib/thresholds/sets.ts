import { parseDurationMs } from '../config/duration.ts';
import { PROFILE_NAMES, type ProfileName } from '../config/profiles.ts';
import { METRIC, metricInfo } from '../metrics/registry.ts';
import { checkThreshold, type K6MetricType } from './grammar.ts';

/**
 * Threshold sets as typed data: the Mojaloop invariant, generator health and hub degradation, and
 * `thresholdsFor()` composing them for a run. The run plan (`planRun` in lib/plan/run-plan.ts) takes
 * them through `composedThresholds` (lib/plan/options.ts) and merges them with its own.
 *
 * Under k6-operator every runner evaluates thresholds on its own samples (docs/facts/operator.md#per-runner-thresholds): so
 * everything is a ratio or a percentile, except the dropped-iterations budget, an absolute count
 * divided by PARALLELISM. `abortOnFail` is used where continuing only burns cluster time (the run
 * can no longer pass and will not tell more): always with `delayAbortEval` so a start-up transient
 * cannot abort, and never in smoke runs. Exit codes: a failed threshold makes k6 exit 99, during
 * the run (abortOnFail) or at the end.
 */
export type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: string };

export interface ThresholdRule {
  metric: string;
  spec: ThresholdSpec;
  /** what failing it means, for docs and reports */
  why: string;
}

export interface ThresholdSet {
  name: 'mojaloop-invariant' | 'generator-health' | 'hub-degradation';
  rules: ThresholdRule[];
}

export interface ThresholdInputs {
  profile: ProfileName;
  /** k6 runners sharing the load (k6-operator parallelism) */
  parallelism: number;
  /** whole-test target, transfers per second */
  targetTps: number;
  /** steady-state duration, seconds (scales the dropped-iterations budget) */
  durationS: number;
  /** drop the generator-health set (e.g. a closed-model smoke check) */
  generator?: boolean;
  /** drop the hub-degradation set */
  hub?: boolean;
}

/** Share of planned iterations that may be dropped over a run (per runner, as a count). */
export const DROPPED_BUDGET = 0.001;
/** Average dropped share of the per-runner rate that aborts the run (results would be invalid). */
export const DROPPED_ABORT = 0.05;

function check(inputs: ThresholdInputs): void {
  if (!PROFILE_NAMES.includes(inputs.profile)) {
    throw new Error(
      `profile: expected one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(inputs.profile)}`,
    );
  }
  if (!Number.isInteger(inputs.parallelism) || inputs.parallelism < 1) {
    throw new Error(`parallelism: expected an integer >= 1, got ${inputs.parallelism}`);
  }
  if (!(inputs.targetTps > 0) || !Number.isFinite(inputs.targetTps)) {
    throw new Error(`targetTps: expected a positive number, got ${inputs.targetTps}`);
  }
  if (!(inputs.durationS > 0) || !Number.isFinite(inputs.durationS)) {
    throw new Error(`durationS: expected a positive number of seconds, got ${inputs.durationS}`);
  }
}

const guard = (threshold: string, delayAbortEval: string): ThresholdSpec => ({
  threshold,
  abortOnFail: true,
  delayAbortEval,
});

/** p99 < 1 s, at most 1 % over 1 s, success >= 99.9 %; a catastrophic failure rate aborts. */
export function mojaloopInvariant(inputs: ThresholdInputs): ThresholdSet {
  check(inputs);
  const smoke = inputs.profile === 'smoke';
  const breakpoint = inputs.profile === 'breakpoint';
  const rules: ThresholdRule[] = [
    {
      metric: METRIC.transferE2e,
      spec: 'p(99)<1000',
      why: 'p99 end-to-end transfer latency must stay under 1 s',
    },
    {
      metric: METRIC.transferOver1s,
      spec: breakpoint ? guard('rate<=0.01', '30s') : 'rate<=0.01',
      why: 'at most 1 % of transfers may take over 1 s (a breakpoint run stops at the first sustained breach)',
    },
    { metric: METRIC.transferSuccess, spec: 'rate>=0.999', why: 'at least 99.9 % of transfers must commit' },
  ];
  if (!smoke) {
    rules.push({
      metric: METRIC.transferSuccess,
      spec: guard('rate>=0.9', '1m'),
      why: 'more than 10 % failing after the first minute: the run cannot pass, stop it',
    });
  }
  return { name: 'mojaloop-invariant', rules };
}

/** Dropped iterations (scaled by PARALLELISM), starvation checks, schedule lag. */
export function generatorHealth(inputs: ThresholdInputs): ThresholdSet {
  check(inputs);
  const perRunnerTps = inputs.targetTps / inputs.parallelism;
  const budget = Math.max(
    1,
    Math.ceil((DROPPED_BUDGET * inputs.targetTps * inputs.durationS) / inputs.parallelism),
  );
  const abortRate = round3(DROPPED_ABORT * perRunnerTps);
  const smoke = inputs.profile === 'smoke';
  const rules: ThresholdRule[] = [
    {
      metric: 'dropped_iterations',
      spec: `count<=${budget}`,
      why: `at most ${DROPPED_BUDGET * 100} % of this runner's planned iterations may be dropped (${budget} = ${DROPPED_BUDGET} x ${inputs.targetTps}/s x ${inputs.durationS} s / ${inputs.parallelism} runners)`,
    },
    {
      metric: METRIC.generatorStarved,
      spec: 'rate<0.05',
      why: 'the starvation detector may fire in at most 5 % of its checks',
    },
    {
      metric: METRIC.generatorCpuStarved,
      spec: 'rate<0.05',
      why: 'the runner may be CPU-starved in at most 5 % of the checks',
    },
    {
      metric: METRIC.scheduleLag,
      spec: 'p(95)<250',
      why: '95 % of iterations must start within 250 ms of their schedule',
    },
  ];
  if (!smoke) {
    rules.push(
      {
        metric: 'dropped_iterations',
        spec: guard(`rate<=${abortRate}`, '30s'),
        why: `dropping over ${DROPPED_ABORT * 100} % of this runner's ${round3(perRunnerTps)}/s: the generator, not the hub, is measured; stop`,
      },
      {
        metric: METRIC.generatorStarved,
        spec: guard('rate<0.5', '2m'),
        why: 'starved in half of the checks after 2 minutes: fix the generator first',
      },
    );
  }
  return { name: 'generator-health', rules };
}

/** Drift and sawtooth checks; a soak stops early when the hub keeps degrading. */
export function hubDegradation(inputs: ThresholdInputs): ThresholdSet {
  check(inputs);
  const rules: ThresholdRule[] = [
    {
      metric: METRIC.latencyDrifting,
      spec: 'rate<0.1',
      why: 'latency may drift upward in at most 10 % of the checks',
    },
    {
      metric: METRIC.latencySawtooth,
      spec: 'rate<0.1',
      why: 'a latency sawtooth may show in at most 10 % of the checks',
    },
  ];
  if (inputs.profile === 'soak') {
    rules.push({
      metric: METRIC.hubDegrading,
      spec: guard('rate<0.5', '15m'),
      why: 'degrading in half of the checks after 15 minutes of a soak: it will not recover, stop',
    });
  }
  return { name: 'hub-degradation', rules };
}

export interface ComposedThresholds {
  /** k6 `options.thresholds` */
  thresholds: Record<string, ThresholdSpec[]>;
  sets: ThresholdSet[];
  /** every metric named, with its k6 type (all declared: built-in, transfer or detector metrics) */
  metrics: Record<string, K6MetricType>;
}

/** The threshold sets for a run, composed and validated (grammar, declared metric, aggregation). */
export function thresholdsFor(inputs: ThresholdInputs): ComposedThresholds {
  check(inputs);
  const sets = [mojaloopInvariant(inputs)];
  if (inputs.generator !== false) sets.push(generatorHealth(inputs));
  if (inputs.hub !== false) sets.push(hubDegradation(inputs));
  const thresholds: Record<string, ThresholdSpec[]> = {};
  const metrics: Record<string, K6MetricType> = {};
  for (const set of sets) {
    for (const r of set.rules) {
      const type = metricInfo(r.metric)?.type;
      if (!type) throw new Error(`threshold set ${set.name}: metric ${r.metric} is not declared anywhere`);
      validateSpec(r.metric, type, r.spec);
      metrics[r.metric] = type;
      const list = thresholds[r.metric] ?? [];
      list.push(r.spec);
      thresholds[r.metric] = list;
    }
  }
  return { thresholds, sets, metrics };
}

/** Throws unless the spec is valid k6 for a metric of `type`. */
export function validateSpec(metric: string, type: K6MetricType, spec: ThresholdSpec): void {
  const expr = typeof spec === 'string' ? spec : spec.threshold;
  checkThreshold(metric, type, expr);
  if (
    typeof spec !== 'string' &&
    spec.delayAbortEval !== undefined &&
    !((parseDurationMs(spec.delayAbortEval) ?? 0) > 0)
  ) {
    throw new Error(
      `threshold ${expr} on ${metric}: delayAbortEval ${JSON.stringify(spec.delayAbortEval)} is not a k6 duration`,
    );
  }
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
