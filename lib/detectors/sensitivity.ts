import type { DriftConfig } from './drift.ts';
import type { SawtoothConfig } from './sawtooth.ts';

/**
 * Default tuning of the hub detectors, in one place, with the sensitivity each gives. The numbers
 * are measured by test/lib/detectors/accuracy-*.test.ts on the labeled corpus
 * (test/support/traces/catalog.ts) and printed by `npx tsx bench/detectors.ts`; docs/detectors.md
 * explains them for the person running the test.
 *
 * Noise scale: `sigma_b`, the noise of one bucket median, which the detector estimates itself
 * (robustly, from differences of bucket medians). For n samples per bucket with per-sample robust
 * spread s, sigma_b ~= 1.25 s / sqrt(n).
 *
 * Documented sensitivity (what the accuracy tests assert, true-positive rate >= 0.95; the corpus
 * draws signals from 1x to 3-4x these):
 * - drift: a linear rise of at least max(3 ms/min, DRIFT_SENSITIVITY_Z x sigma_slope) held for the
 *   120 s window plus 10 s (`driftSensitivity`);
 * - sawtooth: period from SAWTOOTH_MIN_PERIOD_BUCKETS buckets to 120 s, amplitude >=
 *   SAWTOOTH_SENSITIVITY_K x sigma_b (periods >= 8 buckets) or SAWTOOTH_SHORT_SENSITIVITY_K x sigma_b
 *   (6-8 buckets), seen for 3 periods plus 5 s (`sawtoothSensitivity`);
 * - pause: one that delays >= 15 % of a bucket's samples by >= max(50 ms, 4 sigma), with >= 20
 *   samples per bucket (a VU seeing a few samples per bucket cannot tell a pause from a heavy tail).
 * False-positive rate <= 0.02 per 10-minute trace on stationary (normal, lognormal, Pareto), step
 * and GC-pause traces.
 */
export const HUB_DEFAULTS = {
  bucketMs: 1000,
  driftWindowS: 120,
  sawtoothWindowS: 360,
  maxPeriodS: 120,
  driftPersistS: 10,
  sawtoothPersistS: 5,
  clearAfterS: 30,
  analysisEveryS: 2,
  scalesEveryS: 6,
  cleanClip: 3,
  periodicNoiseMaxLag: 16,
  periodicNoiseSwitch: 0.7,
  pauseMinMs: 50,
  pauseNoiseK: 4,
  pauseMinCount: 3,
  drift: {
    minDriftMsPerMin: 3,
    driftZ: 4,
    maxFitRatio: 2,
    minStepMs: 5,
    stepPenalty: 12,
    stepZ: 5,
  } satisfies DriftConfig,
  sawtooth: {
    dropZ: 3.5,
    combinedZ: 8,
    minPeriodBuckets: 4,
    maxPeriodBuckets: 120,
    maxJitter: 0.3,
    minRegular: 0.75,
    minRiseRatio: 0.25,
    riseZ: 4,
    minEvenness: 0.35,
    minAmplitudeMs: 5,
    minAmplitudeSigma: 4,
  } satisfies SawtoothConfig,
} as const;

/** Drift sensitivity in slope standard errors: the accuracy tests use slopes at or above this. */
export const DRIFT_SENSITIVITY_Z = 10;
/** Sawtooth sensitivity: amplitude in bucket-noise units, for periods of at least 8 buckets. */
export const SAWTOOTH_SENSITIVITY_K = 12;
/** ... and for periods of 6 to 8 buckets (a drop then spans a good share of the cycle). */
export const SAWTOOTH_SHORT_SENSITIVITY_K = 16;
/** Shortest period (buckets) of the documented sawtooth sensitivity. */
export const SAWTOOTH_MIN_PERIOD_BUCKETS = 6;

/** Standard error of the drift slope (ms/min) for bucket noise `sigmaB` (ms). */
export function driftSlopeNoise(
  sigmaB: number,
  bucketS: number,
  windowS = HUB_DEFAULTS.driftWindowS,
): number {
  const h = Math.floor(windowS / bucketS / 2);
  return ((1.2533 * Math.SQRT2 * sigmaB) / h / Math.sqrt(h)) * (60 / bucketS);
}

/** Smallest drift (ms/min) the detector is documented to find for bucket noise `sigmaB`. */
export function driftSensitivity(sigmaB: number, bucketS: number): number {
  return Math.max(
    HUB_DEFAULTS.drift.minDriftMsPerMin,
    DRIFT_SENSITIVITY_Z * driftSlopeNoise(sigmaB, bucketS),
  );
}

/**
 * Smallest sawtooth amplitude (ms) the detector is documented to find for bucket noise `sigmaB`
 * and a period of `periodBuckets` (>= SAWTOOTH_MIN_PERIOD_BUCKETS).
 */
export function sawtoothSensitivity(sigmaB: number, periodBuckets: number): number {
  const k = periodBuckets >= 8 ? SAWTOOTH_SENSITIVITY_K : SAWTOOTH_SHORT_SENSITIVITY_K;
  return Math.max(HUB_DEFAULTS.sawtooth.minAmplitudeMs, k * sigmaB);
}

/**
 * Default tuning of the generator-starvation detector. Documented sensitivity (accuracy tests):
 * - drops: >= 5% of due starts missing over 10 s (attainment <= 0.95), seen after the 5 s warm-up
 *   plus half the window (5 s) plus the persistence (3 s);
 * - cause VUs: those drops while no VU was idle at some start in the window;
 * - CPU: scheduler stalls of >= 50 ms at >= 0.5 per second (starts >= max(25 ms, 2 intervals)
 *   late against the lag floor of the last 2-3 s, >= 3 times in 30 s) for >= 3 s.
 */
export const GENERATOR_DEFAULTS = {
  bucketMs: 1000,
  attainmentWindowS: 10,
  cpuWindowS: 30,
  warmupS: 5,
  lateMs: 25,
  minDeficit: 0.03,
  minLateStarts: 3,
  minDueInWindow: 20,
  maxCpuLoad: 0.9,
  vuBoundHeadroom: 0.15,
  persistS: 3,
  clearAfterS: 10,
  /**
   * Over a whole run (the analyzer's steady state): generator drops of at least this share of the
   * schedule (and at least `minRunDrops`), or late seconds of at least `runLateShare` of the seconds,
   * are starvation even when no window held them long enough.
   */
  runDropShare: 0.005,
  minRunDrops: 3,
  runLateShare: 0.02,
} as const;
