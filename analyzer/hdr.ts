/**
 * A compact log-linear histogram in the spirit of HdrHistogram, written for the analyzer.
 *
 * Why not keep samples: a one-hour run at 1000 TPS has millions of latency samples per metric and
 * runner; percentiles across runners and windows can only be merged exactly from histograms. Why
 * log-linear: the relative error stays bounded over the whole range (1 µs .. ~71 min) with a few
 * hundred buckets per power of two at most.
 *
 * Layout: values are recorded as whole microseconds `x`. Below `2^SUB_BITS` each value has its own
 * bucket (exact). Above, every power of two `[2^b, 2^(b+1))` is split into `2^SUB_BITS` equal
 * sub-buckets, so a bucket is at most `1/2^SUB_BITS` of its lower bound wide. A percentile is
 * interpolated inside the bucket that holds its rank (as if the bucket's values were spread
 * evenly), so it always lies in the same bucket as the true value: the relative error is below
 * {@link HDR_RELATIVE_ERROR}. Interpolation matters for the detectors: per-second medians move
 * smoothly instead of jumping by whole buckets, which would look like noise.
 *
 * Memory: counts live in a dense `Uint32Array` that covers only the index range actually used
 * (grown by doubling, shrunk to fit with {@link Hdr.compact}), so a window whose latencies span
 * three octaves costs ~1.5 KB whatever its sample count.
 */

/** Sub-bucket resolution: 2^7 = 128 sub-buckets per power of two. */
export const SUB_BITS = 7;
const SUB_COUNT = 1 << SUB_BITS;
/** Largest recordable value in microseconds (values above are clamped and counted as overflow). */
const MAX_MICROS = 0xffffffff;
/** Upper bound of the relative error of a reported percentile (one bucket width): 1/128 = 0.78%. */
export const HDR_RELATIVE_ERROR = 1 / SUB_COUNT;

/** Bucket index of a value in whole microseconds (0 <= x <= MAX_MICROS). */
export function bucketIndex(x: number): number {
  if (x < SUB_COUNT) return x;
  const b = 31 - Math.clz32(x);
  const shift = b - SUB_BITS;
  return (shift + 1) * SUB_COUNT + ((x >>> shift) - SUB_COUNT);
}

/** Lowest microsecond value that falls in bucket `idx`. */
export function bucketLow(idx: number): number {
  if (idx < SUB_COUNT) return idx;
  const k = Math.floor(idx / SUB_COUNT);
  const shift = k - 1;
  return (idx - k * SUB_COUNT + SUB_COUNT) * 2 ** shift;
}

/** Width of bucket `idx` in microseconds. */
export function bucketWidth(idx: number): number {
  if (idx < SUB_COUNT) return 1;
  return 2 ** (Math.floor(idx / SUB_COUNT) - 1);
}

/** A mergeable latency histogram. Values are recorded and reported in milliseconds. */
export class Hdr {
  /** Index of `counts[0]`. */
  private base = 0;
  private counts: Uint32Array = EMPTY;
  /** Number of recorded values. */
  count = 0;
  /** Exact sum, minimum and maximum of the recorded values (ms), for mean and extremes. */
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** Values below zero (recorded as 0) and above the range (recorded at the top). */
  clamped = 0;

  /** Records one value in milliseconds. NaN is ignored by the callers (never reaches here). */
  record(ms: number): void {
    let us = Math.floor(ms * 1000);
    if (!(us >= 0)) {
      us = 0;
      this.clamped++;
    } else if (us > MAX_MICROS) {
      us = MAX_MICROS;
      this.clamped++;
    }
    this.addAt(bucketIndex(us), 1);
    this.count++;
    this.sum += ms;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  private addAt(idx: number, n: number): void {
    let off = idx - this.base;
    const counts = this.counts;
    if (off >= 0 && off < counts.length) {
      counts[off]! += n;
      return;
    }
    this.ensure(idx);
    off = idx - this.base;
    this.counts[off]! += n;
  }

