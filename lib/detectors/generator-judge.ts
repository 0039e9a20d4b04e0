import { Latch } from './latch.ts';
import { GENERATOR_DEFAULTS } from './sensitivity.ts';

/**
 * The judgement of generator starvation, over closed time buckets: one codebase for the in-run
 * detector (lib/detectors/generator.ts feeds it buckets built from iteration starts) and the
 * analyzer (analyzer/detect/starvation.ts feeds it one bucket per second of k6 output). Both use
 * the same rules and the same thresholds (GENERATOR_DEFAULTS):
 *
 * - drops: attainment (started / due over the last `attainmentWindowS`) below
 *   1 - max(`minDeficit`, 2 / due-in-window);
 * - vu-bound: those drops while the pool is empty at a typical start (mean headroom over the
 *   window <= max(`vuBoundHeadroom`, 1.5 / maxVUs));
 * - cpu-bound: at least `minLateStarts` late starts in `cpuWindowS` while nothing was dropped (a
 *   stalled scheduler catches up in bursts), drops while VUs were typically idle, or JS busy time
 *   above `maxCpuLoad` of the cores when that is known.
 * Each turns on after `persistS` of agreeing analyses and off after `clearAfterS` without.
 */
export interface GeneratorBucket {
  /** Iterations started in the bucket's span; NaN when the span is not judged (warm-up, no schedule). */
  started: number;
  /** Iterations due in the same span (started + dropped); NaN likewise. */
  due: number;
  /** Length of that span, ms. */
  spanMs: number;
  /** Lowest free share of maxVUs seen at a start in the bucket (NaN when no start was seen). */
  minHeadroom: number;
  /** Sum of the free shares seen, and how many were seen (for the mean headroom). */
  headroomSum: number;
  headroomCount: number;
  /** Starts (or seconds, in the analyzer) that ran late in a burst. */
  late: number;
  /** JS busy time / cores over the bucket (NaN when unknown). */
  cpuLoad: number;
}

export interface GeneratorJudgeOptions {
  /** maxVUs of this runner (in-run) or of the whole run (analyzer) */
  maxVUs: number;
  bucketMs?: number;
  attainmentWindowS?: number;
  cpuWindowS?: number;
  minDeficit?: number;
  minLateStarts?: number;
  persistS?: number;
  clearAfterS?: number;
}

export type StarvationCause = 'none' | 'vus' | 'cpu';

export interface GeneratorVerdict {
  ready: boolean;
  analyses: number;
  /** started / due over the window (1 = on schedule); NaN before enough data */
  attainment: number;
  /** lowest headroom over the window */
  minHeadroom: number;
  /** mean headroom at the starts of the window */
  meanHeadroom: number;
  /** late starts counted in the CPU window */
  lateStarts: number;
  /** JS busy time / cores (NaN unless known) */
  cpuLoad: number;
  dropping: boolean;
  cpuStarved: boolean;
  vuBound: boolean;
  starved: boolean;
  cause: StarvationCause;
}

export function emptyGeneratorVerdict(): GeneratorVerdict {
  return {
    ready: false,
    analyses: 0,
    attainment: Number.NaN,
    minHeadroom: 1,
    meanHeadroom: Number.NaN,
    lateStarts: 0,
    cpuLoad: Number.NaN,
    dropping: false,
    cpuStarved: false,
    vuBound: false,
    starved: false,
    cause: 'none',
  };
}

export class GeneratorJudge {
  private readonly maxVUs: number;
  private readonly bucketMs: number;
  private readonly attainN: number;
  private readonly cpuN: number;
  private readonly ringN: number;
  private readonly minDeficit: number;
  private readonly minLateStarts: number;
  private readonly started: Float64Array;
  private readonly due: Float64Array;
  private readonly span: Float64Array;
  private readonly minHead: Float64Array;
  private readonly sumHead: Float64Array;
  private readonly nHead: Float64Array;
  private readonly late: Float64Array;
  private head = 0;
  private filled = 0;
  private readonly dropLatch: Latch;
  private readonly cpuLatch: Latch;

