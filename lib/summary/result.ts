/**
 * The JSON result of a run (one per k6 runner): what was asked, what was achieved, the outcomes,
 * latency percentiles, the accounting equation, threshold results, and room for the verdict
 * fields lib/verdict derives. Field names are a contract with the analyzer: add, never rename.
 */

import { METRIC } from '../metrics/registry.ts';
import { countOf, rateOf, type SummaryView, statOf, thresholdResults } from '../metrics/summary-view.ts';
import { PHASES, SUMMARY_TREND_STATS } from '../plan/options.ts';
import { type Accounting, accountingOf } from './accounting.ts';

export const RESULT_SCHEMA_VERSION = 1;

/** What the run was configured to do (from the run config and the planned options). */
export interface RunInfo {
  scenario: string;
  profile: string;
  mode: string;
  api: string;
  fspiopVersion: string;
  /** Whole-test target, all runners. */
  targetTps: number;
  parallelism: number;
  /** This runner's index, when known. */
  runner: number | undefined;
  /** Length of the load-generating scenario, ms (the denominator of achieved TPS). */
  loadLengthMs: number;
  timeoutMs: number;
  /** preAllocatedVUs = maxVUs, whole test. */
  vus: number;
  /**
   * The latency the VU pool was sized for, ms (EXPECTED_LATENCY_MS or the mode's default): the
   * analyzer reads it from `--run-config` to tell a slow hub from a short pool.
   */
  expectedLatencyMs: number;
}

export interface LatencyStats {
  avg?: number;
  min?: number;
  med?: number;
  max?: number;
  'p(90)'?: number;
  'p(95)'?: number;
  'p(99)'?: number;
  count?: number;
}

export interface RunResult {
  schemaVersion: number;
  summaryShape: SummaryView['shape'];
  run: RunInfo;
  target: { tps: number; tpsPerRunner: number; durationS: number };
  achieved: {
    /** Transfers sent per second over the load phase, this runner. */
    sentTps: number;
    /** Transfers committed per second over the load phase, this runner. */
    committedTps: number;
    /** committedTps / this runner's share of the target. */
    attainment: number;
    /** committed / sent (every transfer sent, including those whose outcome never arrived). */
    successRatio: number | undefined;
  };
  outcomes: Accounting;
  latency: {
    e2e: LatencyStats;
    /** http_req_duration of all requests (relay long-polls included). */
    http: LatencyStats;
    /** http_req_duration of the request carrying the transfer (POST /transfers, or the outbound call). */
    sync: LatencyStats;
    phases: Record<string, LatencyStats>;
    /** Share of final outcomes slower than 1 s (the Mojaloop invariant: ≤ 1 %), of those with a known latency. */
    over1sRatio: number | undefined;
    /** Final outcomes whose latency is unknown (no send time); they are in none of the figures above. */
    unknown: number;
  };
  generator: { droppedIterations: number };
  thresholds: Array<{ metric: string; expression: string; ok: boolean }>;
  /** True when every threshold passed (undefined when the summary shape carries no results). */
  thresholdsOk: boolean | undefined;
  /** Filled by lib/verdict when available. */
  verdict?: unknown;
}

function stats(view: SummaryView, metric: string): LatencyStats {
  const out: Record<string, number> = {};
  for (const s of SUMMARY_TREND_STATS) {
    const v = statOf(view, metric, s);
    if (v !== undefined) out[s] = Math.round(v * 1000) / 1000;
  }
  return out as LatencyStats;
}

/**
 * Share of final outcomes over 1 s, counting transfers whose outcome never arrived as over 1 s:
 * the run-time Rate could not see them (collect mode learns of them only here).
 */
function over1s(view: SummaryView, neverArrived: number): number | undefined {
  const v = view.metrics.get(METRIC.transferOver1s)?.values;
  const missing = Math.max(0, neverArrived);
  if (!v || v.passes === undefined || v.fails === undefined) {
    const r = rateOf(view, METRIC.transferOver1s);
    return missing > 0 ? undefined : r;
  }
  const total = v.passes + v.fails + missing;
  return total > 0 ? (v.passes + missing) / total : undefined;
}

/** The one `http_req_duration{name:...}` sub-metric the options keep (see lib/config/options.ts). */
function syncStats(view: SummaryView): LatencyStats {
  for (const name of view.metrics.keys()) {
    if (name.startsWith('http_req_duration{name:')) return stats(view, name);
  }
  return {};
}

export function buildResult(view: SummaryView, run: RunInfo): RunResult {
  const outcomes = accountingOf(view);
  // The planned load length, or less when the run was aborted before it ended.
  const seconds = Math.min(run.loadLengthMs, view.testRunDurationMs ?? Number.POSITIVE_INFINITY) / 1000;
  const perRunner = run.targetTps / Math.max(1, run.parallelism);
  const committedTps = seconds > 0 ? outcomes.committed / seconds : 0;
  const thresholds = thresholdResults(view);
  const phases: Record<string, LatencyStats> = {};
  for (const phase of PHASES) {
    const s = stats(view, `${METRIC.phaseDuration}{phase:${phase}}`);
    // An empty Trend reports zeros (docs/facts/k6.md#empty-metrics): show only phases that had samples.
    if ((s.count ?? 0) > 0) phases[phase] = s;
  }
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    summaryShape: view.shape,
    run,
    target: { tps: run.targetTps, tpsPerRunner: perRunner, durationS: seconds },
    achieved: {
      sentTps: seconds > 0 ? outcomes.sent / seconds : 0,
      committedTps,
      attainment: perRunner > 0 ? committedTps / perRunner : 0,
      successRatio: outcomes.sent > 0 ? outcomes.committed / outcomes.sent : undefined,
    },
    outcomes,
    latency: {
      e2e: stats(view, METRIC.transferE2e),
      http: stats(view, 'http_req_duration'),
      sync: syncStats(view),
      phases,
      // transfers that timed out without a word count as over 1 s; transport failures do not
      over1sRatio: over1s(view, outcomes.timedOut - outcomes.timedOutRecorded),
      unknown: countOf(view, METRIC.latencyUnknown),
    },
    generator: { droppedIterations: countOf(view, 'dropped_iterations') },
    thresholds,
    thresholdsOk: view.shape === 'legacy' ? thresholds.every((t) => t.ok) : undefined,
  };
}
