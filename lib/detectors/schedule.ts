/**
 * When k6 starts each iteration of an arrival-rate scenario, as seen by one runner.
 *
 * k6 gives iteration g of a constant-arrival-rate scenario the absolute start
 * `startTime + g * timeUnit / rate`; ramping-arrival-rate starts iteration g when the area under
 * the piecewise-linear rate curve reaches g + 1 (k6's `cal()` counts area from 1). A late
 * scheduler catches up in a burst, and a start with no idle VU is dropped without advancing the
 * iteration counter (docs/facts/k6.md#arrival-rate and #schedule-lag). So for the runner's
 * own counter i = `exec.scenario.iterationInInstance`, `now - (startTime + dueAt(i))` is the
 * schedule lag: ~0 when healthy, the backlog of dropped starts (in time) after drops, and the
 * scheduler's lateness during a CPU stall.
 *
 * Under execution segments a runner starts the stripe of global iterations that k6 gives it after
 * re-segmenting by `maxVUs` (docs/facts/k6.md#rate-split): its rate is `rate x runnerMaxVUs / maxVUs`. The
 * schedules below are per runner: pass the runner's rate (constant) or its share (ramping). The
 * runner's i-th start is due within one global interval of dueAt(i) (stripes interleave).
 */
export interface ArrivalSchedule {
  readonly kind: 'constant' | 'ramping';
  /** expected local starts by offset `tMs` from the scenario start (continuous; for differences) */
  dueBy(tMs: number): number;
  /** offset (ms from the scenario start) at which local iteration `i` (0-based) is due */
  dueAt(i: number): number;
  /** this runner's target rate at offset `tMs`, iterations per second */
  rateAt(tMs: number): number;
  /** scheduled duration, ms (Infinity for an open-ended constant schedule) */
  readonly durationMs: number;
}

export interface ConstantScheduleInput {
  /** this runner's iterations per `timeUnitMs` */
  rate: number;
  timeUnitMs?: number;
  durationMs?: number;
}

export function constantSchedule(input: ConstantScheduleInput): ArrivalSchedule {
  const unit = input.timeUnitMs ?? 1000;
  if (!(input.rate > 0) || !Number.isFinite(input.rate)) {
    throw new Error(`rate: expected a positive number of iterations per timeUnit, got ${input.rate}`);
  }
  if (!(unit > 0)) throw new Error(`timeUnitMs: expected a positive number of milliseconds, got ${unit}`);
  const interval = unit / input.rate;
  const perSecond = (input.rate * 1000) / unit;
  const durationMs = input.durationMs ?? Number.POSITIVE_INFINITY;
  return {
    kind: 'constant',
    durationMs,
    dueBy: (t) => Math.max(0, Math.min(t, durationMs)) / interval,
    dueAt: (i) => i * interval,
    rateAt: (t) => (t >= 0 && t < durationMs ? perSecond : 0),
  };
}

export interface RampingStage {
  durationMs: number;
  /** global target rate at the end of the stage, iterations per timeUnit */
  target: number;
}

export interface RampingScheduleInput {
  /** global start rate, iterations per timeUnit (k6 `startRate`, default 0) */
  startRate?: number;
  timeUnitMs?: number;
  stages: readonly RampingStage[];
  /** this runner's share of the global schedule: runnerMaxVUs / maxVUs (1 when unsegmented) */
  share?: number;
}

export function rampingSchedule(input: RampingScheduleInput): ArrivalSchedule {
  const unit = input.timeUnitMs ?? 1000;
  const share = input.share ?? 1;
  if (!(unit > 0)) throw new Error(`timeUnitMs: expected a positive number of milliseconds, got ${unit}`);
  if (!(share > 0 && share <= 1)) throw new Error(`share: expected a number in (0, 1], got ${share}`);
  if (!Array.isArray(input.stages) || input.stages.length === 0) {
    throw new Error('stages: expected at least one {durationMs, target} stage');
  }
  const k = input.stages.length;
  // per stage: start offset, start rate and end rate (global, per ms), cumulative area at its start
  const t0 = new Float64Array(k + 1);
  const r0 = new Float64Array(k);
  const r1 = new Float64Array(k);
  const a0 = new Float64Array(k + 1);
  let from = (input.startRate ?? 0) / unit;
  if (!(from >= 0)) throw new Error(`startRate: expected a number >= 0, got ${input.startRate}`);
  for (let s = 0; s < k; s++) {
    const st = input.stages[s]!;
    if (!(st.durationMs >= 0) || !Number.isFinite(st.durationMs)) {
      throw new Error(`stages[${s}].durationMs: expected a finite number >= 0, got ${st.durationMs}`);
    }
    if (!(st.target >= 0) || !Number.isFinite(st.target)) {
      throw new Error(`stages[${s}].target: expected a finite number >= 0, got ${st.target}`);
    }
    const to = st.target / unit;
    r0[s] = from;
    r1[s] = to;
    t0[s + 1] = t0[s]! + st.durationMs;
    a0[s + 1] = a0[s]! + (st.durationMs * (from + to)) / 2;
    from = to;
  }
  const total = t0[k]!;
  let cursor = 0; // cached stage for mostly-monotone queries

  function stageOfTime(t: number): number {
    if (t < t0[cursor]! || t >= t0[cursor + 1]!) {
      let s = 0;
      while (s < k - 1 && t >= t0[s + 1]!) s++;
      cursor = s;
    }
    return cursor;
  }
  /** global area (iterations) under the curve by offset t */
  function area(t: number): number {
    if (t <= 0) return 0;
    if (t >= total) return a0[k]!;
    const s = stageOfTime(t);
    const d = t0[s + 1]! - t0[s]!;
    const u = t - t0[s]!;
    const slope = d > 0 ? (r1[s]! - r0[s]!) / d : 0;
    return a0[s]! + r0[s]! * u + (slope * u * u) / 2;
  }
  /** offset at which the global area reaches x */
  function inverse(x: number): number {
    if (x <= 0) return 0;
    if (x > a0[k]!) return Number.POSITIVE_INFINITY;
    let s = 0;
    // binary search over stage boundaries
    let lo = 0;
    let hi = k - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (a0[mid + 1]! < x) lo = mid + 1;
      else hi = mid;
    }
    s = lo;
    const c = x - a0[s]!;
    const d = t0[s + 1]! - t0[s]!;
    const b = r0[s]!;
    const a = d > 0 ? (r1[s]! - r0[s]!) / d / 2 : 0;
    // a u^2 + b u = c; the stable root form also covers a = 0 and ramps down
    const disc = b * b + 4 * a * c;
    const u = (2 * c) / (b + Math.sqrt(Math.max(disc, 0)));
    return t0[s]! + (Number.isFinite(u) ? u : 0);
  }
  return {
    kind: 'ramping',
    durationMs: total,
    dueBy: (t) => share * area(t),
    dueAt: (i) => inverse(i / share + 1),
    rateAt: (t) => {
      if (t < 0 || t >= total) return 0;
      const s = stageOfTime(t);
      const d = t0[s + 1]! - t0[s]!;
      const f = d > 0 ? (t - t0[s]!) / d : 1;
      return share * (r0[s]! + (r1[s]! - r0[s]!) * f) * 1000;
    },
  };
}
