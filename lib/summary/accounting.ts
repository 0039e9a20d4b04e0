/**
 * The accounting equation of a run (per k6 runner):
 *
 *     sent = committed + rejected + transport failed + timed out
 *
 * Sending VUs count `sent` and synchronous rejections; final outcomes are counted where they are
 * learnt (the waiting VU, or the collector). Outcomes that arrived after TIMEOUT_MS are counted as
 * timed out (and late). Transfers whose outcome never arrived are not seen by anyone during the
 * run; they are the remainder, computed here:
 *
 *     never arrived = sent − committed − rejected − timed out (recorded)
 *
 * and counted as timed out — except, in collect mode, those whose POST got no HTTP answer
 * (`ml_post_transport_errors`): a transfer the hub never acknowledged and never called back for
 * failed in transport. (A POST that failed in transport but reached the hub is counted by the
 * outcome that came, so at most min(POST transport errors, never arrived) are transport failures.)
 * A negative remainder means more outcomes were counted than transfers
 * were sent (a relay or hub delivering outcomes twice, or outcomes of another run slipping in):
 * the run is then reported NOT balanced, never silently clamped.
 */
import { METRIC } from '../metrics/registry.ts';
import { countOf, rejectionReasons, rejectionsByCode, type SummaryView } from '../metrics/summary-view.ts';

/** How many rejection reasons the summary lists. */
export const TOP_REASONS = 5;

export interface Accounting {
  sent: number;
  accepted: number;
  committed: number;
  rejected: number;
  rejectedSync: number;
  rejectedAsync: number;
  /** Rejections per FSPIOP error code, for the codes the summary breaks out; `other` holds the rest. */
  rejectedByCode: Record<string, number>;
  /**
   * What the rejections said, `<code>: <description>` with counts, the {@link TOP_REASONS} most
   * frequent (from the failing checks the run named; empty when the data has none).
   */
  rejectionReasons: Array<{ reason: string; count: number }>;
  /** Request got no HTTP answer and no outcome came: recorded by waiting VUs, plus collect mode's share of never arrived. */
  transportFailed: number;
  /** Timed out as counted during the run (waits that expired, outcomes that came late). */
  timedOutRecorded: number;
  late: number;
  /** sent − committed − rejected − timedOutRecorded; negative when unbalanced. */
  neverArrived: number;
  /** timedOutRecorded + the never-arrived that are not transport failures. */
  timedOut: number;
  /** Outcomes of other runs the collector ignored. */
  foreign: number;
  duplicates: number;
  evicted: number;
  balanced: boolean;
  /** The equation with the numbers, e.g. `sent 100 = committed 97 + rejected 2 + timed out 1`. */
  equation: string;
}

/** What the run recorded; `settle` adds what nobody could record: the outcomes that never arrived. */
export interface RecordedCounts {
  sent: number;
  committed: number;
  rejected: number;
  transportFailed: number;
  timedOut: number;
  postTransportErrors: number;
}

export interface SettledCounts {
  /** sent − every recorded final; negative when unbalanced (more outcomes than transfers). */
  neverArrived: number;
  /** Recorded transport failures plus the never-arrived whose POST got no answer. */
  transportFailed: number;
  /** Recorded timeouts plus the other never-arrived. */
  timedOut: number;
  balanced: boolean;
}

/** The accounting equation settled (the kit's summary and the analyzer use this one function). */
export function settle(r: RecordedCounts): SettledCounts {
  const neverArrived = r.sent - r.committed - r.rejected - r.transportFailed - r.timedOut;
  const unanswered = Math.min(r.postTransportErrors, Math.max(0, neverArrived));
  return {
    neverArrived,
    transportFailed: r.transportFailed + unanswered,
    timedOut: r.timedOut + Math.max(0, neverArrived) - unanswered,
    balanced: neverArrived >= 0,
  };
}

export function accountingOf(view: SummaryView): Accounting {
  const sent = countOf(view, METRIC.transfersSent);
  const committed = countOf(view, METRIC.transfersCommitted);
  const rejected = countOf(view, METRIC.transfersRejected);
  const timedOutRecorded = countOf(view, METRIC.transfersTimedOut);
  const transportRecorded = countOf(view, METRIC.transfersTransportFailed);
  const rejectedByCode: Record<string, number> = {};
  let byCodeTotal = 0;
  for (const { code, count } of rejectionsByCode(view)) {
    rejectedByCode[code] = count;
    byCodeTotal += count;
  }
  if (rejected > byCodeTotal) rejectedByCode.other = rejected - byCodeTotal;
  const { neverArrived, transportFailed, timedOut, balanced } = settle({
    sent,
    committed,
    rejected,
    transportFailed: transportRecorded,
    timedOut: timedOutRecorded,
    postTransportErrors: countOf(view, METRIC.postTransportErrors),
  });
  const equation = balanced
    ? `sent ${sent} = committed ${committed} + rejected ${rejected} + transport failed ${transportFailed} + timed out ${timedOut}`
    : `sent ${sent} ≠ committed ${committed} + rejected ${rejected} + transport failed ${transportRecorded} + timed out ${timedOutRecorded} (${-neverArrived} more outcomes than transfers sent)`;
  return {
    sent,
    accepted: countOf(view, METRIC.transfersAccepted),
    committed,
    rejected,
    rejectedSync: countOf(view, `${METRIC.transfersRejected}{stage:sync}`),
    rejectedAsync: countOf(view, `${METRIC.transfersRejected}{stage:async}`),
    rejectedByCode,
    rejectionReasons: rejectionReasons(view).slice(0, TOP_REASONS),
    transportFailed,
    timedOutRecorded,
    late: countOf(view, METRIC.outcomesLate),
    neverArrived,
    timedOut,
    foreign: countOf(view, METRIC.outcomesForeign),
    duplicates: countOf(view, METRIC.callbacksDuplicate),
    evicted: countOf(view, METRIC.relayEvicted),
    balanced,
    equation,
  };
}
