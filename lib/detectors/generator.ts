import { Latch } from './latch.ts';
import { P2Median } from './p2-median.ts';
import type { ArrivalSchedule } from './schedule.ts';
import { GENERATOR_DEFAULTS } from './sensitivity.ts';

/**
 * Generator-starvation detector: is this k6 runner failing to start iterations on schedule?
 *
 * It reads, at each iteration start, three runner-wide quantities that any VU sees identically,
 * so a VU that gets only 1/N of the iterations still samples the same signals:
 * - schedule lag: `now - (scenarioStart + schedule.dueAt(i))` with i = iterationInInstance;
 * - rate attainment: started / due over the last `attainmentWindowS` (from the lag's growth:
 *   dropped starts never advance i, so lag grows by (1 - attainment) per second);
 * - VU headroom: 1 - vusActive / maxVUs (this runner's maxVUs).
 * and one per-iteration quantity, the client overhead (iteration wall time not spent waiting on
 * the network: JS, crypto, k6/http marshalling, event-loop and CPU wait).
 *
 * Verdicts:
 * - drops: attainment below 1 - max(`minDeficit`, 2 / due-in-window) for the window;
 * - vu-bound: drops while the pool is empty at a typical start (mean headroom at the starts of the
 *   window <= max(`vuBoundHeadroom`, 1.5 / maxVUs));
 * - cpu-bound: starts late by >= max(`lateMs`, 2 intervals) against the recent lag floor, at least
 *   `minLateStarts` times in `cpuWindowS` while nothing was dropped (a stalled scheduler catches up
 *   in bursts: k6-semantics 1.1), or drops while VUs are typically idle (the drops come from
 *   catch-up bursts after stalls, or finished VUs not re-parked in time), or, when `cpuCores` is
 *   known, JS busy time above 90% of the cores;
 * Each turns on after `persistS` of agreeing analyses and off after `clearAfterS` without.
 *
 * Per iteration: a few arithmetic operations and one P-square update; per second: one analysis
 * over fixed rings. No allocation after construction.
 */
export interface GeneratorDetectorOptions {
  /** this runner's arrival schedule (omit for closed-model executors: then only overhead counts) */
  schedule?: ArrivalSchedule;
  /** `exec.scenario.startTime`, ms since the epoch (required with a schedule) */
  scenarioStartMs?: number;
  /** this runner's maxVUs for the scenario */
  maxVUs: number;
  /** CPU cores of this runner, when known (enables the JS busy-time check) */
  cpuCores?: number;
  bucketMs?: number;
  attainmentWindowS?: number;
  cpuWindowS?: number;
  warmupS?: number;
  lateMs?: number;
  minDeficit?: number;
  minLateStarts?: number;
  persistS?: number;
  clearAfterS?: number;
}

export type StarvationCause = 'none' | 'vus' | 'cpu';

export interface GeneratorState {
  ready: boolean;
  analyses: number;
  /** last observed schedule lag, ms */
  lagMs: number;
  /** last observed lateness above the recent lag floor, ms */
  lateMs: number;
  /** started / due over the window (1 = on schedule); NaN before enough data */
  attainment: number;
  /** last observed free share of maxVUs */
  headroom: number;
  /** lowest headroom over the window */
  minHeadroom: number;
  /** mean headroom at the starts of the window */
  meanHeadroom: number;
  /** median client overhead per iteration over the last bucket, ms */
  overheadMs: number;
  /** late starts counted in the CPU window */
  lateStarts: number;
  /** JS busy time / cores (NaN unless cpuCores is set) */
  cpuLoad: number;
  dropping: boolean;
  cpuStarved: boolean;
  vuBound: boolean;
  starved: boolean;
  cause: StarvationCause;
}

export function emptyGeneratorState(): GeneratorState {
  return {
    ready: false,
    analyses: 0,
    lagMs: 0,
    lateMs: 0,
    attainment: Number.NaN,
    headroom: 1,
    minHeadroom: 1,
    meanHeadroom: Number.NaN,
    overheadMs: 0,
    lateStarts: 0,
    cpuLoad: Number.NaN,
    dropping: false,
    cpuStarved: false,
    vuBound: false,
    starved: false,
    cause: 'none',
  };
}

export class GeneratorDetector {
  readonly state: GeneratorState = emptyGeneratorState();
  private readonly schedule: ArrivalSchedule | undefined;
  private readonly startMs: number;
  private readonly maxVUs: number;
  private readonly cores: number;
  private readonly bucketMs: number;
  private readonly ringN: number;
  private readonly attainN: number;
  private readonly cpuN: number;
  private readonly warmupMs: number;
  private readonly lateFloorMs: number;
  private readonly minDeficit: number;
  private readonly minLateStarts: number;
  // ring of closed buckets: first observation (t, i) of the bucket, min headroom, late starts, lag floor
  private readonly firstT: Float64Array;
  private readonly firstI: Float64Array;
  private readonly minHead: Float64Array;
  private readonly sumHead: Float64Array;
  private readonly starts: Float64Array;
  private readonly late: Float64Array;
  private readonly floor: Float64Array;
  private head = 0;
  private filled = 0;
  // open bucket
  private openStart = Number.NaN;
  private oFirstT = Number.NaN;
  private oFirstI = Number.NaN;
  private oMinHead = 1;
  private oSumHead = 0;
  private oLate = 0;
  private oFloor = Number.POSITIVE_INFINITY;
  private oStarts = 0;
  private readonly overhead = new P2Median();
  private lastT = Number.NaN;
  private lastI = Number.NaN;
  private readonly dropLatch: Latch;
  private readonly cpuLatch: Latch;

