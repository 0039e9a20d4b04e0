/**
 * A generator trace replayed through what a k6 runner of the kit runs, to get the end-of-test
 * summary that runner would hand to handleSummary (legacy shape) and so its in-run verdict:
 *
 * - every VU carries a detector probe (lib/detectors/vu-probe.ts) with k6's settings: the first
 *   `sentinels` VUs run the detectors, Trends sampled one iteration in `trendEveryFor(rate)`, the
 *   hub bucket of a load VU's 1/maxVUs share of the latencies;
 * - each iteration starts (schedule lag, active VUs), waits its network time, learns its outcome
 *   (wait mode: the VU observes its own latency) and ends (client overhead = wall time - network);
 * - the flows' metrics come from lib/flows/record.ts (`recordFinal`) into a sink that keeps what
 *   k6 keeps (test/support/summary-data.ts): sent, committed or rejected by stage and code with the
 *   rejection reasons as failing checks, e2e, success, over 1 s; plus k6's iterations,
 *   iteration_duration, dropped_iterations and vus_max.
 */
import { bucketMsForRate } from '../../../lib/detectors/hub.ts';
import { trendEveryFor, VuProbe } from '../../../lib/detectors/vu-probe.ts';
import { type CountedOutcome, recordFinal } from '../../../lib/flows/record.ts';
import { METRIC } from '../../../lib/metrics/registry.ts';
import { KIT_SUMMARY_TYPES, legacySummary, SampleStore, SummarySink } from '../summary-data.ts';
import type { GeneratorTrace } from './generator-trace.ts';

/** k6's default number of sentinel VUs (lib/k6/detector-probe.ts). */
const SENTINELS = 4;

function peakRate(tr: GeneratorTrace): number {
  const s = tr.spec.schedule;
  return s.kind === 'constant' ? s.rate : Math.max(s.startRate, ...s.stages.map((st) => st.target));
}

/** The legacy end-of-test summary of the runner that ran `tr`. */
export function inRunSummary(tr: GeneratorTrace, sentinels = SENTINELS): unknown {
  const spec = tr.spec;
  const maxVUs = spec.maxVUs;
  const store = new SampleStore();
  const sink = new SummarySink(store);
  const rate = peakRate(tr);
  const common = {
    maxVUs,
    schedule: tr.schedule,
    scenarioStartMs: tr.scenarioStartMs,
    trendEvery: trendEveryFor(rate),
    hubBucketMs: bucketMsForRate(rate / maxVUs > 0 ? rate / maxVUs : 1),
  };
  const probes: VuProbe[] = [];
  const probeOf = (v: number): VuProbe => {
    let p = probes[v];
    if (p === undefined) {
      p = new VuProbe({ ...common, sentinel: v < sentinels }, sink);
      probes[v] = p;
    }
    return p;
  };
  const rej = spec.rejections;
  const rejected: CountedOutcome | undefined = rej && {
    kind: 'rejected',
    stage: rej.stage,
    errorCode: rej.code,
    description: rej.description,
  };
  const committed: CountedOutcome = { kind: 'committed' };
  const n = tr.length;
  // Ends in time order; an end at or before a start frees its VU first (as the trace model does).
  const byEnd = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => tr.end[a]! - tr.end[b]!);
  const end = (i: number): void => {
    const p = probeOf(tr.vu[i]!);
    const t = tr.end[i]!;
    const e2e = t - tr.start[i]!;
    p.observeNetwork(tr.network[i]!);
    p.observeLatency(e2e, t);
    recordFinal(sink, tr.rejected[i] === 1 && rejected ? rejected : committed, e2e);
    p.iterationEnded(t);
    store.add('iterations', 1);
    store.add('iteration_duration', e2e);
  };
  let e = 0;
  for (let i = 0; i < n; i++) {
    const t = tr.start[i]!;
    while (e < n && tr.end[byEnd[e]!]! <= t) end(byEnd[e++]!);
    probeOf(tr.vu[i]!).iterationStarted(t, tr.iteration[i]!, tr.active[i]!);
    sink.add(METRIC.transfersSent, 1);
  }
  while (e < n) end(byEnd[e++]!);
  for (let j = 0; j < tr.dropped.length; j++) store.add('dropped_iterations', 1);
  store.add('vus_max', maxVUs);
  return legacySummary(store, KIT_SUMMARY_TYPES, spec.durationS * 1000);
}
