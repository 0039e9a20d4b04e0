/**
 * What the analyzer does with each metric name it meets. The kit's own metrics (`ml_*`, from
 * lib/metrics/registry.ts) are preferred when present; k6's built-in metrics make any k6 script
 * analyzable. Names not listed are only counted.
 */
import { METRIC } from '../lib/metrics/registry.ts';

/** Indices of the per-window counters (sums of Counter values, or passes/totals of Rates). */
export const C = {
  sent: 0,
  accepted: 1,
  committed: 2,
  rejected: 3,
  /** Rejections whose `stage` tag is not `sync` (the hub saw and refused them). */
  rejectedAsync: 4,
  timedOut: 5,
  late: 6,
  duplicate: 7,
  evicted: 8,
  iterations: 9,
  dropped: 10,
  httpReqs: 11,
  httpFailedPass: 12,
  httpFailedN: 13,
  checksPass: 14,
  checksN: 15,
  successPass: 16,
  successN: 17,
  over1sPass: 18,
  over1sN: 19,
  starvedPass: 20,
  starvedN: 21,
  degradingPass: 22,
  degradingN: 23,
  pauses: 24,
  transportFailed: 25,
  postTransportErrors: 26,
} as const;
/** Number of per-window counters: C's indices are 0..N_COUNTERS-1. */
export const N_COUNTERS = Object.keys(C).length;

/** Fixed histogram slots; `ml_phase_duration` phases get dynamic slots after these. */
export const H = {
  /** ml_transfer_e2e of committed transfers (or untagged): the latency of record. */
  e2e: 0,
  /** ml_transfer_e2e of transfers that ended otherwise (rejected, aborted). */
  e2eFailed: 1,
  http: 2,
  iteration: 3,
  lag: 4,
  overhead: 5,
} as const;
export const FIXED_HIST_NAMES = [
  'e2e',
  'e2e_failed',
  'http_req_duration',
  'iteration_duration',
  'schedule_lag',
  'client_overhead',
];
export const MAX_PHASES = 16;

/** How a sample of a metric is handled. */
export const K = {
  counter: 1,
  rate: 2,
  e2e: 3,
  phase: 4,
  hist: 5,
  vus: 6,
  vusMax: 7,
  rejected: 9,
  httpReqs: 10,
} as const;

export interface MetricRule {
  /** Index of the rule (for per-analysis presence counts). */
  id: number;
  kind: number;
  /** Counter index (kind counter/rate/rejected/httpReqs) or histogram slot (kind hist). */
  slot: number;
  /** Second counter index for rates (the total). */
  slot2?: number;
  /** A per-transfer metric of the kit: its samples span the load of a kit run (see Aggregator.finish). */
  transfer?: boolean;
}

const RULE_LIST: [string, Omit<MetricRule, 'id'>][] = [
  [METRIC.transfersSent, { kind: K.counter, slot: C.sent, transfer: true }],
  [METRIC.transfersAccepted, { kind: K.counter, slot: C.accepted, transfer: true }],
  [METRIC.transfersCommitted, { kind: K.counter, slot: C.committed, transfer: true }],
  [METRIC.transfersRejected, { kind: K.rejected, slot: C.rejected, transfer: true }],
  [METRIC.transfersTimedOut, { kind: K.counter, slot: C.timedOut, transfer: true }],
  [METRIC.transfersTransportFailed, { kind: K.counter, slot: C.transportFailed, transfer: true }],
  [METRIC.postTransportErrors, { kind: K.counter, slot: C.postTransportErrors, transfer: true }],
  [METRIC.outcomesLate, { kind: K.counter, slot: C.late }],
  [METRIC.callbacksDuplicate, { kind: K.counter, slot: C.duplicate }],
  [METRIC.relayEvicted, { kind: K.counter, slot: C.evicted }],
  [METRIC.transferSuccess, { kind: K.rate, slot: C.successPass, slot2: C.successN, transfer: true }],
  [METRIC.transferOver1s, { kind: K.rate, slot: C.over1sPass, slot2: C.over1sN, transfer: true }],
  [METRIC.transferE2e, { kind: K.e2e, slot: H.e2e, transfer: true }],
  [METRIC.phaseDuration, { kind: K.phase, slot: -1, transfer: true }],
  [METRIC.scheduleLag, { kind: K.hist, slot: H.lag }],
  [METRIC.clientOverhead, { kind: K.hist, slot: H.overhead }],
  [METRIC.generatorStarved, { kind: K.rate, slot: C.starvedPass, slot2: C.starvedN }],
  [METRIC.latencyPauses, { kind: K.counter, slot: C.pauses }],
  [METRIC.hubDegrading, { kind: K.rate, slot: C.degradingPass, slot2: C.degradingN }],
  ['iterations', { kind: K.counter, slot: C.iterations }],
  ['dropped_iterations', { kind: K.counter, slot: C.dropped }],
  ['http_reqs', { kind: K.httpReqs, slot: C.httpReqs }],
  ['http_req_failed', { kind: K.rate, slot: C.httpFailedPass, slot2: C.httpFailedN }],
  ['checks', { kind: K.rate, slot: C.checksPass, slot2: C.checksN }],
  ['http_req_duration', { kind: K.hist, slot: H.http }],
  ['iteration_duration', { kind: K.hist, slot: H.iteration }],
  ['vus', { kind: K.vus, slot: -1 }],
  ['vus_max', { kind: K.vusMax, slot: -1 }],
];

/** Metric name → handling, for every metric the analyzer uses. */
export const RULES: ReadonlyMap<string, MetricRule> = new Map(
  RULE_LIST.map(([name, r], id) => [name, { ...r, id }]),
);
/** Metric names by rule id. */
export const RULE_NAMES: readonly string[] = RULE_LIST.map(([name]) => name);

/** Outcome tag values of ml_transfer_e2e that count as the latency of record. */
export function isCommittedOutcome(outcome: string | undefined): boolean {
  return outcome === undefined || outcome === '' || outcome === 'COMMITTED' || outcome === 'committed';
}
