import { P2Median } from './p2-median.ts';

/**
 * Fixed-width time buckets of one sample stream, and a ring of the last `capacity` closed buckets.
 *
 * Why buckets: the heavier analyses (robust slopes, change points, sawtooth search) then run once
 * per bucket close instead of once per sample, so the per-sample work is a few comparisons (the
 * P-square median update) and the memory is fixed: `capacity` entries per field, whatever the run
 * length or sample rate.
 *
 * Time only moves forward: a sample older than the open bucket is counted in the open bucket (a
 * per-VU stream is monotone; a merged stream is at most a little out of order). Gaps close empty
 * buckets (median NaN, count 0).
 */
export class BucketSeries {
  readonly bucketMs: number;
  readonly capacity: number;
  /** per closed bucket: median estimate (NaN when empty) */
  readonly med: Float64Array;
  /** per closed bucket: number of samples */
  readonly cnt: Float64Array;
  /** per closed bucket: maximum sample (NaN when empty) */
  readonly max: Float64Array;
  /** per closed bucket: samples above the caller's `exceedAbove` level at the time they arrived */
  readonly exceed: Float64Array;
  /** per closed bucket: start time, ms */
  readonly start: Float64Array;

  /** level above which samples count in `exceed` (set by the analysis; +Infinity disables it) */
  exceedAbove = Number.POSITIVE_INFINITY;

  private head = 0; // next write slot
  private filled = 0;
  private closedTotal = 0;
  private openStart = Number.NaN;
  private readonly p2 = new P2Median();
  private openMax = Number.NaN;
  private openExceed = 0;

  constructor(bucketMs: number, capacity: number) {
    if (!(bucketMs > 0) || !Number.isFinite(bucketMs)) {
      throw new Error(`bucketMs: expected a positive number of milliseconds, got ${bucketMs}`);
    }
    if (!Number.isInteger(capacity) || capacity < 4) {
      throw new Error(`capacity: expected an integer >= 4 buckets, got ${capacity}`);
    }
    this.bucketMs = bucketMs;
    this.capacity = capacity;
    this.med = new Float64Array(capacity);
    this.cnt = new Float64Array(capacity);
    this.max = new Float64Array(capacity);
    this.exceed = new Float64Array(capacity);
    this.start = new Float64Array(capacity);
  }

  /** Number of closed buckets held (<= capacity). */
  get size(): number {
    return this.filled;
  }

  /** Number of buckets closed since the start (empty ones included). */
  get closed(): number {
    return this.closedTotal;
  }

  /** Start of the open bucket (NaN before the first sample). */
  get openBucketStart(): number {
    return this.openStart;
  }

  /** Samples in the open bucket so far. */
  get openCount(): number {
    return this.p2.count;
  }

  /**
   * Adds one sample at time `tMs`. Returns how many buckets this closed (0 in the common case).
   */
  add(tMs: number, value: number): number {
    const closed = this.advance(tMs);
    this.p2.add(value);
    if (!(value <= this.openMax)) this.openMax = value;
    if (value > this.exceedAbove) this.openExceed++;
    return closed;
  }

  /** Closes every bucket that ended at or before `tMs`. Returns how many closed. */
  advance(tMs: number): number {
    if (Number.isNaN(this.openStart)) {
      // first call: align bucket starts to multiples of the width so views of one stream agree
      this.openStart = Math.floor(tMs / this.bucketMs) * this.bucketMs;
      return 0;
    }
    const end = this.openStart + this.bucketMs;
    if (tMs < end) return 0;
    const steps = Math.floor((tMs - this.openStart) / this.bucketMs);
    this.closeOpen();
    // a long gap: at most `capacity` empty buckets matter, the rest would be overwritten anyway
    const empties = Math.min(steps - 1, this.capacity);
    for (let i = 0; i < empties; i++)
      this.push(this.openStart + (i + 1) * this.bucketMs, Number.NaN, 0, Number.NaN, 0);
    this.closedTotal += steps - 1 - empties;
    this.openStart += steps * this.bucketMs;
    return steps;
  }

  /**
   * Pushes one pre-aggregated bucket starting at `startMs` (closing any earlier buckets, empty).
   * For series that were bucketed elsewhere (the analyzer's per-second medians). Returns how many
   * buckets closed, this one included.
   */
  pushBucket(startMs: number, med: number, cnt: number, max: number, exceed: number): number {
    const closed = this.advance(startMs);
    this.p2.reset();
    const has = cnt > 0;
    this.push(
      this.openStart,
      has ? med : Number.NaN,
      cnt,
      has ? max : Number.NaN,
      !Number.isNaN(exceed) ? exceed : 0,
    );
    this.openStart += this.bucketMs;
    this.openMax = Number.NaN;
    this.openExceed = 0;
    return closed + 1;
  }

  private closeOpen(): void {
    const n = this.p2.count;
    this.push(
      this.openStart,
      n > 0 ? this.p2.value() : Number.NaN,
      n,
      n > 0 ? this.openMax : Number.NaN,
      this.openExceed,
    );
    this.p2.reset();
    this.openMax = Number.NaN;
    this.openExceed = 0;
  }

  private push(start: number, med: number, cnt: number, max: number, exceed: number): void {
    const h = this.head;
    this.start[h] = start;
    this.med[h] = med;
    this.cnt[h] = cnt;
    this.max[h] = max;
    this.exceed[h] = exceed;
    this.head = h + 1 === this.capacity ? 0 : h + 1;
    if (this.filled < this.capacity) this.filled++;
    this.closedTotal++;
  }

  /**
   * Ring index of the `age`-th most recent closed bucket (0 = the last closed). Caller checks
   * `age < size`.
   */
  indexOf(age: number): number {
    let i = this.head - 1 - age;
    if (i < 0) i += this.capacity;
    return i;
  }

  /**
   * Copies the last `count` values of `field` into `out[0..count)`, oldest first, and marks in
   * `valid` the buckets that had at least `minCount` samples. Returns the number copied
   * (min(count, size)).
   */
  copyRecent(field: Float64Array, count: number, out: Float64Array, valid: Uint8Array, minCount = 1): number {
    const n = Math.min(count, this.filled);
    let i = this.indexOf(n - 1);
    for (let k = 0; k < n; k++) {
      out[k] = field[i]!;
      valid[k] = this.cnt[i]! >= minCount ? 1 : 0;
      i = i + 1 === this.capacity ? 0 : i + 1;
    }
    return n;
  }
}
