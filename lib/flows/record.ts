/**
 * Turns flow results and relay outcomes into metric samples, once, for every host: the k6 adapter
 * passes a sink backed by k6/metrics, Node tests an in-memory one. Keeping this here (not in the
 * k6 glue) is what lets Node tests prove the accounting: each transfer adds exactly one to
 * sent, and its final outcome exactly one to committed, rejected or timed out.
 *
 * Tags stay low-cardinality (`outcome`, `error_code`, `stage`, `phase`); tag objects are cached
 * so the hot path allocates none.
 */
import { METRIC } from '../metrics/names.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';
import type { FlowResult, Phase } from './types.ts';

/**
 * Counter of outcomes the collector read that belong to no transfer of this run (sent before it
 * started: leftovers in a long-running relay).
 */
export const FOREIGN_OUTCOMES_METRIC = METRIC.outcomesForeign;

export type Tags = Readonly<Record<string, string>>;

/** Every custom metric the scenarios declare, with its k6 type (lib/k6/metrics.ts declares exactly these). */
export const DECLARED_METRICS = {
  [METRIC.transfersSent]: 'counter',
  [METRIC.transfersAccepted]: 'counter',
  [METRIC.transfersCommitted]: 'counter',
  [METRIC.transfersRejected]: 'counter',
  [METRIC.transfersTimedOut]: 'counter',
  [METRIC.outcomesLate]: 'counter',
  [METRIC.callbacksDuplicate]: 'counter',
  [METRIC.relayEvicted]: 'counter',
  [FOREIGN_OUTCOMES_METRIC]: 'counter',
  [METRIC.transferSuccess]: 'rate',
  [METRIC.transferOver1s]: 'rate',
  [METRIC.transferE2e]: 'trend',
  [METRIC.phaseDuration]: 'trend',
} as const satisfies Record<string, 'counter' | 'rate' | 'trend' | 'gauge'>;

/** k6's built-in metrics (thresholds may refer to these too). */
export const BUILTIN_METRICS = [
  'checks',
  'data_received',
  'data_sent',
  'dropped_iterations',
  'group_duration',
  'http_req_blocked',
  'http_req_connecting',
  'http_req_duration',
  'http_req_failed',
  'http_req_receiving',
  'http_req_sending',
  'http_req_tls_handshaking',
  'http_req_waiting',
  'http_reqs',
  'iteration_duration',
  'iterations',
  'vus',
  'vus_max',
] as const;

/** Where samples go. `metric` is a name from lib/metrics/names.ts (or FOREIGN_OUTCOMES_METRIC). */
export interface MetricSink {
  add(metric: string, value: number, tags?: Tags): void;
}

/** Error code used in tags when an answer carried no FSPIOP code. */
export const NO_CODE = 'none';

const OUTCOME_TAGS = {
  committed: { outcome: 'committed' },
  rejected: { outcome: 'rejected' },
  timeout: { outcome: 'timeout' },
} as const;
const PHASE_TAGS: Record<Phase, Tags> = {
  parties: { phase: 'parties' },
  quotes: { phase: 'quotes' },
  transfers: { phase: 'transfers' },
};
const rejectedTags = new Map<string, Tags>();

function rejectionTags(stage: 'sync' | 'async', code: string, phase: Phase): Tags {
  const key = `${stage}|${code}|${phase}`;
  let t = rejectedTags.get(key);
  if (!t) {
    t = { error_code: code, stage, phase };
    // Bounded: codes are 4 digits (or NO_CODE), stages 2, phases 3.
    if (rejectedTags.size < 10_000) rejectedTags.set(key, t);
  }
  return t;
}

/** An outcome as counted: `unknown` answers become rejections without a code (never successes). */
export type CountedOutcome =
  | { kind: 'committed' }
  | { kind: 'rejected'; stage: 'sync' | 'async'; errorCode: string }
  | { kind: 'timeout' };