  /** Grows the dense range so that it covers `idx`, at least doubling to keep growth amortised. */
  private ensure(idx: number): void {
    const old = this.counts;
    if (idx >= this.base && idx < this.base + old.length) return;
    if (old.length === 0) {
      this.base = Math.max(0, idx - 8);
      this.counts = new Uint32Array(32);
      return;
    }
    const lo = Math.min(this.base, idx);
    const hi = Math.max(this.base + old.length, idx + 1);
    let size = Math.max(hi - lo, old.length * 2);
    let newBase = lo;
    if (idx < this.base) newBase = Math.max(0, hi - size);
    size = Math.max(size, hi - newBase);
    const next = new Uint32Array(size);
    next.set(old, this.base - newBase);
    this.base = newBase;
    this.counts = next;
  }

  /** Adds every value of `other` into this histogram. */
  merge(other: Hdr): void {
    if (other.count === 0) return;
    const oc = other.counts;
    let first = -1;
    let last = -1;
    for (let i = 0; i < oc.length; i++) {
      if (oc[i] !== 0) {
        if (first < 0) first = i;
        last = i;
      }
    }
    if (first >= 0) {
      this.ensure(other.base + first);
      this.ensure(other.base + last);
      for (let i = first; i <= last; i++) {
        const c = oc[i]!;
        if (c !== 0) this.counts[other.base + i - this.base]! += c;
      }
    }
    this.count += other.count;
    this.sum += other.sum;
    this.clamped += other.clamped;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  /** Shrinks the storage to the used index range (call when a window is unlikely to grow). */
  compact(): void {
    const c = this.counts;
    let first = 0;
    while (first < c.length && c[first] === 0) first++;
    if (first === c.length) {
      this.counts = EMPTY;
      this.base = 0;
      return;
    }
    let last = c.length - 1;
    while (c[last] === 0) last--;
    if (first === 0 && last === c.length - 1) return;
    this.counts = c.slice(first, last + 1);
    this.base += first;
  }

  /**
   * Value at quantile `q` (0..1) in ms by nearest rank: the smallest recorded value such that at
   * least `q` of the values are at or below it. NaN when empty. The extremes are exact.
   */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    const c = this.counts;
    for (let i = 0; i < c.length; i++) {
      const k = c[i]!;
      if (seen + k >= rank) {
        const idx = this.base + i;
        // The rank-th value lies in this bucket (and within [min, max]); place it by its rank
        // among the bucket's k values.
        const v = (bucketLow(idx) + (bucketWidth(idx) * (rank - seen - 0.5)) / k) / 1000;
        return Math.min(this.max, Math.max(this.min, v));
      }
      seen += k;
    }
    return this.max;
  }

  /** Arithmetic mean in ms (NaN when empty). */
  mean(): number {
    return this.count === 0 ? Number.NaN : this.sum / this.count;
  }

  /**
   * Number of values above `ms`, at bucket resolution: values in buckets wholly above the bucket
   * that holds `ms` (so it never over-counts).
   */
  countAbove(ms: number): number {
    if (this.count === 0 || Number.isNaN(ms)) return 0;
    if (ms >= this.max) return 0;
    const limit = bucketIndex(Math.min(MAX_MICROS, Math.max(0, Math.floor(ms * 1000))));
    let above = 0;
    const c = this.counts;
    for (let i = Math.max(0, limit + 1 - this.base); i < c.length; i++) above += c[i]!;
    return above;
  }

  /** Share of values above `ms` (see {@link countAbove}); NaN when empty. */
  fractionAbove(ms: number): number {
    return this.count === 0 ? Number.NaN : this.countAbove(ms) / this.count;
  }

  /** Bytes held by the bucket array (for memory accounting in tests and the benchmark). */
  byteSize(): number {
    return this.counts.byteLength;
  }
}

const EMPTY = new Uint32Array(0);