  constructor(opts: GeneratorDetectorOptions) {
    const d = GENERATOR_DEFAULTS;
    if (!(opts.maxVUs >= 1) || !Number.isFinite(opts.maxVUs)) {
      throw new Error(`maxVUs: expected this runner's maxVUs (>= 1), got ${opts.maxVUs}`);
    }
    if (opts.schedule && !Number.isFinite(opts.scenarioStartMs)) {
      throw new Error(`scenarioStartMs: expected exec.scenario.startTime (ms), got ${opts.scenarioStartMs}`);
    }
    this.schedule = opts.schedule;
    this.startMs = opts.scenarioStartMs ?? 0;
    this.maxVUs = opts.maxVUs;
    this.cores = opts.cpuCores ?? Number.NaN;
    this.bucketMs = opts.bucketMs ?? d.bucketMs;
    const per = (s: number) => Math.max(1, Math.round((s * 1000) / this.bucketMs));
    this.attainN = per(opts.attainmentWindowS ?? d.attainmentWindowS);
    this.cpuN = per(opts.cpuWindowS ?? d.cpuWindowS);
    this.ringN = Math.max(this.attainN, this.cpuN) + 2;
    this.warmupMs = (opts.warmupS ?? d.warmupS) * 1000;
    this.lateFloorMs = opts.lateMs ?? d.lateMs;
    this.minDeficit = opts.minDeficit ?? d.minDeficit;
    this.minLateStarts = opts.minLateStarts ?? d.minLateStarts;
    this.dropLatch = new Latch(per(opts.persistS ?? d.persistS), per(opts.clearAfterS ?? d.clearAfterS));
    this.cpuLatch = new Latch(per(opts.persistS ?? d.persistS), per(opts.clearAfterS ?? d.clearAfterS));
    this.firstT = new Float64Array(this.ringN);
    this.firstI = new Float64Array(this.ringN);
    this.minHead = new Float64Array(this.ringN);
    this.sumHead = new Float64Array(this.ringN);
    this.starts = new Float64Array(this.ringN);
    this.late = new Float64Array(this.ringN);
    this.floor = new Float64Array(this.ringN);
  }

  /**
   * One iteration start at `nowMs` with the runner's iteration counter `iterationInInstance`
   * and `vusActive` (this VU included). Returns true when an analysis ran.
   */
  iterationStarted(nowMs: number, iterationInInstance: number, vusActive: number): boolean {
    const ran = this.advance(nowMs);
    const st = this.state;
    const head = 1 - vusActive / this.maxVUs;
    st.headroom = head;
    if (head < this.oMinHead) this.oMinHead = head;
    this.oSumHead += head;
    this.oStarts++;
    if (this.schedule) {
      const i = iterationInInstance;
      const lag = nowMs - (this.startMs + this.schedule.dueAt(i));
      st.lagMs = lag;
      if (Number.isNaN(this.oFirstT)) {
        this.oFirstT = nowMs;
        this.oFirstI = i;
      }
      this.lastT = nowMs;
      this.lastI = i;
      // lateness against the lowest lag seen in this and the two previous buckets
      let fl = this.oFloor;
      for (let age = 0; age < 2 && age < this.filled; age++) {
        const f = this.floor[this.idx(age)]!;
        if (f < fl) fl = f;
      }
      const late = fl === Number.POSITIVE_INFINITY ? 0 : lag - fl;
      st.lateMs = late;
      const rate = this.schedule.rateAt(nowMs - this.startMs);
      const interval = rate > 0 ? 1000 / rate : Number.POSITIVE_INFINITY;
      if (late >= Math.max(this.lateFloorMs, 2 * interval) && nowMs - this.startMs >= this.warmupMs)
        this.oLate++;
      if (lag < this.oFloor) this.oFloor = lag;
    }
    return ran;
  }

  /** One iteration end: `overheadMs` = wall time of the iteration minus time waiting on the network. */
  iterationEnded(nowMs: number, overheadMs: number): boolean {
    const ran = this.advance(nowMs);
    if (overheadMs >= 0) this.overhead.add(overheadMs);
    return ran;
  }

  /** Moves time forward; closes buckets and analyses. Returns true when an analysis ran. */
  advance(nowMs: number): boolean {
    if (Number.isNaN(this.openStart)) {
      this.openStart = Math.floor(nowMs / this.bucketMs) * this.bucketMs;
      return false;
    }
    if (nowMs < this.openStart + this.bucketMs) return false;
    const steps = Math.floor((nowMs - this.openStart) / this.bucketMs);
    this.close();
    for (let k = 1; k < Math.min(steps, this.ringN); k++) this.pushEmpty();
    this.openStart += steps * this.bucketMs;
    this.analyze(nowMs);
    return true;
  }

