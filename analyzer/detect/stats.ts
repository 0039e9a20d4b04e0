/**
 * Small robust statistics for the series detectors. NaN entries mean "no data for that second" and
 * are skipped everywhere. All functions are bounded: O(n log n) or O(n·m) with m capped by callers.
 */

export function finite(xs: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    if (Number.isFinite(x)) out.push(x);
  }
  return out;
}

export function mean(xs: ArrayLike<number>): number {
  const f = finite(xs);
  if (f.length === 0) return Number.NaN;
  let s = 0;
  for (const v of f) s += v;
  return s / f.length;
}

export function median(xs: ArrayLike<number>): number {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function quantile(xs: ArrayLike<number>, q: number): number {
  const s = finite(xs).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1));
  return s[idx]!;
}

/** Median absolute deviation (unscaled). */
export function mad(xs: ArrayLike<number>): number {
  const m = median(xs);
  const d = finite(xs).map((x) => Math.abs(x - m));
  return median(d);
}

/**
 * Groups a series into at most `maxPoints` buckets of consecutive points and returns each bucket's
 * median with the bucket's centre index, so the O(n²) estimators below stay cheap on long runs.
 */
export function downsample(xs: ArrayLike<number>, maxPoints: number): { x: number[]; y: number[] } {
  const n = xs.length;
  const size = Math.max(1, Math.ceil(n / maxPoints));
  const x: number[] = [];
  const y: number[] = [];
  for (let a = 0; a < n; a += size) {
    const b = Math.min(n, a + size);
    const seg: number[] = [];
    for (let i = a; i < b; i++) if (Number.isFinite(xs[i]!)) seg.push(xs[i]!);
    if (seg.length === 0) continue;
    x.push((a + b - 1) / 2);
    y.push(median(seg));
  }
  return { x, y };
}

/** Theil–Sen slope: the median of pairwise slopes (robust to outliers and spikes). */
export function theilSen(x: readonly number[], y: readonly number[]): number {
  const slopes: number[] = [];
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const dx = x[j]! - x[i]!;
      if (dx !== 0) slopes.push((y[j]! - y[i]!) / dx);
    }
  }
  return median(slopes);
}

/** Kendall's tau-a between x (increasing) and y: +1 when y always grows with x. */
export function kendallTau(y: readonly number[]): number {
  let conc = 0;
  let disc = 0;
  for (let i = 0; i < y.length; i++) {
    for (let j = i + 1; j < y.length; j++) {
      const d = y[j]! - y[i]!;
      if (d > 0) conc++;
      else if (d < 0) disc++;
    }
  }
  const pairs = (y.length * (y.length - 1)) / 2;
  return pairs > 0 ? (conc - disc) / pairs : 0;
}

/** Autocorrelation of a mean-centred series at `lag` (NaN-free input). */
export function autocorrelation(y: readonly number[], lag: number): number {
  const n = y.length;
  if (lag >= n) return 0;
  let mean = 0;
  for (const v of y) mean += v;
  mean /= n;
  let den = 0;
  for (const v of y) den += (v - mean) * (v - mean);
  if (den === 0) return 0;
  let num = 0;
  for (let i = 0; i + lag < n; i++) num += (y[i]! - mean) * (y[i + lag]! - mean);
  return num / den;
}

/** Replaces NaN by linear interpolation between finite neighbours (edges take the nearest value). */
export function fillGaps(xs: ArrayLike<number>): number[] {
  const out = Array.from(xs);
  const n = out.length;
  let prev = -1;
  for (let i = 0; i < n; i++) {
    if (Number.isFinite(out[i]!)) {
      if (prev < i - 1) {
        const left = prev >= 0 ? out[prev]! : out[i]!;
        for (let k = prev + 1; k < i; k++) {
          out[k] = prev >= 0 ? left + ((out[i]! - left) * (k - prev)) / (i - prev) : out[i]!;
        }
      }
      prev = i;
    }
  }
  if (prev >= 0) for (let k = prev + 1; k < n; k++) out[k] = out[prev]!;
  return out;
}

/**
 * Turns a per-second flag array into [from, to) ranges, joining ranges separated by at most `gap`
 * unflagged seconds. `offset` is added to every bound (the index-0 second of the run).
 */
export function ranges(
  flags: readonly boolean[],
  offset: number,
  gap = 1,
): { fromSec: number; toSec: number }[] {
  const out: { fromSec: number; toSec: number }[] = [];
  let start = -1;
  let lastOn = -1;
  for (let i = 0; i < flags.length; i++) {
    if (!flags[i]) continue;
    if (start < 0) start = i;
    else if (i - lastOn - 1 > gap) {
      out.push({ fromSec: start + offset, toSec: lastOn + 1 + offset });
      start = i;
    }
    lastOn = i;
  }
  if (start >= 0) out.push({ fromSec: start + offset, toSec: lastOn + 1 + offset });
  return out;
}
