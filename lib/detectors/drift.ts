import { MAD_TO_SIGMA, medianInPlace } from './robust.ts';

/**
 * Latency drift versus level shift, over one window of bucket medians.
 *
 * Drift estimate: the median of the paired slopes (y[j+h] - y[j]) / h with h = half the window.
 * Each bucket is in one pair only, so the pairs are independent; the median of slopes is a
 * Theil-Sen-type estimator (robust to up to half bad pairs) at O(W) cost instead of O(W^2).
 * Its noise is sigma_slope = 1.2533 * sqrt(2) * sigma / h / sqrt(pairs) (median of normals).
 *
 * A step in the middle of the window moves every pair by the jump, so the slope alone cannot tell a
 * level shift from a drift. The two models are compared on the cleaned window: a straight line
 * (least squares) against two flat levels with the best change point (found in O(W) with prefix
 * sums). A drift is reported only when the line fits at least as well as the step and fits well
 * in absolute terms (residual variance at most `maxFitRatio` times the bucket noise), which also
 * rules out a window that contains a sawtooth drop.
 */
export interface DriftConfig {
  /** smallest slope reported as drift, ms per minute (practical floor for very clean series) */
  minDriftMsPerMin: number;
  /** the slope must exceed this many standard errors of the slope estimate */
  driftZ: number;
  /** the squared robust spread of the residuals around the line may be at most this many noise variances */
  maxFitRatio: number;
  /** smallest level shift reported as a step, ms */
  minStepMs: number;
  /** the step must beat the line by this many noise variances (sum of squares) */
  stepPenalty: number;
  /** the step must exceed this many standard errors of the difference of the two levels */
  stepZ: number;
}

export interface DriftResult {
  /** robust slope, ms per minute (positive: latency rising) */
  slopeMsPerMin: number;
  /** standard error of that slope, ms per minute */
  slopeNoiseMsPerMin: number;
  /** (robust spread of the residuals around the robust line / bucket noise)^2 */
  fitRatio: number;
  /** the window looks like a linear rise (subject to persistence in the caller) */
  isDrift: boolean;
  /** the window looks like a level shift */
  isStep: boolean;
  /** size of the best level shift, ms (right level minus left level) */
  stepMs: number;
  /** position of the best change point, buckets from the end of the window */
  stepAgeBuckets: number;
}

export function emptyDriftResult(): DriftResult {
  return {
    slopeMsPerMin: 0,
    slopeNoiseMsPerMin: 0,
    fitRatio: 0,
    isDrift: false,
    isStep: false,
    stepMs: 0,
    stepAgeBuckets: 0,
  };
}

/** Preallocated work space for windows of up to `capacity` buckets. */
export class DriftScratch {
  readonly pairs: Float64Array;
  readonly cnt: Float64Array;
  readonly sum: Float64Array;
  readonly sq: Float64Array;
  constructor(capacity: number) {
    this.pairs = new Float64Array(capacity);
    this.cnt = new Float64Array(capacity + 1);
    this.sum = new Float64Array(capacity + 1);
    this.sq = new Float64Array(capacity + 1);
  }
}

/**
 * Analyses `y[0..n)` (cleaned values, oldest first; `valid` marks real buckets) with bucket noise
 * `sigma` (ms) and bucket width `bucketS` (seconds). Writes into `out`.
 */
