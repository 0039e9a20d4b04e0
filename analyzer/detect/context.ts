/**
 * Reference levels shared by the series detectors, computed once per range: the typical rate, the
 * typical latency, and which seconds look like the hub misbehaving (latency elevated or completions
 * stalled). Cause-versus-consequence attribution of dropped iterations relies on these.
 */
import type { DetectInput, DetectOptions } from './input.ts';
import { median } from './stats.ts';

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
  /** Per second: running VUs at >= 90% of vus_max (true when unknown). */
  busy: boolean[];
  /**
   * The whole range runs at a latency well above the lightly-loaded latency (median p50 at least
   * twice the run's floor p50 plus 5 ms): requests are queueing in the hub. Then drops with busy
   * VUs are the hub's even when the latency is flat within the range (a saturated hub holds every
   * VU for the queue time, and the queue never drains).
   */
  queued: boolean;
  /**
   * Per second: hub trouble within [i-2, i+5]: latency elevated, or completions stalled while the VUs
   * are busy (waiting on the hub). The window looks ahead because the latency of a stall is recorded
   * when the stalled transfers finally complete.
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
  const hubNear: boolean[] = new Array(n).fill(false);
  for (let i = 0; i < n; i++) {
    for (let j = Math.max(0, i - 2); j <= Math.min(n - 1, i + 5); j++) {
      if (elevated[j] || (stalled[j] && busy[j])) {
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
  return { n, refRate, baselineP95, baselineP50, medianAchieved, elevated, stalled, busy, hubNear, queued };
}
