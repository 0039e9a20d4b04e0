/**
 * The analyzer's result model: what report.json holds and what the Markdown and HTML reports
 * render. Times are seconds from the run start (the earliest sample of any runner) unless named
 * `...Iso`; rates are per second; latencies are milliseconds.
 */

export interface Percentiles {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
  mean: number | null;
}

/** Where the target rate comes from. */
export type TargetSource = 'flag' | 'inferred' | 'none';

/** Which metrics measured the run: the kit's `ml_*` metrics or k6's built-ins only. */
export type Flavour = 'kit' | 'builtin';

export interface Counts {
  sent: number;
  accepted: number;
  committed: number;
  rejected: number;
  rejectedAsync: number;
  /** Request without an HTTP answer and no outcome (recorded, plus whole-run counts' share of `neverArrived`). */
  transportFailed: number;
  /** POST /transfers without an HTTP answer in collect mode (whether the hub got them shows by their outcome). */
  postTransportErrors: number;
  /** Timed out: recorded as late outcomes, plus (whole-run counts only) `neverArrived`. */
  timedOut: number;
  /**
   * Transfers sent whose outcome never arrived while the run lasted (whole-run counts only; 0 for
   * windows): sent − committed − rejected − recorded timeouts, as the kit's own summary computes it.
   * k6 cannot emit a sample for an outcome that never comes, so this is derived, never observed.
   */
  neverArrived: number;
  late: number;
  duplicate: number;
  evicted: number;
  iterations: number;
  dropped: number;
  httpReqs: number;
  httpFailed: number;
}

export interface Figures {
  fromSec: number;
  toSec: number;
  durationSec: number;
  /** Target transfers (iterations) per second. */
  targetTps: number | null;
  /** Completed successfully per second: committed transfers (kit) or finished iterations. */
  achievedTps: number;
  /** Finished with any outcome per second (committed + rejected, or iterations). */
  completedTps: number;
  /** Started per second (transfers sent, or iterations for plain k6 runs). */
  startedTps: number;
  droppedPerSec: number;
  /** achievedTps / targetTps. */
  attainment: number | null;
  /** dropped / (started + dropped). */
  dropShare: number | null;
  /** committed / (committed + rejected + timed out); null without kit metrics. */
  successRatio: number | null;
  /** Share of latencies of record above 1 s (Mojaloop invariant: at most 1%). */
  over1sShare: number | null;
  /** http_req_failed rate. */
  httpErrorRate: number | null;
  counts: Counts;
  /** Latency of record plus every other latency histogram: `e2e`, `phase:<name>`, `http_req_duration`, ... */
  latency: Record<string, Percentiles>;
  scheduleLag: Percentiles | null;
  vusMean: number | null;
  vusMax: number | null;
  vusMaxCapacity: number | null;
  /** Share of seconds in which running VUs were at >= 95% of vus_max. */
  vusSaturatedShare: number | null;
  /**
   * Totals per outcome: for kit runs COMMITTED, TIMEOUT and the rejection error codes; for plain
   * k6 runs the HTTP statuses (`http:<status>`).
   */
  outcomes: Record<string, number>;
  /** http_reqs per status (`http:<status>`). */
  httpStatuses: Record<string, number>;
}

export interface PctSeries {
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
  count: number[];
}

export interface Series {
  stepSec: number;
  /** Window start, seconds from the run start. */
  t: number[];
  targetTps: (number | null)[];
  achievedTps: number[];
  completedTps: number[];
  startedTps: number[];
  droppedPerSec: number[];
  vus: (number | null)[];
  vusMax: (number | null)[];
  scheduleLag: PctSeries | null;
  latency: Record<string, PctSeries>;
  /** Per outcome code (as in {@link Figures.outcomes}), per second. */
  outcomes: Record<string, number[]>;
}

export interface RunnerSummary {
  key: string;
  instanceId: string | null;
  files: string[];
  firstSec: number;
  lastSec: number;
  points: number;
  counts: Counts;
}

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface GateCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface Gate {
  valid: boolean;
  checks: GateCheck[];
}

export type DetectionKind =
  | 'plateau_below_target'
  | 'latency_growth'
  | 'sawtooth'
  | 'pause'
  | 'generator_starvation'
  | 'hub_stall_drops';

export interface TimeRange {
  fromSec: number;
  toSec: number;
}

export interface Detection {
  kind: DetectionKind;
  /** Which side the finding points at. */
  side: 'hub' | 'generator';
  /** Short statement with numbers. */
  summary: string;
  ranges: TimeRange[];
  /** Named numbers behind the finding (rates, slopes, periods, shares). */
  evidence: Record<string, number | string>;
}

import type { VerdictStatus } from '../../lib/verdict/status.ts';

export type { VerdictStatus };
export type Culprit = 'none' | 'hub' | 'generator' | 'hub+generator' | 'unknown';

export interface Verdict {
  status: VerdictStatus;
  culprit: Culprit;
  headline: string;
  evidence: string[];
  nextSteps: string[];
}

export interface InputSummary {
  file: string;
  format: string;
  gzip: boolean;
  bytes: number;
  lines: number;
  points: number;
  malformed: number;
  /** First malformed lines: `{ line, reason }`. */
  examples: { line: number; reason: string }[];
  truncated?: string;
}

/** The steady-state window of the run (see analyzer/steady-state.ts). */
export interface SteadyState {
  /** Offsets from the run start, in whole seconds: [startSec, endSec). */
  startSec: number;
  endSec: number;
  warmupSec: number;
  drainSec: number;
  /** How the window was chosen, in words, for the report. */
  rule: string;
  /** True when the trims would have left nothing and the full run is used instead. */
  fullRunFallback: boolean;
}

export interface AnalysisReport {
  version: 1;
  generatedAt: string;
  flavour: Flavour;
  /** Which histogram is the latency of record (`e2e`, `http_req_duration` or `iteration_duration`). */
  latencyOfRecord: string | null;
  run: { startIso: string; endIso: string; durationSec: number; testruns: string[] };
  target: { tps: number | null; source: TargetSource; detail: string };
  steadyState: SteadyState;
  full: Figures;
  steady: Figures;
  runners: RunnerSummary[];
  inputs: InputSummary[];
  series: { s1: Series; s10: Series };
  detections: Detection[];
  gate: Gate;
  verdict: Verdict;
  /** Metrics present in the input the analyzer did not use, with sample counts. */
  otherMetrics: Record<string, number>;
  /** Relative error bound of every reported percentile. */
  percentilePrecision: number;
  notes: string[];
}
