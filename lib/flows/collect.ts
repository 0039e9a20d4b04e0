/**
 * The collector of collect mode: one VU per runner reads this runner's partition of the relay in
 * batches (long-polling when it is empty) and turns each outcome into metrics. It is also where
 * outcomes are sorted:
 *
 * - sent before this run started (a long-running simulator's leftovers): counted as foreign, not
 *   as outcomes of this run;
 * - arrived more than TIMEOUT_MS after the send: timed out (and late), whatever they said;
 * - otherwise committed or rejected (async, by code).
 *
 * The relay reports evictions and duplicates as cumulative counts per runner; the collector adds
 * the increase since the baseline taken at setup, so counts from earlier runs are not charged here.
 */
import { METRIC } from '../metrics/registry.ts';
import type { HttpResponse } from '../protocol/http.ts';
import {
  interpretRelayCollect,
  RELAY_SERVED_CURSOR,
  type RelayBatch,
  type RelayOutcome,
  relayCollectRequest,
  relayLatencyMs,
  relaySentAtMs,
  transferOutcomeOfRelay,
} from '../protocol/relay.ts';
import type { FlowPlan } from './plan.ts';
import { countedOutcome, type MetricSink, recordFinal } from './record.ts';
import type { Flow } from './types.ts';

export interface CollectorState {
  runner: number;
  /** Relay cursor ('' before the first batch). */
  cursor: string;
  /** Transfers sent before this instant (ms since the epoch) belong to another run. */
  runStartMs: number;
  /** Cumulative relay counts already accounted for. */
  evicted: number;
  duplicates: number;
}

export type OutcomeClass = 'foreign' | 'late' | 'final';

/** Sorts one relay outcome for this run (pure). */
export function classifyOutcome(o: RelayOutcome, runStartMs: number, timeoutMs: number): OutcomeClass {
  const sent = relaySentAtMs(o);
  if (sent !== undefined && sent < runStartMs) return 'foreign';
  const e2e = relayLatencyMs(o);
  if (e2e !== undefined && e2e > timeoutMs) return 'late';
  return 'final';
}

/** One collect request (long-poll up to `waitMs` when nothing is pending). */
export function* collectBatch(
  plan: FlowPlan,
  state: CollectorState,
  waitMs: number,
): Flow<RelayBatch | { error: string }> {
  const res: HttpResponse = yield relayCollectRequest(plan.urls.relay, {
    runner: state.runner,
    cursor: state.cursor,
    max: plan.config.collectBatch,
    waitMs,
  });
  const r = interpretRelayCollect(res);
  return r.ok ? r.value : { error: r.error };
}

export interface BatchCounts {
  final: number;
  late: number;
  foreign: number;
}

/**
 * Records a batch and advances the state (cursor, cumulative baselines). `onOutcome` is called for
 * each outcome of this run right before its samples are added, with its end-to-end latency: the k6
 * adapter puts the transfer id into the VU's metadata there and feeds the latency to the detector probe.
 */
export function recordBatch(
  sink: MetricSink,
  batch: RelayBatch,
  state: CollectorState,
  timeoutMs: number,
  onOutcome?: (o: RelayOutcome, cls: Exclude<OutcomeClass, 'foreign'>, e2eMs: number | undefined) => void,
): BatchCounts {
  const counts: BatchCounts = { final: 0, late: 0, foreign: 0 };
  for (const o of batch.outcomes) {
    const cls = classifyOutcome(o, state.runStartMs, timeoutMs);
    if (cls === 'foreign') {
      counts.foreign++;
      continue;
    }
    const e2e = relayLatencyMs(o);
    onOutcome?.(o, cls, e2e);
    recordFinal(sink, countedOutcome(transferOutcomeOfRelay(o)), e2e, 'transfers', cls === 'late');
    counts[cls]++;
  }
  if (counts.foreign > 0) sink.add(METRIC.outcomesForeign, counts.foreign);
  // Cumulative counters; a decrease means the relay restarted: take the new value as the baseline.
  if (batch.evicted > state.evicted) sink.add(METRIC.relayEvicted, batch.evicted - state.evicted);
  if (batch.duplicates > state.duplicates)
    sink.add(METRIC.callbacksDuplicate, batch.duplicates - state.duplicates);
  state.evicted = batch.evicted;
  state.duplicates = batch.duplicates;
  state.cursor = batch.cursor;
  return counts;
}

/** A drain ends after a long-poll this long brings nothing (ms). */
export const DRAIN_QUIET_MS = 1000;

export interface DrainResult extends BatchCounts {
  requests: number;
  error?: string;
}

/**
 * Teardown's drain of collect mode. An early stop (an `abortOnFail` threshold, Ctrl-C,
 * `exec.test.abort`) stops the collector with outcomes still in the relay, which would otherwise
 * be counted as never arrived. The drain goes on from what the relay has already handed out (the
 * `served` cursor: teardown runs in another VU and does not know the collector's cursor) and records
 * every outcome of this run, exactly once, until a long-poll of {@link DRAIN_QUIET_MS} brings none
 * or `deadlineMs` passes.
 *
 * `early` says the run stopped before the collector's planned end: transfers may then still be in
 * flight, so the drain waits for them from its first request. After a normal end the collector has
 * already waited TIMEOUT_MS past the last send; an empty partition then ends the drain at once.
 *
 * Eviction and duplicate counts are taken as a new baseline from the first answer (the collector
 * has accounted for those up to its last batch).
 */
export function* drainRelay(
  plan: FlowPlan,
  sink: MetricSink,
  state: CollectorState,
  o: { early: boolean; deadlineMs: number; now: () => number },
): Flow<DrainResult> {
  const out: DrainResult = { requests: 0, final: 0, late: 0, foreign: 0 };
  state.cursor = RELAY_SERVED_CURSOR;
  let waitMs = o.early ? DRAIN_QUIET_MS : 0;
  for (;;) {
    const batch = yield* collectBatch(plan, state, waitMs);
    out.requests++;
    if ('error' in batch) return { ...out, error: batch.error };
    if (out.requests === 1) {
      state.evicted = batch.evicted;
      state.duplicates = batch.duplicates;
    }
    const c = recordBatch(sink, batch, state, plan.config.timeoutMs);
    out.final += c.final;
    out.late += c.late;
    out.foreign += c.foreign;
    if (batch.outcomes.length === 0 && (waitMs > 0 || !o.early)) return out;
    if (o.now() >= o.deadlineMs) return out;
    // A full batch: more are waiting, ask again at once.
    waitMs = batch.outcomes.length >= plan.config.collectBatch ? 0 : DRAIN_QUIET_MS;
  }
}

/** Collect mode's parts, handed to the k6 glue by the transfers entry point (only it bundles them). */
export const collectMode = { batch: collectBatch, record: recordBatch, drain: drainRelay } as const;
export type CollectMode = typeof collectMode;
