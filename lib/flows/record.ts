/**
 * Turns flow results and relay outcomes into metric samples, once, for every host: the k6 adapter
 * passes a sink backed by k6/metrics, Node tests an in-memory one. Keeping this here (not in the
 * k6 glue) is what lets Node tests prove the accounting: each transfer adds exactly one to
 * sent, and its final outcome exactly one to committed, rejected or timed out.
 *
 * Tags stay low-cardinality (`outcome`, `error_code`, `stage`, `phase`); tag objects are cached
 * so the hot path allocates none.
 */
import { METRIC } from '../metrics/registry.ts';
import { ReasonNamer } from '../metrics/rejection-reasons.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';
import type { FlowResult, Phase } from './types.ts';

export type Tags = Readonly<Record<string, string>>;

/** Where samples go. `metric` is a kit metric of lib/metrics/registry.ts. */
export interface MetricSink {
  add(metric: string, value: number, tags?: Tags): void;
  /**
   * A rejection's code and description (lib/metrics/rejection-reasons.ts): k6 names it as a
   * failing check. Optional: a sink without it keeps the counts only.
   */
  reason?(code: string, description: string | undefined): void;
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
  | { kind: 'rejected'; stage: 'sync' | 'async'; errorCode: string; description?: string }
  | { kind: 'timeout' }
  | { kind: 'transport' };

export function countedOutcome(
  o: TransferOutcome,
  stageIfUnknown: 'sync' | 'async' = 'async',
): CountedOutcome {
  switch (o.kind) {
    case 'committed':
      return { kind: 'committed' };
    case 'rejected':
      return o.errorDescription === undefined
        ? { kind: 'rejected', stage: o.stage, errorCode: o.errorCode || NO_CODE }
        : {
            kind: 'rejected',
            stage: o.stage,
            errorCode: o.errorCode || NO_CODE,
            description: o.errorDescription,
          };
    case 'timeout':
      return { kind: 'timeout' };
    case 'transport':
      return { kind: 'transport' };
    case 'unknown':
      return { kind: 'rejected', stage: stageIfUnknown, errorCode: NO_CODE, description: o.reason };
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
      sink.reason?.(outcome.errorCode, outcome.description);
      break;
    case 'timeout':
      sink.add(METRIC.transfersTimedOut, 1);
      sink.add(METRIC.transferSuccess, 0);
      // A transfer that never finished took longer than any SLO.
      sink.add(METRIC.transferOver1s, 1);
      return;
    case 'transport':
      // A failure, not a latency: no latency sample of any kind.
      sink.add(METRIC.transfersTransportFailed, 1, PHASE_TAGS[phase]);
      sink.add(METRIC.transferSuccess, 0);
      return;
  }
  if (e2eMs !== undefined) {
    sink.add(METRIC.transferOver1s, e2eMs > 1000 ? 1 : 0);
    sink.add(METRIC.transferE2e, e2eMs, OUTCOME_TAGS[outcome.kind]);
  } else {
    // Never a 0 ms sample: the transfer is counted as one whose latency nobody knows.
    sink.add(METRIC.latencyUnknown, 1);
  }
}

/** The phases whose durations a flow result may carry, in recording order. */
const FLOW_PHASES = ['parties', 'quotes', 'transfers'] as const;

/**
 * Records what a sending VU knows about its transfer: sent (unless `sentRecorded`: the k6 adapter
 * counts it when the iteration starts, so an iteration cut short by an early stop is still a sent
 * transfer), accepted (202), the phase timings, and the final outcome unless it is still pending
 * (collect mode).
 */
export function recordFlowResult(sink: MetricSink, r: FlowResult, sentRecorded = false): void {
  if (!sentRecorded) sink.add(METRIC.transfersSent, 1);
  if (r.accepted) sink.add(METRIC.transfersAccepted, 1);
  // Indexed loop over a module constant: a for-of over an array literal allocates the array and an
  // iterator per transfer, which Sobek does not optimise away.
  for (let i = 0; i < FLOW_PHASES.length; i++) {
    const phase = FLOW_PHASES[i]!;
    const ms = r.phaseMs[phase];
    if (ms !== undefined) sink.add(METRIC.phaseDuration, ms, PHASE_TAGS[phase]);
  }
  if (r.outcome.kind === 'pending') {
    if (r.outcome.reason === 'transport') sink.add(METRIC.postTransportErrors, 1);
    return;
  }
  const stage = r.accepted ? 'async' : 'sync';
  recordFinal(sink, countedOutcome(r.outcome, stage), r.e2eMs, r.phase, r.late === true);
}

/** A sink that sums samples in memory (Node tests, benchmarks, the Node driver's reports). */
export class MemorySink implements MetricSink {
  readonly samples: Array<{ metric: string; value: number; tags: Tags }> = [];
  /** Rejection reasons by name, as k6 would count its checks. */
  readonly reasons = new Map<string, number>();
  private readonly namer = new ReasonNamer();

  add(metric: string, value: number, tags: Tags = {}): void {
    this.samples.push({ metric, value, tags });
  }

  reason(code: string, description: string | undefined): void {
    const n = this.namer.name(code, description);
    this.reasons.set(n, (this.reasons.get(n) ?? 0) + 1);
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