export function analyzeDrift(
  y: Float64Array,
  valid: Uint8Array,
  n: number,
  sigma: number,
  bucketS: number,
  cfg: DriftConfig,
  s: DriftScratch,
  out: DriftResult,
): void {
  out.isDrift = false;
  out.isStep = false;
  out.slopeMsPerMin = 0;
  out.slopeNoiseMsPerMin = 0;
  out.fitRatio = 0;
  out.stepMs = 0;
  out.stepAgeBuckets = 0;
  const h = n >> 1;
  if (h < 4 || !(sigma > 0)) return;

  // --- paired-slope median ---
  let m = 0;
  for (let j = 0; j + h < n; j++) {
    if (valid[j] && valid[j + h]) s.pairs[m++] = (y[j + h]! - y[j]!) / h;
  }
  if (m < 4) return;
  const slopePerBucket = medianInPlace(s.pairs, m);
  const perMin = 60 / bucketS;
  out.slopeMsPerMin = slopePerBucket * perMin;
  const slopeNoise = (1.2533 * Math.SQRT2 * sigma) / h / Math.sqrt(m);
  out.slopeNoiseMsPerMin = slopeNoise * perMin;

  // --- least-squares line and prefix sums over valid points ---
  const cnt = s.cnt;
  const sum = s.sum;
  const sq = s.sq;
  cnt[0] = 0;
  sum[0] = 0;
  sq[0] = 0;
  let sx = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    const v = valid[i] ? 1 : 0;
    const yi = v ? y[i]! : 0;
    cnt[i + 1] = cnt[i]! + v;
    sum[i + 1] = sum[i]! + yi;
    sq[i + 1] = sq[i]! + yi * yi;
    if (v) {
      sx += i;
      sxx += i * i;
      sxy += i * yi;
    }
  }
  const N = cnt[n]!;
  const sy = sum[n]!;
  const syy = sq[n]!;
  if (N < 8) return;
  const vx = sxx - (sx * sx) / N;
  const cxy = sxy - (sx * sy) / N;
  const vy = syy - (sy * sy) / N;
  const b = vx > 0 ? cxy / vx : 0;
  const sseLine = Math.max(0, vy - b * cxy);
  const noiseVar = sigma * sigma;
  // robust fit quality: spread (MAD) of the residuals around the robust line, against the noise;
  // a window holding a sawtooth drop has residuals spread over the amplitude
  const a = medianResidualOffset(y, valid, n, slopePerBucket, s.pairs);
  let r = 0;
  for (let i = 0; i < n; i++) if (valid[i]) s.pairs[r++] = Math.abs(y[i]! - a - slopePerBucket * i);
  const residSigma = MAD_TO_SIGMA * medianInPlace(s.pairs, r);
  out.fitRatio = (residSigma * residSigma) / noiseVar;

  // --- best single change point (two flat levels) ---
  const minSeg = Math.max(3, Math.floor(N / 8));
  let bestSse = Number.POSITIVE_INFINITY;
  let bestP = -1;
  for (let p = 1; p < n; p++) {
    const cl = cnt[p]!;
    const cr = N - cl;
    if (cl < minSeg || cr < minSeg) continue;
    const sl = sum[p]!;
    const sr = sy - sl;
    const sse = sq[p]! - (sl * sl) / cl + (syy - sq[p]!) - (sr * sr) / cr;
    if (sse < bestSse) {
      bestSse = sse;
      bestP = p;
    }
  }
  if (bestP > 0) {
    const cl = cnt[bestP]!;
    const cr = N - cl;
    const jump = (sy - sum[bestP]!) / cr - sum[bestP]! / cl;
    out.stepMs = jump;
    out.stepAgeBuckets = n - bestP;
    const jumpNoise = sigma * Math.sqrt(1 / cl + 1 / cr);
    out.isStep =
      sseLine - bestSse >= cfg.stepPenalty * noiseVar &&
      Math.abs(jump) >= cfg.minStepMs &&
      Math.abs(jump) >= cfg.stepZ * jumpNoise;
  }

  const threshold = Math.max(cfg.minDriftMsPerMin, cfg.driftZ * out.slopeNoiseMsPerMin);
  out.isDrift =
    out.slopeMsPerMin >= threshold && out.fitRatio <= cfg.maxFitRatio && !(bestP > 0 && bestSse < sseLine);
}

/** Median of y - slope x over valid points: the intercept of the robust line. */
function medianResidualOffset(
  y: Float64Array,
  valid: Uint8Array,
  n: number,
  slope: number,
  scratch: Float64Array,
): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (valid[i]) scratch[m++] = y[i]! - slope * i;
  return medianInPlace(scratch, m);
}
