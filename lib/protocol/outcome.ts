/**
 * The one typed result of a transfer. Every transfer that is sent ends as exactly one of these:
 * committed, rejected (with the FSPIOP error code, and whether the rejection was the synchronous
 * HTTP answer or an asynchronous callback), failed in transport (its request got no HTTP answer and
 * no outcome ever came: connection refused or reset), or timed out. `unknown` is for an answer that
 * cannot be interpreted; it is counted, never taken as success.
 */
export type TransferOutcome =
  | { kind: 'committed'; transferState: 'COMMITTED' }
  | {
      kind: 'rejected';
      stage: 'sync' | 'async';
      errorCode: string;
      errorDescription?: string;
      httpStatus?: number;
    }
  | { kind: 'timeout'; waitedMs: number }
  | { kind: 'transport'; error: string }
  | { kind: 'unknown'; reason: string };

export type OutcomeKind = TransferOutcome['kind'];

/** The label under which an outcome is counted in metrics and reports. */
export function outcomeLabel(o: TransferOutcome): string {
  switch (o.kind) {
    case 'committed':
      return 'committed';
    case 'rejected':
      return `rejected:${o.errorCode}`;
    case 'timeout':
      return 'timeout';
    case 'transport':
      return 'transport';
    case 'unknown':
      return 'unknown';
  }
}
