import { METRIC } from '../metrics/registry.ts';
import {
  countOf,
  rateOf,
  rejectionReasons,
  rejectionsByCode,
  type SummaryView,
  statOf,
} from '../metrics/summary-view.ts';

/**
 * The numbers the verdict reasons on, read from one runner's end-of-test summary (either shape:
 * lib/metrics/summary-view.ts). `undefined` means the summary did not carry it (metric never observed, or
 * a statistic not in summaryTrendStats), never a made-up zero.
 */
export interface Signals {
  durationS: number | undefined;
  generator: {
    iterations: number;
    dropped: number;
    /** dropped / (iterations + dropped) */
    dropRatio: number | undefined;
    starvedRate: number | undefined;
    cpuStarvedRate: number | undefined;
    headroomMin: number | undefined;
    attainmentMin: number | undefined;
    lagP95Ms: number | undefined;
    overheadP95Ms: number | undefined;
    overheadMedMs: number | undefined;
    iterationP95Ms: number | undefined;
    iterationMedMs: number | undefined;
    vusMax: number | undefined;
  };
  hub: {
    driftingRate: number | undefined;
    sawtoothRate: number | undefined;
    degradingRate: number | undefined;
    driftLastMsPerMin: number | undefined;
    driftMaxMsPerMin: number | undefined;
    sawtoothPeriodS: number | undefined;
    sawtoothAmplitudeMs: number | undefined;
    stepMs: number | undefined;
    pauses: number;
  };
  transfers: {
    sent: number;
    committed: number;
    rejected: number;
    rejectedSync: number;
    /** Rejections by code as the summary breaks them out (FSPIOP codes, `http<status>`), largest first. */
    rejectedByCode: Array<{ code: string; count: number }>;
    /** What the rejections said (`<code>: <description>`), largest first; empty when not named. */
    rejectionReasons: Array<{ reason: string; count: number }>;
    timedOut: number;
    transportFailed: number;
    /** Final outcomes that arrived after TIMEOUT_MS (counted as timed out, not committed). */
    late: number;
    /** Final outcomes whose latency is unknown (no send time). */
    latencyUnknown: number;
    e2eP99Ms: number | undefined;
    e2eP95Ms: number | undefined;
    e2eMedMs: number | undefined;
    over1sRate: number | undefined;
    successRate: number | undefined;
  };
}

export function readSignals(view: SummaryView, durationS?: number): Signals {
  const iterations = countOf(view, 'iterations');
  const dropped = countOf(view, 'dropped_iterations');
  // The planned load length, cut short to the time the run really lasted when it was aborted
  // (abortOnFail, test.abort, a signal): rates over the planned length would understate them.
  const elapsedS = view.testRunDurationMs === undefined ? undefined : view.testRunDurationMs / 1000;
  const seconds =
    durationS === undefined ? elapsedS : elapsedS === undefined ? durationS : Math.min(durationS, elapsedS);
  return {
    durationS: seconds,
    generator: {
      iterations,
      dropped,
      dropRatio: iterations + dropped > 0 ? dropped / (iterations + dropped) : undefined,
      starvedRate: rateOf(view, METRIC.generatorStarved),
      cpuStarvedRate: rateOf(view, METRIC.generatorCpuStarved),
      headroomMin: statOf(view, METRIC.vuHeadroom, 'min'),
      attainmentMin: statOf(view, METRIC.rateAttainment, 'min'),
      lagP95Ms: statOf(view, METRIC.scheduleLag, 'p(95)'),
      overheadP95Ms: statOf(view, METRIC.clientOverhead, 'p(95)'),
      overheadMedMs: statOf(view, METRIC.clientOverhead, 'med'),
      iterationP95Ms: statOf(view, 'iteration_duration', 'p(95)'),
      iterationMedMs: statOf(view, 'iteration_duration', 'med'),
      vusMax: statOf(view, 'vus_max', 'value'),
    },
    hub: {
      driftingRate: rateOf(view, METRIC.latencyDrifting),
      sawtoothRate: rateOf(view, METRIC.latencySawtooth),
      degradingRate: rateOf(view, METRIC.hubDegrading),
      driftLastMsPerMin: statOf(view, METRIC.latencyDrift, 'value'),
      driftMaxMsPerMin: statOf(view, METRIC.latencyDrift, 'max'),
      sawtoothPeriodS: statOf(view, METRIC.sawtoothPeriod, 'value'),
      sawtoothAmplitudeMs: statOf(view, METRIC.sawtoothAmplitude, 'value'),
      stepMs: statOf(view, METRIC.latencyStep, 'value'),
      pauses: countOf(view, METRIC.latencyPauses),
    },
    transfers: {
      sent: countOf(view, METRIC.transfersSent),
      committed: countOf(view, METRIC.transfersCommitted),
      rejected: countOf(view, METRIC.transfersRejected),
      rejectedSync: countOf(view, `${METRIC.transfersRejected}{stage:sync}`),
      rejectedByCode: rejectionsByCode(view),
      rejectionReasons: rejectionReasons(view),
      timedOut: countOf(view, METRIC.transfersTimedOut),
      transportFailed: countOf(view, METRIC.transfersTransportFailed),
      late: countOf(view, METRIC.outcomesLate),
      latencyUnknown: countOf(view, METRIC.latencyUnknown),
      e2eP99Ms: statOf(view, METRIC.transferE2e, 'p(99)'),
      e2eP95Ms: statOf(view, METRIC.transferE2e, 'p(95)'),
      e2eMedMs: statOf(view, METRIC.transferE2e, 'med'),
      over1sRate: rateOf(view, METRIC.transferOver1s),
      successRate: rateOf(view, METRIC.transferSuccess),
    },
  };
}
