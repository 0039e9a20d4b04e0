import { BucketSeries } from './bucket-series.ts';
import { cleanWindow } from './clean.ts';
import { analyzeDrift, type DriftConfig, type DriftResult, DriftScratch, emptyDriftResult } from './drift.ts';
import { Latch } from './latch.ts';
import { diffNoiseSigma, medianInPlace, periodicNoiseSigma } from './robust.ts';
import {
  analyzeSawtooth,
  emptySawtoothResult,
  type SawtoothConfig,
  type SawtoothResult,
  SawtoothScratch,
} from './sawtooth.ts';
import { HUB_DEFAULTS } from './sensitivity.ts';

/**
 * Hub-degradation detector over one latency stream (ms): drift (robust slope), level shifts,
 * sawtooth (period, amplitude) and pauses/spikes.
 *
 * Per sample: one bucket update (P-square median, max, a threshold comparison): O(1), no
 * allocation. Per closed bucket: one analysis of the last buckets: O(window x scales), on
 * preallocated arrays. Memory: a ring of `sawtoothWindowS / bucket` buckets plus scratch of the
 * same size, fixed at construction.
 *
 * The same class serves every view: a k6 VU feeding its own ~1/N of the transfers (wider buckets,
 * see `bucketMsForRate`), the analyzer feeding the global stream (1 s buckets), or pre-aggregated
 * per-second medians (`addBucket`).
 */
export interface HubDetectorOptions {
  /** bucket width, ms (default 1000) */
  bucketMs?: number;
  /** drift window, seconds (default 120) */
  driftWindowS?: number;
  /** sawtooth window, seconds: must hold about 3 periods of the longest one (default 360) */
  sawtoothWindowS?: number;
  /** longest sawtooth period searched, seconds (default 120) */
  maxPeriodS?: number;
  /** drift must hold this long before it fires, seconds (default 10) */
  driftPersistS?: number;
  /** sawtooth must hold this long before it fires, seconds (default 5) */
  sawtoothPersistS?: number;
  /** a fired signal clears after this long without it, seconds (default 30) */
  clearAfterS?: number;
  /** run the analyses every this many seconds (at least every bucket; default 2) */
  analysisEveryS?: number;
  /** buckets with fewer samples count as empty for the analyses (default 1) */
  minBucketCount?: number;
  drift?: Partial<DriftConfig>;
  sawtooth?: Partial<SawtoothConfig>;
  /** a pause must add at least this much over the level, ms (default 50) */
  pauseMinMs?: number;
  /** ... and at least this many per-sample noise units (default 4) */
  pauseNoiseK?: number;
  /** a bucket needs at least this many samples above the pause line (default 3) */
  pauseMinCount?: number;
}

/** What the detector currently believes. Updated in place after each analysis. */
export interface HubState {
  /** an analysis has run (enough buckets) */
  ready: boolean;
  analyses: number;
  /** typical latency: median of recent bucket medians, ms */
  levelMs: number;
  /** noise of one bucket median, ms */
  noiseMs: number;
  driftMsPerMin: number;
  driftNoiseMsPerMin: number;
  /** drift has held for the persistence time */
  drifting: boolean;
  /** the drift window currently looks like a level shift */
  stepping: boolean;
  /** size of the last level shift seen, ms (0 if none) */
  lastStepMs: number;
  sawtooth: boolean;
  sawtoothPeriodS: number;
  sawtoothAmplitudeMs: number;
  /** pauses/spikes seen so far */
  pauses: number;
  /** excess of the last pause over the level, ms */
  lastPauseMs: number;
  /** drifting or sawtooth */
  degrading: boolean;
  /** 'sawtooth' > 'drift' > 'step' > 'none' */
  label: 'none' | 'step' | 'drift' | 'sawtooth';
}

export function emptyHubState(): HubState {
  return {
    ready: false,
    analyses: 0,
    levelMs: 0,
    noiseMs: 0,
    driftMsPerMin: 0,
    driftNoiseMsPerMin: 0,
    drifting: false,
    stepping: false,
    lastStepMs: 0,
    sawtooth: false,
    sawtoothPeriodS: 0,
    sawtoothAmplitudeMs: 0,
    pauses: 0,
    lastPauseMs: 0,
    degrading: false,
    label: 'none',
  };
}

