import { medianInPlace, selectInPlace } from './robust.ts';

/**
 * Sawtooth search over one window of cleaned bucket medians: slow rise, sharp drop, repeating
 * (GC of a growing heap, a cache or pool that fills and flushes, periodic compaction).
 *
 * 1. Drops: at each position t and for several scales s, D = mean(y[t-s..t)) - mean(y[t..t+s)),
 *    O(1) from prefix sums; z = D / (sigma sqrt(2/s)). A matched filter: a drop of amplitude A in
 *    a sawtooth of period P scores about A (1 - s/P) sqrt(s/2) / sigma, best near s = P/3, so long
 *    periods are found at lower amplitudes than short ones.
 * 2. Candidate drops: local maxima with z >= `dropZ`, thinned by non-maximum suppression.
 * 3. Regularity: the median spacing p0 is the period's first guess; at least `minRegular` of the
 *    spacings must be 1, 2 or 3 times p0 within `maxJitter` (missed drops), at least half of them
 *    single; at least 3 single cycles when the window could hold 4 (2 otherwise); and the drops of
 *    the regular run must add up (Stouffer) to `combinedZ`: noise makes a few candidates, never a
 *    long regular run. Period = span of the regular run / periods it covers.
 * 4. Slow rise: in each cycle, the mean of its four phase quarters q1..q4; over the cycles (lower
 *    median, so one odd cycle holding a level step cannot make a sawtooth) the level must rise by
 *    at least `minRiseRatio` of the median drop, significantly, and already by the third quarter
 *    ((q3 - q1) >= `minEvenness` x (q4 - q1)). That is what tells a sawtooth from a train of
 *    short bumps (GC pauses: flat, then a bump just before each fall).
 * 5. Amplitude: lower median over cycles of the least-squares slope of level on phase (0..1),
 *    leaving out each cycle's end buckets (they may straddle a drop and hold a mixed median).
 * Cost: O(window x scales) per analysis, no allocation.
 */
export interface SawtoothConfig {
  /** candidate drop z-score threshold */
  dropZ: number;
  /** shortest period searched, buckets (>= 4) */
  minPeriodBuckets: number;
  /** longest period searched, buckets */
  maxPeriodBuckets: number;
  /** allowed deviation of a spacing from a multiple of the period, as a share of the period */
  maxJitter: number;
  /** combined z (mean drop z x sqrt(drops)) of the regular drops */
  combinedZ: number;
  /** share of spacings that must be regular */
  minRegular: number;
  /** required rise (q4 - q1) / median drop */
  minRiseRatio: number;
  /** required z-score of the rise */
  riseZ: number;
  /** required (q3 - q1) / (q4 - q1): the rise is spread over the cycle */
  minEvenness: number;
  /** smallest amplitude reported, ms */
  minAmplitudeMs: number;
  /** smallest amplitude reported, in bucket-noise units (random runs of heavy-tail bursts are small) */
  minAmplitudeSigma: number;
}

export interface SawtoothResult {
  found: boolean;
  /** candidate drops found */
  drops: number;
  periodBuckets: number;
  amplitudeMs: number;
  /** why the last search found nothing (for diagnostics), or 'found' */
  reason: string;
}

export function emptySawtoothResult(): SawtoothResult {
  return { found: false, drops: 0, periodBuckets: 0, amplitudeMs: 0, reason: 'not run' };
}

const SCALES = [1, 2, 3, 4, 6, 8, 11, 16, 22, 32, 45];
/** sqrt(s / 2) per scale: z = D sqrt(s/2) / sigma */
const ZF = SCALES.map((sc) => Math.sqrt(sc / 2));

export class SawtoothScratch {
  readonly prefix: Float64Array;
  readonly z: Float64Array;
  readonly drop: Float64Array;
  readonly at: Int32Array;
  readonly scale: Int32Array;
  readonly tmp: Float64Array;
  readonly rise: Float64Array;
  readonly even: Float64Array;
  readonly amp: Float64Array;
  constructor(capacity: number) {
    this.rise = new Float64Array(capacity);
    this.even = new Float64Array(capacity);
    this.amp = new Float64Array(capacity);
    this.scale = new Int32Array(capacity);
    this.prefix = new Float64Array(capacity + 1);
    this.z = new Float64Array(capacity);
    this.drop = new Float64Array(capacity);
    this.at = new Int32Array(capacity);
    this.tmp = new Float64Array(capacity);
  }
}