  private idx(age: number): number {
    let i = this.head - 1 - age;
    if (i < 0) i += this.ringN;
    return i;
  }

  private close(): void {
    const h = this.head;
    this.firstT[h] = this.oFirstT;
    this.firstI[h] = this.oFirstI;
    this.minHead[h] = this.oStarts > 0 ? this.oMinHead : Number.NaN;
    this.sumHead[h] = this.oSumHead;
    this.starts[h] = this.oStarts;
    this.late[h] = this.oLate;
    this.floor[h] = this.oFloor;
    this.head = h + 1 === this.ringN ? 0 : h + 1;
    if (this.filled < this.ringN) this.filled++;
    if (this.overhead.count > 0) this.state.overheadMs = this.overhead.value();
    this.overhead.reset();
    this.oFirstT = Number.NaN;
    this.oFirstI = Number.NaN;
    this.oMinHead = 1;
    this.oSumHead = 0;
    this.oLate = 0;
    this.oFloor = Number.POSITIVE_INFINITY;
    this.oStarts = 0;
  }

  private pushEmpty(): void {
    const h = this.head;
    this.firstT[h] = Number.NaN;
    this.firstI[h] = Number.NaN;
    this.minHead[h] = Number.NaN;
    this.sumHead[h] = 0;
    this.starts[h] = 0;
    this.late[h] = 0;
    this.floor[h] = Number.POSITIVE_INFINITY;
    this.head = h + 1 === this.ringN ? 0 : h + 1;
    if (this.filled < this.ringN) this.filled++;
  }

  private analyze(nowMs: number): void {
    const st = this.state;
    st.analyses++;
    // lowest headroom and late starts over the windows
    let minHead = 1;
    let sumHead = 0;
    let starts = 0;
    for (let age = 0; age < Math.min(this.attainN, this.filled); age++) {
      const i = this.idx(age);
      const v = this.minHead[i]!;
      if (v < minHead) minHead = v;
      sumHead += this.sumHead[i]!;
      starts += this.starts[i]!;
    }
    st.minHeadroom = minHead;
    st.meanHeadroom = starts > 0 ? sumHead / starts : Number.NaN;
    // VU-bound: the pool is empty at a typical start, not only during a catch-up burst
    const poolEmpty =
      starts > 0 && st.meanHeadroom <= Math.max(GENERATOR_DEFAULTS.vuBoundHeadroom, 1.5 / this.maxVUs);
    let late = 0;
    for (let age = 0; age < Math.min(this.cpuN, this.filled); age++) late += this.late[this.idx(age)]!;
    st.lateStarts = late;
    // attainment from the oldest first-observation in the attainment window to the last observation
    let att = Number.NaN;
    const sched = this.schedule;
    if (sched && !Number.isNaN(this.lastT)) {
      // from the oldest bucket of the window that is past the warm-up (VU activation, first
      // connections) to the last observation
      for (let age = Math.min(this.attainN, this.filled) - 1; age >= 0; age--) {
        const i = this.idx(age);
        const t0 = this.firstT[i]!;
        if (Number.isNaN(t0) || t0 - this.startMs < this.warmupMs) continue;
        const due = sched.dueBy(this.lastT - this.startMs) - sched.dueBy(t0 - this.startMs);
        if (
          due >= GENERATOR_DEFAULTS.minDueInWindow &&
          this.lastT - t0 >= (this.attainN * this.bucketMs) / 2
        ) {
          att = (this.lastI - this.firstI[i]!) / due;
          const margin = Math.max(this.minDeficit, 2 / due);
          st.dropping = this.dropLatch.update(att < 1 - margin);
        }
        break;
      }
    }
    st.attainment = att;
    const dropsNow = !Number.isNaN(att) && att < 1 - this.minDeficit;
    // JS busy share of the cores: started per second x median overhead
    if (this.cores > 0 && sched) {
      const rate = sched.rateAt(nowMs - this.startMs);
      st.cpuLoad = (rate * st.overheadMs) / 1000 / this.cores;
    }
    // late starts mean CPU only once the attainment shows no drops (drops make the lag grow too)
    const lateSignal = !Number.isNaN(att) && !dropsNow && late >= this.minLateStarts;
    const idleDrops = dropsNow && !poolEmpty;
    const busy = !Number.isNaN(st.cpuLoad) && st.cpuLoad >= GENERATOR_DEFAULTS.maxCpuLoad;
    st.cpuStarved = this.cpuLatch.update(lateSignal || idleDrops || busy);
    st.vuBound = st.dropping && poolEmpty;
    st.starved = st.dropping || st.cpuStarved;
    st.cause = st.vuBound ? 'vus' : st.starved ? 'cpu' : 'none';
    st.ready = true;
  }
}