export class HubDetector {
  readonly state: HubState = emptyHubState();
  readonly bucketMs: number;
  readonly series: BucketSeries;
  private readonly driftN: number;
  private readonly sawN: number;
  private readonly minCount: number;
  private readonly driftCfg: DriftConfig;
  private readonly sawCfg: SawtoothConfig;
  private readonly pauseMinMs: number;
  private readonly pauseNoiseK: number;
  private readonly pauseMinCount: number;
  private readonly raw: Float64Array;
  private readonly clean: Float64Array;
  private readonly valid: Uint8Array;
  private readonly tmp: Float64Array;
  private readonly driftScratch: DriftScratch;
  private readonly sawScratch: SawtoothScratch;
  private readonly drift: DriftResult = emptyDriftResult();
  private readonly saw: SawtoothResult = emptySawtoothResult();
  private readonly driftLatch: Latch;
  private readonly sawLatch: Latch;
  private previousBucketPaused = false;
  private ewE = 0;
  private ewN = 0;
  private linedBuckets = 0;
  private readonly lagOut = new Float64Array(1);
  private periodicSigma = 0;
  private readonly analysisEvery: number;
  private closedSinceAnalysis = 0;
  private readonly scalesEvery: number;
  private sinceScales = 0;
  private sampleScale = Number.NaN;

  constructor(opts: HubDetectorOptions = {}) {
    const d = HUB_DEFAULTS;
    this.bucketMs = positive('bucketMs', opts.bucketMs ?? d.bucketMs);
    const bucketS = this.bucketMs / 1000;
    const sawWindowS = positive('sawtoothWindowS', opts.sawtoothWindowS ?? d.sawtoothWindowS);
    const driftWindowS = positive('driftWindowS', opts.driftWindowS ?? d.driftWindowS);
    this.sawN = Math.max(16, Math.round(sawWindowS / bucketS));
    this.driftN = Math.min(this.sawN, Math.max(16, Math.round(driftWindowS / bucketS)));
    this.minCount = opts.minBucketCount ?? 1;
    this.driftCfg = { ...d.drift, ...opts.drift };
    const maxPeriodS = positive('maxPeriodS', opts.maxPeriodS ?? d.maxPeriodS);
    this.sawCfg = {
      ...d.sawtooth,
      maxPeriodBuckets: Math.max(4, Math.round(maxPeriodS / bucketS)),
      ...opts.sawtooth,
    };
    this.pauseMinMs = opts.pauseMinMs ?? d.pauseMinMs;
    this.pauseNoiseK = opts.pauseNoiseK ?? d.pauseNoiseK;
    this.pauseMinCount = opts.pauseMinCount ?? d.pauseMinCount;
    // analyses run every `analysisEveryS` (at least every bucket); persistence counts analyses
    this.analysisEvery = Math.max(1, Math.round((opts.analysisEveryS ?? d.analysisEveryS) / bucketS));
    const analysisS = this.analysisEvery * bucketS;
    this.scalesEvery = Math.max(1, Math.round(d.scalesEveryS / analysisS));
    const perS = (s: number) => Math.max(1, Math.ceil(s / analysisS));
    this.driftLatch = new Latch(
      perS(opts.driftPersistS ?? d.driftPersistS),
      perS(opts.clearAfterS ?? d.clearAfterS),
    );
    this.sawLatch = new Latch(
      perS(opts.sawtoothPersistS ?? d.sawtoothPersistS),
      perS(opts.clearAfterS ?? d.clearAfterS),
    );
    this.series = new BucketSeries(this.bucketMs, this.sawN);
    this.raw = new Float64Array(this.sawN);
    this.clean = new Float64Array(this.sawN);
    this.valid = new Uint8Array(this.sawN);
    this.tmp = new Float64Array(this.sawN);
    this.driftScratch = new DriftScratch(this.sawN);
    this.sawScratch = new SawtoothScratch(this.sawN);
  }

  /** Feeds one latency sample (ms) observed at `tMs`. Returns true when an analysis ran. */
  add(tMs: number, latencyMs: number): boolean {
    const closed = this.series.add(tMs, latencyMs);
    return closed > 0 && this.onClosed(closed);
  }

  /** Moves time forward without a sample (closes buckets). Returns true when an analysis ran. */
  advance(tMs: number): boolean {
    const closed = this.series.advance(tMs);
    return closed > 0 && this.onClosed(closed);
  }

  private onClosed(closed: number): boolean {
    const s = this.series;
    // pause check on the buckets just closed (only the most recent ones can hold samples)
    for (let age = Math.min(closed, s.size) - 1; age >= 0; age--) this.checkPause(s.indexOf(age));
    this.closedSinceAnalysis += closed;
    if (this.closedSinceAnalysis < this.analysisEvery) return false;
    this.closedSinceAnalysis = 0;
    return this.analyze();
  }