export function analyzeSawtooth(
  y: Float64Array,
  n: number,
  sigma: number,
  cfg: SawtoothConfig,
  s: SawtoothScratch,
  out: SawtoothResult,
): void {
  out.found = false;
  out.drops = 0;
  out.periodBuckets = 0;
  out.amplitudeMs = 0;
  out.reason = 'too few buckets';
  if (!(sigma > 0) || n < 3 * cfg.minPeriodBuckets) return;
  const P = s.prefix;
  P[0] = 0;
  for (let i = 0; i < n; i++) P[i + 1] = P[i]! + y[i]!;
  const maxScale = Math.max(1, Math.floor(cfg.maxPeriodBuckets / 3));
  const z = s.z;
  const drop = s.drop;
  const scale = s.scale;
  const inv = 1 / sigma;
  for (let t = 0; t < n; t++) {
    let best = 0;
    let bestD = 0;
    let bestS = 1;
    const pt = P[t]!;
    for (let k = 0; k < SCALES.length; k++) {
      const sc = SCALES[k]!;
      if (sc > maxScale || t - sc < 0 || t + sc > n) break;
      const d = (2 * pt - P[t - sc]! - P[t + sc]!) / sc;
      const zz = d * ZF[k]! * inv;
      if (zz > best) {
        best = zz;
        bestD = d;
        bestS = sc;
      }
    }
    z[t] = best;
    drop[t] = bestD;
    scale[t] = bestS;
  }
  // candidates: local maxima above threshold; then non-maximum suppression, strongest first, within
  // max(minPeriod, the candidate's best scale): a big single drop is a broad hump of z over
  // neighbouring positions and scales, and must count once
  const at = s.at;
  let c = 0;
  for (let t = 1; t < n; t++) {
    const zt = z[t]!;
    if (zt < cfg.dropZ) continue;
    if (zt < z[t - 1]! || (t + 1 < n && zt < z[t + 1]!)) continue;
    at[c++] = t;
  }
  // insertion sort of the candidates by z, descending (few candidates)
  for (let i = 1; i < c; i++) {
    const v = at[i]!;
    let j = i - 1;
    while (j >= 0 && z[at[j]!]! < z[v]!) {
      at[j + 1] = at[j]!;
      j--;
    }
    at[j + 1] = v;
  }
  let m = 0;
  for (let i = 0; i < c; i++) {
    const t = at[i]!;
    const r = Math.max(cfg.minPeriodBuckets, scale[t]!);
    let keep = true;
    for (let j = 0; j < m; j++) {
      const u = at[j]!;
      if (Math.abs(u - t) < Math.max(r, scale[u]!)) {
        keep = false;
        break;
      }
    }
    if (keep) at[m++] = t;
  }
  // back to time order
  for (let i = 1; i < m; i++) {
    const v = at[i]!;
    let j = i - 1;
    while (j >= 0 && at[j]! > v) {
      at[j + 1] = at[j]!;
      j--;
    }
    at[j + 1] = v;
  }
  out.drops = m;
  if (m < 3) {
    out.reason = 'fewer than 3 drops';
    return;
  }

  // regular spacing: each spacing is 1, 2 or 3 periods (missed drops) within the jitter
  const tmp = s.tmp;
  for (let k = 0; k + 1 < m; k++) tmp[k] = at[k + 1]! - at[k]!;
  const p0 = medianInPlace(tmp, m - 1);
  if (p0 < cfg.minPeriodBuckets || p0 > cfg.maxPeriodBuckets) {
    out.reason = 'period out of range';
    return;
  }
  const tol = cfg.maxJitter * p0;
  // the longest run of consecutive regular spacings (an irregular one breaks the run)
  let single = 0;
  let regular = 0;
  let firstRegular = -1;
  let lastRegular = -1;
  let cyclesSpanned = 0;
  let runStart = -1;
  let runCycles = 0;
  for (let k = 0; k + 1 < m; k++) {
    const d = at[k + 1]! - at[k]!;
    const mult = Math.round(d / p0);
    const ok = mult >= 1 && mult <= 3 && Math.abs(d - mult * p0) <= tol;
    if (ok) {
      regular++;
      if (mult === 1) single++;
      if (runStart < 0) {
        runStart = k;
        runCycles = 0;
      }
      runCycles += mult;
      if (k + 1 - runStart > lastRegular - firstRegular) {
        firstRegular = runStart;
        lastRegular = k + 1;
        cyclesSpanned = runCycles;
      }
    } else runStart = -1;
  }
  const spacings = m - 1;
  // enough cycles: 2 when the window holds only ~3 periods, 3 when it could hold 4 or more
  const needSingle = p0 * 4 <= n ? 3 : 2;
  if (single < needSingle || regular < cfg.minRegular * spacings || single < regular / 2) {
    out.reason = 'irregular drops';
    return;
  }
  // combined evidence of the drops in the regular run (Stouffer: mean z x sqrt(count))
  let zsum = 0;
  for (let k = firstRegular; k <= lastRegular; k++) zsum += z[at[k]!]!;
  const count = lastRegular - firstRegular + 1;
  if (zsum / Math.sqrt(count) < cfg.combinedZ) {
    out.reason = 'drops too weak';
    return;
  }
  const period = (at[lastRegular]! - at[firstRegular]!) / cyclesSpanned;

  for (let k = 0; k < m; k++) tmp[k] = drop[at[k]!]!;
  const dropMed = medianInPlace(tmp, m);

  // per single cycle: the quarter means and the least-squares amplitude; then the lower median
  // over cycles, so that one odd cycle (a step or a burst inside it) cannot make a sawtooth
  const rise = s.rise;
  const even = s.even;
  const amp = s.amp;
  let cycles = 0;
  let lenSum = 0;
  for (let k = firstRegular; k < lastRegular; k++) {
    const a = at[k]!;
    const b = at[k + 1]!;
    const len = b - a;
    if (Math.abs(len - period) > tol) continue;
    let q1 = 0;
    let q3 = 0;
    let q4 = 0;
    let c1 = 0;
    let c3 = 0;
    let c4 = 0;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let sxy = 0;
    let sn = 0;
    // the buckets at both ends may straddle a drop and hold a mixed median: skip them for the slope
    const edge = len >= 6 ? 1 : 0;
    for (let i = a; i < b; i++) {
      const ph = (i - a + 0.5) / len;
      const v = y[i]!;
      if (ph < 0.25) {
        q1 += v;
        c1++;
      } else if (ph >= 0.5 && ph < 0.75) {
        q3 += v;
        c3++;
      } else if (ph >= 0.75) {
        q4 += v;
        c4++;
      }
      if (i - a >= edge && b - 1 - i >= edge) {
        sx += ph;
        sy += v;
        sxx += ph * ph;
        sxy += ph * v;
        sn++;
      }
    }
    const vx = sxx - (sx * sx) / sn;
    if (c1 === 0 || c3 === 0 || c4 === 0 || sn < 2 || !(vx > 0)) continue;
    rise[cycles] = q4 / c4 - q1 / c1;
    even[cycles] = q3 / c3 - q1 / c1;
    amp[cycles] = (sxy - (sx * sy) / sn) / vx;
    lenSum += len;
    cycles++;
  }
  // the shape must hold in as many cycles as the regularity test asked for
  if (cycles < needSingle) {
    out.reason = 'no cycles';
    return;
  }
  const lowMid = (cycles - 1) >> 1;
  const riseLow = selectInPlace(rise, cycles, lowMid);
  const evenLow = selectInPlace(even, cycles, lowMid);
  const amplitude = selectInPlace(amp, cycles, lowMid);
  const riseNoise = (1.25 * sigma * Math.sqrt(8 / (lenSum / cycles))) / Math.sqrt(cycles);
  if (riseLow < cfg.minRiseRatio * dropMed || riseLow < cfg.riseZ * riseNoise) {
    out.reason = 'no rise';
    return;
  }
  if (evenLow < cfg.minEvenness * riseLow) {
    out.reason = 'rise not spread';
    return;
  }
  // the rise must account for the drops (a sawtooth falls by what it rose)
  if (
    amplitude < cfg.minAmplitudeMs ||
    amplitude < 0.5 * dropMed ||
    amplitude < cfg.minAmplitudeSigma * sigma
  ) {
    out.reason = 'rise smaller than drops';
    return;
  }
  out.found = true;
  out.reason = 'found';
  out.periodBuckets = period;
  out.amplitudeMs = amplitude;
}
