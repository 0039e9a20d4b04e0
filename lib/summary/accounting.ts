/**
 * The accounting equation of a run (per k6 runner):
 *
 *     sent = committed + rejected + timed out
 *
 * Sending VUs count `sent` and synchronous rejections; final outcomes are counted where they are
 * learnt (the waiting VU, or the collector). Outcomes that arrived after TIMEOUT_MS are counted as
 * timed out (and late). Transfers whose outcome never arrived are not seen by anyone during the
 * run; they are the remainder, computed here:
 *
 *     never arrived = sent − committed − rejected − timed out (recorded)
 *
 * and counted as timed out. A negative remainder means more outcomes were counted than transfers
 * were sent (a relay or hub delivering outcomes twice, or outcomes of another run slipping in):
 * the run is then reported NOT balanced, never silently clamped.
 */
import { METRIC } from '../metrics/registry.ts';
import { countOf, type SummaryView } from '../metrics/summary-view.ts';

export interface Accounting {
  sent: number;
  accepted: number;
  committed: number;
  rejected: number;
  rejectedSync: number;
  rejectedAsync: number;
  /** Rejections per FSPIOP error code, for the codes the summary breaks out; `other` holds the rest. */
  rejectedByCode: Record<string, number>;
  /** Timed out as counted during the run (waits that expired, outcomes that came late). */
  timedOutRecorded: number;
  late: number;
  /** sent − committed − rejected − timedOutRecorded; negative when unbalanced. */
  neverArrived: number;
  /** timedOutRecorded + max(0, neverArrived). */
  timedOut: number;
  /** Outcomes of other runs the collector ignored. */
  foreign: number;
  duplicates: number;
  evicted: number;
  balanced: boolean;
  /** The equation with the numbers, e.g. `sent 100 = committed 97 + rejected 2 + timed out 1`. */
  equation: string;
}

const CODE_SUBMETRIC = new RegExp(`^${METRIC.transfersRejected}\\{error_code:(\\w+)\\}$`);

export function accountingOf(view: SummaryView): Accounting {
  const sent = countOf(view, METRIC.transfersSent);
  const committed = countOf(view, METRIC.transfersCommitted);
  const rejected = countOf(view, METRIC.transfersRejected);
  const timedOutRecorded = countOf(view, METRIC.transfersTimedOut);
  const rejectedByCode: Record<string, number> = {};
  let byCodeTotal = 0;
  for (const name of view.metrics.keys()) {
    const m = CODE_SUBMETRIC.exec(name);
    if (!m) continue;
    const n = countOf(view, name);
    if (n > 0) {
      rejectedByCode[m[1]!] = n;
      byCodeTotal += n;
    }
  }
  if (rejected > byCodeTotal) rejectedByCode.other = rejected - byCodeTotal;
  const neverArrived = sent - committed - rejected - timedOutRecorded;
  const balanced = neverArrived >= 0;
  const timedOut = timedOutRecorded + Math.max(0, neverArrived);
  const equation = balanced
    ? `sent ${sent} = committed ${committed} + rejected ${rejected} + timed out ${timedOut}`
    : `sent ${sent} ≠ committed ${committed} + rejected ${rejected} + timed out ${timedOutRecorded} (${-neverArrived} more outcomes than transfers sent)`;
  return {
    sent,
    accepted: countOf(view, METRIC.transfersAccepted),
    committed,
    rejected,
    rejectedSync: countOf(view, `${METRIC.transfersRejected}{stage:sync}`),
    rejectedAsync: countOf(view, `${METRIC.transfersRejected}{stage:async}`),
    rejectedByCode,
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