  private checkPause(i: number): void {
    const s = this.series;
    const n = s.cnt[i]!;
    const e = s.exceed[i]!;
    let paused = false;
    if (s.exceedAbove === Number.POSITIVE_INFINITY) return;
    // the typical share of samples above the pause line, over the buckets counted against a line
    // (an exponential average over ~60 buckets)
    if (n > 0 && e >= this.pauseMinCount && this.linedBuckets >= 30 && this.ewN > 0) {
      const f0 = Math.min(0.5, Math.max(0.002, this.ewE / this.ewN));
      paused = e / n >= 3 * f0 + 0.05 && poissonTail(e, n * f0) <= PAUSE_TAIL_P;
    }
    if (!paused) {
      this.ewE = this.ewE * (59 / 60) + e;
      this.ewN = this.ewN * (59 / 60) + n;
    }
    this.linedBuckets++;
    if (paused && !this.previousBucketPaused) {
      this.state.pauses++;
      this.state.lastPauseMs = s.max[i]! - this.state.levelMs;
    }
    this.previousBucketPaused = paused;
  }

  /** Noise, level and pause line: they change slowly, so they are refreshed every few seconds. */
  private refreshScales(n: number): boolean {
    const s = this.series;
    // level: median of the last 30 valid bucket medians
    let k = 0;
    for (let i = n - 1; i >= 0 && k < 30; i--) if (this.valid[i]) this.tmp[k++] = this.raw[i]!;
    const level = medianInPlace(this.tmp, k);
    let sigma = diffNoiseSigma(this.raw, this.valid, n, this.tmp);
    if (Number.isNaN(sigma)) return false;
    // a perfectly steady series (a fixed simulator latency) still gets a noise floor
    if (!(sigma > 0)) sigma = 1e-3 * Math.max(1, Math.abs(level));
    // typical samples per bucket turns the median noise into a per-sample scale for the pause line
    k = 0;
    for (let i = n - 1; i >= 0 && k < 30; i--)
      if (this.valid[i]) this.tmp[k++] = s.cnt[s.indexOf(n - 1 - i)]!;
    const perBucket = Math.max(1, medianInPlace(this.tmp, k));
    this.sampleScale = (sigma * Math.sqrt(perBucket)) / 1.2533;
    s.exceedAbove = level + Math.max(this.pauseMinMs, this.pauseNoiseK * this.sampleScale);
    this.state.levelMs = level;
    this.state.noiseMs = sigma;
    const ps = periodicNoiseSigma(
      this.raw,
      this.valid,
      n,
      sigma,
      this.sawCfg.minPeriodBuckets,
      HUB_DEFAULTS.periodicNoiseMaxLag,
      HUB_DEFAULTS.periodicNoiseSwitch,
      this.tmp,
      this.lagOut,
    );
    this.periodicSigma = ps;
    return true;
  }