  constructor(
    opts: GeneratorJudgeOptions,
    /** Written in place by every analysis (the in-run detector hands this object out as its state). */
    readonly verdict: GeneratorVerdict = emptyGeneratorVerdict(),
  ) {
    const d = GENERATOR_DEFAULTS;
    if (!(opts.maxVUs >= 1) || !Number.isFinite(opts.maxVUs)) {
      throw new Error(`maxVUs: expected the maxVUs of the judged scenario (>= 1), got ${opts.maxVUs}`);
    }
    this.maxVUs = opts.maxVUs;
    this.bucketMs = opts.bucketMs ?? d.bucketMs;
    const per = (s: number) => Math.max(1, Math.round((s * 1000) / this.bucketMs));
    this.attainN = per(opts.attainmentWindowS ?? d.attainmentWindowS);
    this.cpuN = per(opts.cpuWindowS ?? d.cpuWindowS);
    this.ringN = Math.max(this.attainN, this.cpuN);
    this.minDeficit = opts.minDeficit ?? d.minDeficit;
    this.minLateStarts = opts.minLateStarts ?? d.minLateStarts;
    this.dropLatch = new Latch(per(opts.persistS ?? d.persistS), per(opts.clearAfterS ?? d.clearAfterS));
    this.cpuLatch = new Latch(per(opts.persistS ?? d.persistS), per(opts.clearAfterS ?? d.clearAfterS));
    this.started = new Float64Array(this.ringN);
    this.due = new Float64Array(this.ringN);
    this.span = new Float64Array(this.ringN);
    this.minHead = new Float64Array(this.ringN);
    this.sumHead = new Float64Array(this.ringN);
    this.nHead = new Float64Array(this.ringN);
    this.late = new Float64Array(this.ringN);
  }

  private idx(age: number): number {
    let i = this.head - 1 - age;
    if (i < 0) i += this.ringN;
    return i;
  }

  /** Adds one closed bucket and analyses the windows ending with it. */
  push(b: GeneratorBucket): GeneratorVerdict {
    const h = this.head;
    this.started[h] = b.started;
    this.due[h] = b.due;
    this.span[h] = b.spanMs;
    this.minHead[h] = b.minHeadroom;
    this.sumHead[h] = b.headroomSum;
    this.nHead[h] = b.headroomCount;
    this.late[h] = b.late;
    this.head = h + 1 === this.ringN ? 0 : h + 1;
    if (this.filled < this.ringN) this.filled++;
    this.analyze(b.cpuLoad);
    return this.verdict;
  }

  private analyze(cpuLoad: number): void {
    const st = this.verdict;
    st.analyses++;
    let minHead = 1;
    let sumHead = 0;
    let nHead = 0;
    let started = 0;
    let due = 0;
    let span = 0;
    for (let age = 0; age < Math.min(this.attainN, this.filled); age++) {
      const i = this.idx(age);
      const v = this.minHead[i]!;
      if (v < minHead) minHead = v;
      sumHead += this.sumHead[i]!;
      nHead += this.nHead[i]!;
      const d = this.due[i]!;
      if (!Number.isNaN(d)) {
        due += d;
        started += this.started[i]!;
        span += this.span[i]!;
      }
    }
    st.minHeadroom = minHead;
    st.meanHeadroom = nHead > 0 ? sumHead / nHead : Number.NaN;
    // VU-bound: the pool is empty at a typical start, not only during a catch-up burst
    const poolEmpty =
      nHead > 0 && st.meanHeadroom <= Math.max(GENERATOR_DEFAULTS.vuBoundHeadroom, 1.5 / this.maxVUs);
    let late = 0;
    for (let age = 0; age < Math.min(this.cpuN, this.filled); age++) late += this.late[this.idx(age)]!;
    st.lateStarts = late;
    let att = Number.NaN;
    if (due >= GENERATOR_DEFAULTS.minDueInWindow && span >= (this.attainN * this.bucketMs) / 2) {
      att = started / due;
      const margin = Math.max(this.minDeficit, 2 / due);
      st.dropping = this.dropLatch.update(att < 1 - margin);
    }
    st.attainment = att;
    st.cpuLoad = cpuLoad;
    const dropsNow = !Number.isNaN(att) && att < 1 - this.minDeficit;
    // late starts mean CPU only once the attainment shows no drops (drops make the lag grow too)
    const lateSignal = !Number.isNaN(att) && !dropsNow && late >= this.minLateStarts;
    const idleDrops = dropsNow && !poolEmpty;
    const busy = !Number.isNaN(cpuLoad) && cpuLoad >= GENERATOR_DEFAULTS.maxCpuLoad;
    st.cpuStarved = this.cpuLatch.update(lateSignal || idleDrops || busy);
    st.vuBound = st.dropping && poolEmpty;
    st.starved = st.dropping || st.cpuStarved;
    st.cause = st.vuBound ? 'vus' : st.starved ? 'cpu' : 'none';
    st.ready = true;
  }
}
