/**
 * Small robust-statistics kernels over preallocated typed arrays. The detectors run in every k6 VU,
 * so nothing here allocates: callers own the scratch buffers and pass lengths explicitly.
 */

/** Consistency factor turning a median absolute deviation into a normal standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/**
 * The k-th smallest (0-based) of the first `n` entries of `a`, found by in-place quickselect
 * (Hoare partition, median-of-three pivot). Reorders `a[0..n)`. Expected O(n).
 */
export function selectInPlace(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const mid = (lo + hi) >> 1;
    // median-of-three pivot keeps sorted and reverse-sorted windows linear
    let x = a[lo]!;
    let y = a[mid]!;
    const z = a[hi]!;
    if (x > y) {
      const t = x;
      x = y;
      y = t;
    }
    if (y > z) {
      y = z;
      if (x > y) y = x;
    }
    const pivot = y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

/** Median of the first `n` entries of `a` (reorders them). NaN when n = 0. */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n <= 0) return Number.NaN;
  if (n & 1) return selectInPlace(a, n, n >> 1);
  const hi = selectInPlace(a, n, n >> 1);
  // after selection everything left of n/2 is <= hi: the lower middle is their maximum
  let lo = a[0]!;
  for (let i = 1; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/**
 * Robust noise scale of a series from its first differences: differences cancel the level and
 * most of a trend, and the MAD ignores the rare big jumps (a sawtooth drop, a step, a spike).
 * `y[i]` counts only where `valid[i]` and `valid[i-1]` are set. Returns the per-point sigma
 * (the difference of two independent points has sqrt(2) times the point noise), or NaN when fewer
 * than 8 differences exist. The smaller of the first- and second-difference estimates is used (see
 * below). `scratch` must hold at least `n` entries.
 */
export function diffNoiseSigma(y: Float64Array, valid: Uint8Array, n: number, scratch: Float64Array): number {
  let m = 0;
  for (let i = 1; i < n; i++) {
    if (valid[i] && valid[i - 1]) scratch[m++] = y[i]! - y[i - 1]!;
  }
  if (m < 8) return Number.NaN;
  const center = medianInPlace(scratch, m);
  for (let i = 0; i < m; i++) scratch[i] = Math.abs(scratch[i]! - center);
  const first = (MAD_TO_SIGMA * medianInPlace(scratch, m)) / Math.SQRT2;
  // second differences (variance 6 sigma^2) are blind to a ramp: a sawtooth's rise inflates the
  // spread of first differences (rise per bucket + noise), not of second ones
  m = 0;
  for (let i = 2; i < n; i++) {
    if (valid[i] && valid[i - 1] && valid[i - 2]) scratch[m++] = y[i]! - 2 * y[i - 1]! + y[i - 2]!;
  }
  if (m < 8) return first;
  for (let i = 0; i < m; i++) scratch[i] = Math.abs(scratch[i]!);
  const second = (MAD_TO_SIGMA * medianInPlace(scratch, m)) / Math.sqrt(6);
  return Math.min(second, first);
}

/**
 * Noise scale from differences at `lag` buckets (MAD, over valid pairs): a periodic signal whose
 * period is `lag` cancels out of them. NaN with fewer than 16 pairs.
 */
export function lagNoiseSigma(
  y: Float64Array,
  valid: Uint8Array,
  n: number,
  lag: number,
  scratch: Float64Array,
): number {
  let m = 0;
  for (let i = lag; i < n; i++) {
    if (valid[i] && valid[i - lag]) scratch[m++] = y[i]! - y[i - lag]!;
  }
  if (m < 16) return Number.NaN;
  const center = medianInPlace(scratch, m);
  for (let i = 0; i < m; i++) scratch[i] = Math.abs(scratch[i]! - center);
  return (MAD_TO_SIGMA * medianInPlace(scratch, m)) / Math.SQRT2;
}

/**
 * The bucket noise to score sawtooth drops with, and the lag that gave it. A short-period sawtooth
 * inflates the difference-based noise estimate (its ramp and drops are most of the differences);
 * differences at a lag equal to the period (and at twice it) cancel it. So: the smallest
 * max(sigma_L, sigma_2L) for L in [minLag, maxLag], used only when it is below `switchRatio` x
 * `sigma`. Pure noise gives about `sigma` at every lag and needs two independent low estimates to
 * switch, so the switch does not lower the bar for noise; the caller also checks that a sawtooth
 * found with it has a period matching the lag. Writes the lag into `out[0]` (0 when not switched).
 */
export function periodicNoiseSigma(
  y: Float64Array,
  valid: Uint8Array,
  n: number,
  sigma: number,
  minLag: number,
  maxLag: number,
  switchRatio: number,
  scratch: Float64Array,
  out: Float64Array,
): number {
  // short periods repeat often: the most recent 8 x maxLag buckets are enough, and 3x cheaper
  const from = Math.max(0, n - 8 * maxLag);
  const yy = from > 0 ? y.subarray(from) : y;
  const vv = from > 0 ? valid.subarray(from) : valid;
  const m = n - from;
  let best = switchRatio * sigma;
  let bestLag = 0;
  for (let lag = minLag; lag <= maxLag && 2 * lag < m / 2; lag++) {
    const s1 = lagNoiseSigma(yy, vv, m, lag, scratch);
    if (!(s1 < best)) continue;
    const s2 = lagNoiseSigma(yy, vv, m, 2 * lag, scratch);
    const s = Math.max(s2, s1);
    if (s < best) {
      best = s;
      bestLag = lag;
    }
  }
  if (bestLag > 0) {
    out[0] = bestLag;
    return best;
  }
  out[0] = 0;
  return sigma;
}