  private analyze(): boolean {
    const s = this.series;
    const st = this.state;
    const bucketS = this.bucketMs / 1000;
    const n = s.copyRecent(s.med, this.sawN, this.raw, this.valid, this.minCount);
    let nValid = 0;
    for (let i = 0; i < n; i++) nValid += this.valid[i]!;
    if (n < 16 || nValid < 12) return false;
    if (!st.ready || this.sinceScales >= this.scalesEvery) {
      if (!this.refreshScales(n)) return false;
      this.sinceScales = 0;
    }
    this.sinceScales++;
    const sigma = st.noiseMs;
    cleanWindow(this.raw, this.valid, n, sigma, HUB_DEFAULTS.cleanClip, this.clean);
    st.ready = true;
    st.analyses++;

    // drift / step over the most recent driftN buckets (needs a full window)
    let driftPositive = false;
    st.stepping = false;
    if (n >= this.driftN) {
      const off = n - this.driftN;
      analyzeDrift(
        this.clean.subarray(off, n),
        this.valid.subarray(off, n),
        this.driftN,
        sigma,
        bucketS,
        this.driftCfg,
        this.driftScratch,
        this.drift,
      );
      st.driftMsPerMin = this.drift.slopeMsPerMin;
      st.driftNoiseMsPerMin = this.drift.slopeNoiseMsPerMin;
      driftPositive = this.drift.isDrift;
      if (this.drift.isStep) {
        st.stepping = true;
        // the size is best measured with the change point well inside the window
        const age = this.drift.stepAgeBuckets;
        if (age >= this.driftN / 4 && age <= (3 * this.driftN) / 4) st.lastStepMs = this.drift.stepMs;
      }
    }
    const sawSigma = this.periodicSigma;
    analyzeSawtooth(this.clean, n, sawSigma, this.sawCfg, this.sawScratch, this.saw);
    const lag = this.lagOut[0]!;
    if (lag > 0 && this.saw.found) {
      // found with the lowered noise: the period must be the lag that cancelled the signal
      const r = this.saw.periodBuckets / lag;
      if (!(Math.abs(r - 1) <= 0.25 || Math.abs(r - 0.5) <= 0.125)) {
        analyzeSawtooth(this.clean, n, sigma, this.sawCfg, this.sawScratch, this.saw);
      }
    }
    // a repeating pattern is not gone until it has been missing for more than a period
    if (this.saw.found) this.sawLatch.hold = Math.ceil((1.5 * this.saw.periodBuckets) / this.analysisEvery);
    const saw = this.sawLatch.update(this.saw.found);
    if (this.saw.found) {
      st.sawtoothPeriodS = this.saw.periodBuckets * bucketS;
      st.sawtoothAmplitudeMs = this.saw.amplitudeMs;
    } else if (!saw) {
      st.sawtoothPeriodS = 0;
      st.sawtoothAmplitudeMs = 0;
    }
    st.sawtooth = saw;
    st.drifting = this.driftLatch.update(driftPositive);
    st.degrading = st.drifting || st.sawtooth;
    st.label = st.sawtooth ? 'sawtooth' : st.drifting ? 'drift' : st.stepping ? 'step' : 'none';
    return true;
  }

  /**
   * Feeds one pre-aggregated bucket (for the analyzer's per-second series): `median` of the
   * bucket's samples, `count`, `max`, and optionally how many samples exceeded the pause line the
   * detector publishes in `pauseLineMs` (pass NaN when unknown: pauses are then not checked).
   */
  addBucket(startMs: number, median: number, count: number, max = median, exceedCount = Number.NaN): boolean {
    const closed = this.series.pushBucket(startMs, median, count, max, exceedCount);
    return closed > 0 && this.onClosed(closed);
  }

  /** Latency above which a sample counts toward a pause (Infinity before the first analysis). */
  get pauseLineMs(): number {
    return this.series.exceedAbove;
  }

  /** Robust per-sample noise scale, ms (NaN before the first analysis). */
  get sampleNoiseMs(): number {
    return this.sampleScale;
  }
}

/** Chance of a bucket this full of slow samples by luck; ~1e-6 keeps a 10-minute trace clean. */
const PAUSE_TAIL_P = 1e-6;

/**
 * P(X >= k) for X ~ Poisson(lambda), summed over the first terms (enough for the small lambdas of
 * a tail share; the terms fall geometrically once k > lambda).
 */
export function poissonTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (!(lambda > 0)) return 0;
  // log of the k-th term, then the following ones by ratio
  let logTerm = -lambda + k * Math.log(lambda);
  for (let i = 2; i <= k; i++) logTerm -= Math.log(i);
  let term = Math.exp(logTerm);
  let sum = 0;
  for (let j = k; j < k + 60 && term > sum * 1e-12; j++) {
    sum += term;
    term *= lambda / (j + 1);
  }
  return Math.min(1, sum);
}

function positive(name: string, v: number): number {
  if (!(v > 0) || !Number.isFinite(v)) throw new Error(`${name}: expected a positive number, got ${v}`);
  return v;
}

/**
 * Bucket width for a view that sees `samplesPerSecond` latency samples: 500 ms when that still
 * gives about 10 samples per bucket (the global stream, a collector VU: a 5 s sawtooth is then 10
 * buckets, comfortably above the 8-bucket minimum of full sensitivity), otherwise wide enough for
 * about `target` samples per bucket (a median of 5 is already robust to a heavy tail), between 1 s
 * and 10 s. A VU seeing 1 transfer/s gets 5 s buckets: the shortest sawtooth it can see is then
 * 4 buckets = 20 s (docs/detectors.md).
 */
export function bucketMsForRate(samplesPerSecond: number, target = 5): number {
  if (!(samplesPerSecond > 0)) return 10_000;
  if (samplesPerSecond >= 20) return 500;
  const s = Math.ceil(target / samplesPerSecond);
  return Math.min(10, Math.max(1, s)) * 1000;
}
