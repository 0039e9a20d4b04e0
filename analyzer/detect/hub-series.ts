/**
 * Latency drift (queue build-up), sawtooth and latency pauses on the global per-second series,
 * with the in-run hub detector itself (lib/detectors/hub.ts): the analyzer feeds it one bucket per
 * second (median, count, max and the number of samples above its pause line, read from that
 * second's histogram), exactly like a VU feeds it samples. So the analyzer and the in-run
 * detectors share thresholds and documented sensitivity (lib/detectors/sensitivity.ts).
 *
 * Ranges are the seconds during which the detector's latched state was on.
 */
import { HubDetector, type HubDetectorOptions } from '../../lib/detectors/hub.ts';
import { HUB_DEFAULTS } from '../../lib/detectors/sensitivity.ts';
import type { Detection } from '../model/types.ts';
import type { DetectInput } from './input.ts';
import { ranges } from './stats.ts';

export interface HubSeriesResult {
  detections: Detection[];
  /** Seconds (range indices) where the detector counted a new latency pause. */
  pauseFlags: boolean[];
  stepping: boolean;
  lastStepMs: number;
}

/**
 * The in-run defaults (120-s drift window, 360-s sawtooth window, periods up to 120 s) need about
 * 6 minutes of steady state. Shorter ranges get proportionally shorter windows (drift: half the
 * range, at least 30 s; sawtooth: the range, periods up to a third of it) so a short run can still
 * show a queue building up, at the price of a coarser sensitivity than documented for the
 * defaults. Ranges of 6 minutes or more use the defaults unchanged.
 */
export function hubOptionsFor(seconds: number): HubDetectorOptions {
  if (seconds >= HUB_DEFAULTS.sawtoothWindowS) return {};
  const saw = Math.max(60, seconds);
  return {
    driftWindowS: Math.min(HUB_DEFAULTS.driftWindowS, Math.max(30, Math.floor(seconds / 2))),
    sawtoothWindowS: saw,
    maxPeriodS: Math.min(HUB_DEFAULTS.maxPeriodS, Math.max(10, Math.floor(saw / 3))),
  };
}

export function detectHubSeries(x: DetectInput, latencyName: string): HubSeriesResult {
  const n = x.latP50.length;
  const det = new HubDetector(hubOptionsFor(n));
  const drifting: boolean[] = new Array(n).fill(false);
  const saw: boolean[] = new Array(n).fill(false);
  const pauseFlags: boolean[] = new Array(n).fill(false);
  let slope = 0;
  let slopeNoise = 0;
  let period = 0;
  let amplitude = 0;
  let level = Number.NaN;
  let stepping = false;
  let lastStepMs = 0;
  // Every pushed bucket is closed and analysed at once: the state after second i describes 0..i.
  let pausesBefore = 0;
  for (let i = 0; i < n; i++) {
    const count = x.latCount[i]!;
    const med = x.latP50[i]!;
    const has = count > 0 && Number.isFinite(med);
    const line = det.pauseLineMs;
    const exceed =
      has && x.latCountAbove !== undefined && Number.isFinite(line) ? x.latCountAbove(i, line) : Number.NaN;
    det.addBucket(
      (x.offsetSec + i) * 1000,
      has ? med : Number.NaN,
      has ? count : 0,
      has ? x.latMax[i]! : Number.NaN,
      exceed,
    );
    const s = det.state;
    drifting[i] = s.drifting;
    saw[i] = s.sawtooth;
    if (s.pauses > pausesBefore) pauseFlags[i] = true;
    pausesBefore = s.pauses;
    if (s.drifting) {
      slope = s.driftMsPerMin;
      slopeNoise = s.driftNoiseMsPerMin;
      level = s.levelMs;
    }
    if (s.sawtooth && s.sawtoothPeriodS > 0) {
      period = s.sawtoothPeriodS;
      amplitude = s.sawtoothAmplitudeMs;
    }
    if (s.stepping) {
      stepping = true;
      lastStepMs = s.lastStepMs;
    }
  }
  const detections: Detection[] = [];
  const dr = ranges(drifting, x.offsetSec, 30);
  const everSaw = saw.some(Boolean);
  if (dr.length > 0 && !everSaw) {
    detections.push({
      kind: 'latency_growth',
      side: 'hub',
      summary: `${latencyName} keeps rising at ${slope.toFixed(1)} ms/min (noise ±${slopeNoise.toFixed(1)} ms/min, level ${Number.isFinite(level) ? level.toFixed(1) : '-'} ms): a queue is building up`,
      ranges: dr,
      evidence: {
        slopeMsPerMin: round(slope, 2),
        slopeNoiseMsPerMin: round(slopeNoise, 2),
        levelMs: Number.isFinite(level) ? round(level, 1) : '-',
        secondsDrifting: drifting.filter(Boolean).length,
      },
    });
  }
  if (everSaw) {
    detections.push({
      kind: 'sawtooth',
      side: 'hub',
      summary: `${latencyName} follows a sawtooth with a period of ${period.toFixed(0)} s and an amplitude of ${amplitude.toFixed(1)} ms`,
      ranges: ranges(saw, x.offsetSec, 30),
      evidence: {
        periodSec: round(period, 1),
        amplitudeMs: round(amplitude, 1),
        secondsSawtooth: saw.filter(Boolean).length,
      },
    });
  }
  return { detections, pauseFlags, stepping, lastStepMs };
}

function round(v: number, d: number): number {
  const f = 10 ** d;
  return Math.round(v * f) / f;
}
