import {
  emptyGeneratorVerdict,
  type GeneratorBucket,
  GeneratorJudge,
  type GeneratorJudgeOptions,
  type GeneratorVerdict,
} from './generator-judge.ts';
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
 * It closes one bucket per `bucketMs` and hands it to the judge (lib/detectors/generator-judge.ts),
 * which the analyzer uses too. Verdicts:
 * - drops: attainment below 1 - max(`minDeficit`, 2 / due-in-window) for the window;
 * - vu-bound: drops while the pool is empty at a typical start (mean headroom at the starts of the
 *   window <= max(`vuBoundHeadroom`, 1.5 / maxVUs));
 * - cpu-bound: starts late by >= max(`lateMs`, 2 intervals) against the recent lag floor, at least
 *   `minLateStarts` times in `cpuWindowS` while nothing was dropped (a stalled scheduler catches up
 *   in bursts: docs/facts/k6.md#arrival-rate), or drops while VUs are typically idle (the drops come from
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

export type { StarvationCause } from './generator-judge.ts';

export interface GeneratorState extends GeneratorVerdict {
  /** last observed schedule lag, ms */
  lagMs: number;
  /** last observed lateness above the recent lag floor, ms */
  lateMs: number;
  /** last observed free share of maxVUs */
  headroom: number;
  /** median client overhead per iteration over the last bucket, ms */
  overheadMs: number;
}

export function emptyGeneratorState(): GeneratorState {
  return { ...emptyGeneratorVerdict(), lagMs: 0, lateMs: 0, headroom: 1, overheadMs: 0 };
}

/** Lag floors of the open bucket and this many closed ones make the lateness reference. */
const FLOOR_BUCKETS = 2;

export class GeneratorDetector {
  readonly state: GeneratorState = emptyGeneratorState();
  private readonly schedule: ArrivalSchedule | undefined;
  private readonly startMs: number;
  private readonly maxVUs: number;
  private readonly cores: number;
  private readonly bucketMs: number;
  private readonly warmupMs: number;
  private readonly lateFloorMs: number;
  private readonly judge: GeneratorJudge;
  // lag floors of the last closed buckets (newest first)
  private readonly floors = new Float64Array(FLOOR_BUCKETS).fill(Number.POSITIVE_INFINITY);
  // open bucket
  private openStart = Number.NaN;
  private oMinHead = 1;
  private oSumHead = 0;
  private oLate = 0;
  private oFloor = Number.POSITIVE_INFINITY;
  private oStarts = 0;
  private readonly overhead = new P2Median();
  // last observation (time, iteration counter), now and at the last bucket close
  private lastT = Number.NaN;
  private lastI = Number.NaN;
  private closedT = Number.NaN;
  private closedI = Number.NaN;

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
    this.warmupMs = (opts.warmupS ?? d.warmupS) * 1000;
    this.lateFloorMs = opts.lateMs ?? d.lateMs;
    const judgeOpts: GeneratorJudgeOptions = { maxVUs: opts.maxVUs, bucketMs: this.bucketMs };
    if (opts.attainmentWindowS !== undefined) judgeOpts.attainmentWindowS = opts.attainmentWindowS;
    if (opts.cpuWindowS !== undefined) judgeOpts.cpuWindowS = opts.cpuWindowS;
    if (opts.minDeficit !== undefined) judgeOpts.minDeficit = opts.minDeficit;
    if (opts.minLateStarts !== undefined) judgeOpts.minLateStarts = opts.minLateStarts;
    if (opts.persistS !== undefined) judgeOpts.persistS = opts.persistS;
    if (opts.clearAfterS !== undefined) judgeOpts.clearAfterS = opts.clearAfterS;
    this.judge = new GeneratorJudge(judgeOpts, this.state);
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
      this.lastT = nowMs;
      this.lastI = i;
      // lateness against the lowest lag seen in this and the previous buckets
      let fl = this.oFloor;
      for (let k = 0; k < FLOOR_BUCKETS; k++) if (this.floors[k]! < fl) fl = this.floors[k]!;
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
    this.close(nowMs);
    this.openStart += steps * this.bucketMs;
    return true;
  }

  /** Closes the open bucket (and the empty ones of a gap) into the judge. */
  private close(nowMs: number): void {
    if (this.overhead.count > 0) this.state.overheadMs = this.overhead.value();
    this.overhead.reset();
    for (let k = FLOOR_BUCKETS - 1; k > 0; k--) this.floors[k] = this.floors[k - 1]!;
    this.floors[0] = this.oFloor;
    const sched = this.schedule;
    // started and due from the last close's observation to this one's: the windows' sums telescope
    const judged =
      sched !== undefined &&
      !Number.isNaN(this.closedT) &&
      this.lastT > this.closedT &&
      this.closedT - this.startMs >= this.warmupMs;
    const bucket: GeneratorBucket = {
      started: judged ? this.lastI - this.closedI : Number.NaN,
      due: judged
        ? sched.dueBy(this.lastT - this.startMs) - sched.dueBy(this.closedT - this.startMs)
        : Number.NaN,
      spanMs: judged ? this.lastT - this.closedT : 0,
      minHeadroom: this.oStarts > 0 ? this.oMinHead : Number.NaN,
      headroomSum: this.oSumHead,
      headroomCount: this.oStarts,
      late: this.oLate,
      // JS busy share of the cores: started per second x median overhead
      cpuLoad:
        this.cores > 0 && sched
          ? (sched.rateAt(nowMs - this.startMs) * this.state.overheadMs) / 1000 / this.cores
          : Number.NaN,
    };
    if (!Number.isNaN(this.lastT)) {
      this.closedT = this.lastT;
      this.closedI = this.lastI;
    }
    this.oMinHead = 1;
    this.oSumHead = 0;
    this.oLate = 0;
    this.oFloor = Number.POSITIVE_INFINITY;
    this.oStarts = 0;
    this.judge.push(bucket);
  }
}
