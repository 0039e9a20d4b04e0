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
