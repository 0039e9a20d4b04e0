import {
  GeneratorDetector,
  type GeneratorDetectorOptions,
  type GeneratorState,
} from '../../../lib/detectors/generator.ts';
import { HubDetector, type HubDetectorOptions, type HubState } from '../../../lib/detectors/hub.ts';

/**
 * Run the streaming detectors over whole series (Node side: the analyzer, tests, the benchmark).
 * They feed the same streaming classes the VUs use, sample by sample, so results match what a
 * VU would have seen for the same stream.
 */

/** What happened over a whole run of the hub detector. */
export interface HubRunSummary {
  /** state after the last sample */
  final: HubState;
  everDrifting: boolean;
  everSawtooth: boolean;
  everStepping: boolean;
  /** time (ms, as fed) of the first analysis that reported each; NaN if never */
  firstDriftMs: number;
  firstSawtoothMs: number;
  pauses: number;
  analyses: number;
}

/**
 * Follows one hub detector over a run: `note(tMs)` after each analysis, `finish()` at the end.
 * Shared by the sample and bucket feeders so both summarise a run the same way.
 */
function hubRunTracker(
  det: HubDetector,
  onAnalysis?: (state: HubState, tMs: number) => void,
): { note(tMs: number): void; finish(): HubRunSummary } {
  const sum: HubRunSummary = {
    final: det.state,
    everDrifting: false,
    everSawtooth: false,
    everStepping: false,
    firstDriftMs: Number.NaN,
    firstSawtoothMs: Number.NaN,
    pauses: 0,
    analyses: 0,
  };
  return {
    note(tMs: number): void {
      const s = det.state;
      if (s.drifting && !sum.everDrifting) {
        sum.everDrifting = true;
        sum.firstDriftMs = tMs;
      }
      if (s.sawtooth && !sum.everSawtooth) {
        sum.everSawtooth = true;
        sum.firstSawtoothMs = tMs;
      }
      if (s.stepping) sum.everStepping = true;
      onAnalysis?.(s, tMs);
    },
    finish(): HubRunSummary {
      sum.final = { ...det.state };
      sum.pauses = det.state.pauses;
      sum.analyses = det.state.analyses;
      return sum;
    },
  };
}

/**
 * Feeds `(t[i], v[i])` (t ascending, ms) to a hub detector; `onAnalysis` sees the state after each
 * analysis (do not keep the object: it is updated in place).
 */
export function runHubDetector(
  t: ArrayLike<number>,
  v: ArrayLike<number>,
  opts: HubDetectorOptions = {},
  onAnalysis?: (state: HubState, tMs: number) => void,
  endMs?: number,
): HubRunSummary {
  const det = new HubDetector(opts);
  const run = hubRunTracker(det, onAnalysis);
  const n = Math.min(t.length, v.length);
  for (let i = 0; i < n; i++) {
    if (det.add(t[i]!, v[i]!)) run.note(t[i]!);
  }
  if (endMs !== undefined && det.advance(endMs)) run.note(endMs);
  return run.finish();
}

/**
 * Feeds pre-aggregated buckets (the analyzer's per-second medians): `startMs[i]`, `median[i]`,
 * `count[i]` and optionally `max[i]`.
 */
export function runHubDetectorOnBuckets(
  startMs: ArrayLike<number>,
  median: ArrayLike<number>,
  count: ArrayLike<number>,
  opts: HubDetectorOptions = {},
  max?: ArrayLike<number>,
  onAnalysis?: (state: HubState, tMs: number) => void,
): HubRunSummary {
  const det = new HubDetector(opts);
  const run = hubRunTracker(det, onAnalysis);
  for (let i = 0; i < startMs.length; i++) {
    const t = startMs[i]!;
    if (det.addBucket(t, median[i]!, count[i]!, max ? max[i]! : median[i]!)) run.note(t);
  }
  return run.finish();
}

/** One iteration as the generator detector sees it. */
export interface IterationEvents {
  /** start time, ms since the epoch (same clock as scenarioStartMs) */
  start: ArrayLike<number>;
  /** exec.scenario.iterationInInstance at the start */
  iteration: ArrayLike<number>;
  /** exec.instance.vusActive at the start (this VU included) */
  active: ArrayLike<number>;
  /** end time, ms */
  end: ArrayLike<number>;
  /** client overhead, ms */
  overhead: ArrayLike<number>;
}

export interface GeneratorRunSummary {
  final: GeneratorState;
  everStarved: boolean;
  everVuBound: boolean;
  everCpuStarved: boolean;
  firstStarvedMs: number;
  /** lowest attainment seen */
  minAttainment: number;
  analyses: number;
  /** analyses that ended starved, by cause */
  starvedVus: number;
  starvedCpu: number;
  /** the cause most often reported while starved ('none' if never starved) */
  mainCause: 'none' | 'vus' | 'cpu';
}

/**
 * Feeds iterations (in start order; for one VU they are naturally in order) to a generator
 * detector. The end of each iteration is applied before the next start.
 */
export function runGeneratorDetector(
  ev: IterationEvents,
  opts: GeneratorDetectorOptions,
  onAnalysis?: (state: GeneratorState, tMs: number) => void,
  indices?: ArrayLike<number>,
): GeneratorRunSummary {
  const det = new GeneratorDetector(opts);
  const sum: GeneratorRunSummary = {
    final: det.state,
    everStarved: false,
    everVuBound: false,
    everCpuStarved: false,
    firstStarvedMs: Number.NaN,
    minAttainment: Number.POSITIVE_INFINITY,
    analyses: 0,
    starvedVus: 0,
    starvedCpu: 0,
    mainCause: 'none',
  };
  const note = (tMs: number) => {
    const s = det.state;
    if (s.cause === 'vus') sum.starvedVus++;
    else if (s.cause === 'cpu') sum.starvedCpu++;
    if (s.starved && !sum.everStarved) {
      sum.everStarved = true;
      sum.firstStarvedMs = tMs;
    }
    if (s.vuBound) sum.everVuBound = true;
    if (s.cpuStarved) sum.everCpuStarved = true;
    if (s.attainment < sum.minAttainment) sum.minAttainment = s.attainment;
    onAnalysis?.(s, tMs);
  };
  const n = indices ? indices.length : ev.start.length;
  let pendingEnd = Number.NaN;
  let pendingOverhead = 0;
  for (let k = 0; k < n; k++) {
    const i = indices ? indices[k]! : k;
    const s = ev.start[i]!;
    if (!Number.isNaN(pendingEnd) && pendingEnd <= s) {
      if (det.iterationEnded(pendingEnd, pendingOverhead)) note(pendingEnd);
      pendingEnd = Number.NaN;
    }
    if (det.iterationStarted(s, ev.iteration[i]!, ev.active[i]!)) note(s);
    if (indices) {
      // one VU: its iteration ends before its next start
      pendingEnd = ev.end[i]!;
      pendingOverhead = ev.overhead[i]!;
    } else if (det.iterationEnded(s, ev.overhead[i]!)) note(s);
  }
  if (!Number.isNaN(pendingEnd) && det.iterationEnded(pendingEnd, pendingOverhead)) note(pendingEnd);
  sum.final = { ...det.state };
  sum.analyses = det.state.analyses;
  sum.mainCause =
    sum.starvedVus + sum.starvedCpu === 0 ? 'none' : sum.starvedVus >= sum.starvedCpu ? 'vus' : 'cpu';
  return sum;
}
