import { METRIC } from '../metrics/names.ts';

/**
 * The metrics the detector probe declares (lib/k6/detector-probe.ts) and their k6 types. Pure, so
 * Node tests check that thresholds only name declared metrics with aggregations valid for their
 * type (k6 refuses anything else with exit code 104).
 *
 * Only two Trends (k6 keeps every Trend sample for the whole run), both sampled to about
 * `TREND_SAMPLES_PER_S` per runner; everything else is a Rate, Gauge or Counter, emitted by a few
 * sentinel VUs once per check.
 */
export const DETECTOR_METRICS = {
  [METRIC.scheduleLag]: 'trend',
  [METRIC.clientOverhead]: 'trend',
  [METRIC.vuHeadroom]: 'gauge',
  [METRIC.rateAttainment]: 'gauge',
  [METRIC.generatorStarved]: 'rate',
  [METRIC.generatorCpuStarved]: 'rate',
  [METRIC.latencyDrift]: 'gauge',
  [METRIC.sawtoothPeriod]: 'gauge',
  [METRIC.sawtoothAmplitude]: 'gauge',
  [METRIC.latencyStep]: 'gauge',
  [METRIC.latencyPauses]: 'counter',
  [METRIC.latencyDrifting]: 'rate',
  [METRIC.latencySawtooth]: 'rate',
  [METRIC.hubDegrading]: 'rate',
} as const satisfies Record<string, 'counter' | 'gauge' | 'rate' | 'trend'>;

export type DetectorMetricName = keyof typeof DETECTOR_METRICS;

/** Trend samples per second per runner the probe aims at (per Trend). */
export const TREND_SAMPLES_PER_S = 50;

/** Time-valued metrics (declared with `isTime`, so summaries show ms). */
export const DETECTOR_TIME_METRICS: readonly string[] = [METRIC.scheduleLag, METRIC.clientOverhead];
