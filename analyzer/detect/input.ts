/**
 * What the series-level detectors look at: one value per second of the range under study (the
 * steady state), all runners together. Plain arrays so that any source can feed them: the
 * analyzer's {@link RunView}, a synthetic corpus, a test table. NaN means "no data that second".
 */
export interface DetectInput {
  /** Run offset (s) of index 0, so findings can name time ranges of the run. */
  offsetSec: number;
  /** Target rate per second (NaN when unknown). */
  target: ArrayLike<number>;
  /** True when the target comes from the user (`--target-tps`), false when inferred from the schedule. */
  targetGiven: boolean;
  /** Completed successfully per second (committed, or iterations). */
  achieved: ArrayLike<number>;
  /** Started per second (transfers sent, or iterations). */
  started: ArrayLike<number>;
  /** dropped_iterations per second. */
  dropped: ArrayLike<number>;
  /** Global running VUs and vus_max (NaN when not reported). */
  vus: ArrayLike<number>;
  vusMax: ArrayLike<number>;
  /** Latency of record per second: p50, p95 and max (ms, NaN when nothing completed) and count. */
  latP50: ArrayLike<number>;
  latP95: ArrayLike<number>;
  latMax: ArrayLike<number>;
  latCount: ArrayLike<number>;
  /**
   * How many of second i's latencies exceed `ms` (from its histogram). Lets the hub detector check
   * pauses on pre-aggregated seconds; without it pauses are judged from p95 spikes only.
   */
  latCountAbove?: (i: number, ms: number) => number;
  /** ml_schedule_lag per second: p50 and p99, ms (NaN when absent). */
  lagP50: ArrayLike<number>;
  lagP99: ArrayLike<number>;
  /**
   * ml_client_overhead per second: p50 and p99, ms (optional; NaN when absent). A starved runner
   * stretches the client-side time of the iterations it runs, even when it starts them on time.
   */
  overheadP50?: ArrayLike<number>;
  overheadP99?: ArrayLike<number>;
  /**
   * iteration_duration per second: p50 and p95, ms (optional; NaN when absent): how long an
   * iteration held its VU.
   */
  iterP50?: ArrayLike<number>;
  iterP95?: ArrayLike<number>;
  /**
   * What the VU pool was sized for: the latency holding a VU, ms (the run's EXPECTED_LATENCY_MS;
   * optional). Iterations far longer than this, spent waiting on the network, are the hub's answers
   * exhausting the pool (the in-run verdict's rule, lib/verdict/verdict.ts).
   */
  plannedHoldMs?: number;
  /**
   * Lowest per-second p50 latency seen in the whole run (including warm-up), ms: the latency of
   * the system when lightly loaded. A steady state whose latency sits well above it is queueing.
   */
  floorLatP50?: number;
}

/** Thresholds of the detectors; defaults documented in docs/analyzer.md. */
export interface DetectOptions {
  /** Achieved may fall short of the target by this share before it counts (default 0.02). */
  attainmentTolerance: number;
  /** A second is "stalled" when achieved is at most this share of the reference rate (default 0.1). */
  stallShare: number;
  /**
   * A second is "late" when its schedule-lag p99 (or client-overhead p99) exceeds the recent floor
   * of its p50 by this (ms, default 25).
   */
  lagThresholdMs: number;
  /** Latency is "elevated" above baseline × this factor (default 1.5). */
  spikeFactor: number;
}

export const DEFAULT_DETECT_OPTIONS: DetectOptions = {
  attainmentTolerance: 0.02,
  stallShare: 0.1,
  lagThresholdMs: 25,
  spikeFactor: 1.5,
};