export function countedOutcome(
  o: TransferOutcome,
  stageIfUnknown: 'sync' | 'async' = 'async',
): CountedOutcome {
  switch (o.kind) {
    case 'committed':
      return { kind: 'committed' };
    case 'rejected':
      return { kind: 'rejected', stage: o.stage, errorCode: o.errorCode || NO_CODE };
    case 'timeout':
      return { kind: 'timeout' };
    case 'unknown':
      return { kind: 'rejected', stage: stageIfUnknown, errorCode: NO_CODE };
  }
}

/**
 * Records one final outcome: the outcome counter, the success and over-1s Rates, and the e2e
 * Trend when the latency is known. `late` marks an outcome that arrived after TIMEOUT_MS: it
 * counts as timed out (and late), whatever it said.
 */
export function recordFinal(
  sink: MetricSink,
  outcome: CountedOutcome,
  e2eMs: number | undefined,
  phase: Phase = 'transfers',
  late = false,
): void {
  if (late) {
    sink.add(METRIC.transfersTimedOut, 1);
    sink.add(METRIC.outcomesLate, 1);
    sink.add(METRIC.transferSuccess, 0);
    sink.add(METRIC.transferOver1s, e2eMs === undefined || e2eMs > 1000 ? 1 : 0);
    return;
  }
  switch (outcome.kind) {
    case 'committed':
      sink.add(METRIC.transfersCommitted, 1);
      sink.add(METRIC.transferSuccess, 1);
      break;
    case 'rejected':
      sink.add(METRIC.transfersRejected, 1, rejectionTags(outcome.stage, outcome.errorCode, phase));
      sink.add(METRIC.transferSuccess, 0);
      break;
    case 'timeout':
      sink.add(METRIC.transfersTimedOut, 1);
      sink.add(METRIC.transferSuccess, 0);
      // A transfer that never finished took longer than any SLO.
      sink.add(METRIC.transferOver1s, 1);
      return;
  }
  if (e2eMs !== undefined) {
    sink.add(METRIC.transferOver1s, e2eMs > 1000 ? 1 : 0);
    sink.add(METRIC.transferE2e, e2eMs, OUTCOME_TAGS[outcome.kind]);
  }
}

/** The phases whose durations a flow result may carry, in recording order. */
const FLOW_PHASES = ['parties', 'quotes', 'transfers'] as const;

/**
 * Records what a sending VU knows about its transfer: sent (always), accepted (202), the phase
 * timings, and the final outcome unless it is still pending (collect mode).
 */
export function recordFlowResult(sink: MetricSink, r: FlowResult): void {
  sink.add(METRIC.transfersSent, 1);
  if (r.accepted) sink.add(METRIC.transfersAccepted, 1);
  // Indexed loop over a module constant: a for-of over an array literal allocates the array and an
  // iterator per transfer, which Sobek does not optimise away.
  for (let i = 0; i < FLOW_PHASES.length; i++) {
    const phase = FLOW_PHASES[i]!;
    const ms = r.phaseMs[phase];
    if (ms !== undefined) sink.add(METRIC.phaseDuration, ms, PHASE_TAGS[phase]);
  }
  if (r.outcome.kind === 'pending') return;
  const stage = r.accepted ? 'async' : 'sync';
  recordFinal(sink, countedOutcome(r.outcome, stage), r.e2eMs, r.phase, r.late === true);
}

/** A sink that sums samples in memory (Node tests, benchmarks, the Node driver's reports). */
export class MemorySink implements MetricSink {
  readonly samples: Array<{ metric: string; value: number; tags: Tags }> = [];

  add(metric: string, value: number, tags: Tags = {}): void {
    this.samples.push({ metric, value, tags });
  }

  /** Sum of a metric's samples whose tags include `tags`. */
  sum(metric: string, tags: Record<string, string> = {}): number {
    let s = 0;
    for (const x of this.samples) {
      if (x.metric === metric && Object.entries(tags).every(([k, v]) => x.tags[k] === v)) s += x.value;
    }
    return s;
  }

  values(metric: string): number[] {
    return this.samples.filter((x) => x.metric === metric).map((x) => x.value);
  }
}
