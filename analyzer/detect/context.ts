/**
 * Reference levels shared by the series detectors, computed once per range: the typical rate, the
 * typical latency, and which seconds look like the hub misbehaving (latency elevated or completions
 * stalled). Cause-versus-consequence attribution of dropped iterations relies on these.
 */
import type { DetectInput, DetectOptions } from './input.ts';
import { burstAbove, median } from './stats.ts';

export interface DetectContext {
  n: number;
  /** Typical rate: median target, or median achieved when no target is known. */
  refRate: number;
  /** Median p95 latency of record over the range (ms). */
  baselineP95: number;
  baselineP50: number;
  /** Per second: p95 latency above baseline × spikeFactor + 5 ms. */
  elevated: boolean[];
  /** Median achieved rate over the range. */
  medianAchieved: number;
  /**
   * Per second: achieved at most half its own median over the range. A dip against the run's own
   * level (not against the target), so a generator that is steadily short of VUs is not a "stall".
   */
  stalled: boolean[];
  /**
   * Per second: running VUs at >= 90% of vus_max (true when unknown); when the hub's answers held
   * the VUs (`heldByHub`), at >= 50% outside client stalls.
   */
  busy: boolean[];
  /**
   * The whole range runs at a latency well above the lightly-loaded latency (median p50 at least
   * twice the run's floor p50 plus 5 ms): requests are queueing in the hub. Then drops with busy
   * VUs are the hub's even when the latency is flat within the range (a saturated hub holds every
   * VU for the queue time, and the queue never drains).
   */
  queued: boolean;
  /**
   * Per second: the generator itself stalled: its client-side time (`ml_client_overhead` p99) burst
   * above the recent floor of its p50, or its starts ran late in a burst with no drop around (drops
   * make the kit's lag grow on their own). A CPU-starved runner stretches the iterations it runs and
   * so measures its own stall as latency: such a second's latency is no evidence against the hub.
   */
  clientStall: boolean[];
  /** Median iteration time (iteration_duration p50) over the range, ms (NaN when unknown). */
  holdP50: number;
  /** Median p95 iteration time over the range, ms (NaN when unknown). */
  holdP95: number;
  /** Median client-side time (ml_client_overhead p50) / median iteration time (NaN when unknown). */
  overheadShare: number;
  /**
   * The hub's answers held the VUs: iterations took more than twice what the pool was sized for
   * (`plannedHoldMs`), and the client's own time was under half of them. Then drops with busy VUs
   * are the hub's (the in-run verdict's rule).
   */
  heldByHub: boolean;
  /**
   * Per second: hub trouble within [i-2, i+5]: latency elevated (not by a client stall), or
   * completions stalled while the VUs are busy (waiting on the hub). The window looks ahead because
   * the latency of a stall is recorded when the stalled transfers finally complete.
   */
  hubNear: boolean[];
}

export function detectContext(x: DetectInput, o: DetectOptions): DetectContext {
  const n = x.achieved.length;
  const mt = median(x.target);
  const refRate = Number.isFinite(mt) && mt > 0 ? mt : median(x.achieved);
  const baselineP95 = median(x.latP95);
  const baselineP50 = median(x.latP50);
  const medianAchieved = median(x.achieved);
  const elevated: boolean[] = new Array(n).fill(false);
  const stalled: boolean[] = new Array(n).fill(false);
  const busy: boolean[] = new Array(n).fill(true);
  for (let i = 0; i < n; i++) {
    const p = x.latP95[i]!;
    elevated[i] = Number.isFinite(p) && Number.isFinite(baselineP95) && p > baselineP95 * o.spikeFactor + 5;
    stalled[i] = medianAchieved > 0 && x.achieved[i]! <= 0.5 * medianAchieved;
    const v = x.vus[i]!;
    const m = x.vusMax[i]!;
    if (Number.isFinite(v) && Number.isFinite(m) && m > 0) busy[i] = v >= 0.9 * m;
  }
  const clientStall: boolean[] = new Array(n).fill(false);
  for (let i = 0; i < n; i++) {
    let recentDrops = false;
    for (let j = Math.max(0, i - 3); j <= i; j++) if (x.dropped[j]! > 0) recentDrops = true;
    clientStall[i] =
      (x.overheadP99 !== undefined &&
        x.overheadP50 !== undefined &&
        burstAbove(x.overheadP99, x.overheadP50, i, o.lagThresholdMs)) ||
      (!recentDrops && burstAbove(x.lagP99, x.lagP50, i, o.lagThresholdMs));
  }
  const holdP50 = x.iterP50 !== undefined ? median(x.iterP50) : Number.NaN;
  const holdP95 = x.iterP95 !== undefined ? median(x.iterP95) : Number.NaN;
  const ohP50 = x.overheadP50 !== undefined ? median(x.overheadP50) : Number.NaN;
  const overheadShare = holdP50 > 0 && Number.isFinite(ohP50) ? ohP50 / holdP50 : Number.NaN;
  const heldByHub =
    x.plannedHoldMs !== undefined &&
    x.plannedHoldMs > 0 &&
    holdP50 > 2 * x.plannedHoldMs &&
    !(overheadShare >= 0.5);
  // a client stall spills into the next second (what it delayed completes then)
  const stallNear = (j: number): boolean =>
    clientStall[j]! || (j > 0 && clientStall[j - 1]!) || (j + 1 < n && clientStall[j + 1]!);
  const hubNear: boolean[] = new Array(n).fill(false);
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - 2); j <= Math.min(n - 1, i + 5); j++) {
      if (!stallNear(j) && (elevated[j] || (stalled[j] && busy[j]))) {
        hubNear[i] = true;
        break;
      }
    }
  }
  const floor = x.floorLatP50;
  const queued =
    floor !== undefined &&
    Number.isFinite(floor) &&
    Number.isFinite(baselineP50) &&
    baselineP50 >= 2 * floor + 5;
  if (queued) for (let i = 0; i < n; i++) if (busy[i]) hubNear[i] = true;
  // Held by the hub: the pool ran dry on the hub's answers, so drops while most VUs were held are
  // the hub's (k6 samples the VUs once a second: a small pool seldom reads 90 % busy at that
  // instant), unless the generator itself stalled then.
  if (heldByHub) {
    for (let i = 0; i < n; i++) {
      const v = x.vus[i]!;
      const m = x.vusMax[i]!;
      const most = !(Number.isFinite(v) && Number.isFinite(m) && m > 0) || v >= 0.5 * m;
      if (most && !clientStall[i]) {
        hubNear[i] = true;
        busy[i] = true;
      }
    }
  }
  return {
    n,
    refRate,
    baselineP95,
    baselineP50,
    medianAchieved,
    elevated,
    stalled,
    busy,
    clientStall,
    holdP50,
    holdP95,
    overheadShare,
    heldByHub,
    hubNear,
    queued,
  };
}
