/**
 * The direct FSPIOP transfer flow (the `transfers` scenario), one implementation for both modes:
 *
 * - collect: POST /transfers and return at once. A synchronous rejection is final; a 202 or a
 *   transport failure (the hub may have taken the request) leaves the outcome pending, for the
 *   collector to read from the relay.
 * - wait: after the POST, long-poll the relay for this transfer's outcome until TIMEOUT_MS after
 *   the send; nothing by then is a timeout.
 *
 * An answer that is neither 202 nor a readable rejection is handled so that the transfer is still
 * counted exactly once: a 4xx means the hub refused it (rejected, code `none`); anything else
 * (5xx without an error body, 200, ...) may have been processed, so its outcome is awaited like a 202.
 */
import type { HttpResponse } from '../protocol/http.ts';
import { errorTextOf, interpretPostTransferResponse } from '../protocol/interpret.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';
import {
  interpretRelayWait,
  RELAY_MAX_WAIT_MS,
  relayLatencyMs,
  relayWaitRequest,
  transferOutcomeOfRelay,
} from '../protocol/relay.ts';
import type { FlowPlan } from './plan.ts';
import { type PreparedTransfer, prepareTransfer, type TransferTerms } from './transfer-post.ts';
import type { Flow, FlowContext, FlowResult, PendingOutcome } from './types.ts';

/** Consecutive relay errors after which a waiting VU stops asking (the transfer counts as timed out). */
export const MAX_RELAY_ERRORS = 3;

/** What the synchronous answer to POST /transfers means for the transfer. */
export function syncOutcome(res: HttpResponse): {
  accepted: boolean;
  outcome: TransferOutcome | PendingOutcome;
} {
  const r = interpretPostTransferResponse(res);
  if (r.kind === 'accepted') return { accepted: true, outcome: { kind: 'pending', reason: 'accepted' } };
  if (r.kind === 'rejected') return { accepted: false, outcome: r };
  if (res.status === 0) return { accepted: false, outcome: { kind: 'pending', reason: 'transport' } };
  if (res.status >= 400 && res.status < 500) {
    // Refused without an FSPIOP error (an ingress, a gateway, the SDK's own validation): named by
    // its HTTP status, with whatever text it gave.
    const text = errorTextOf(res.body);
    return {
      accepted: false,
      outcome: {
        kind: 'rejected',
        stage: 'sync',
        errorCode: `http${res.status}`,
        errorDescription: text === undefined ? r.reason : `HTTP ${res.status}: ${text}`,
        httpStatus: res.status,
      },
    };
  }
  return { accepted: false, outcome: { kind: 'pending', reason: 'accepted' } };
}

/** Collect mode: send and return; the collector learns the outcome. */
export function* sendTransfer(plan: FlowPlan, ctx: FlowContext, terms?: TransferTerms): Flow<FlowResult> {
  const t = prepareTransfer(plan, ctx, terms);
  ctx.started?.(t.transferId);
  const res: HttpResponse = yield t.request;
  const { accepted, outcome } = syncOutcome(res);
  return {
    transferId: t.transferId,
    startedAtMs: t.sentAtMs,
    accepted,
    outcome,
    phase: 'transfers',
    e2eMs: outcome.kind === 'pending' ? undefined : res.durationMs,
    phaseMs: {},
  };
}

export interface WaitResult {
  outcome: TransferOutcome;
  /** Relay arrival minus send, ms (undefined on timeout or without a send time). */
  e2eMs: number | undefined;
  late: boolean;
  note?: string;
}

/**
 * Long-polls the relay for one transfer until `deadlineMs` (ms since the epoch). Bounded: each
 * poll waits at most until the deadline, and a few consecutive relay errors end the wait.
 */
export function* waitForOutcome(
  plan: FlowPlan,
  ctx: FlowContext,
  transferId: string,
  sentAtMs: number,
  deadlineMs: number,
): Flow<WaitResult> {
  let errors = 0;
  let lastError = '';
  for (;;) {
    const remaining = Math.floor(deadlineMs - ctx.now());
    if (remaining <= 0) {
      return {
        outcome: { kind: 'timeout', waitedMs: ctx.now() - sentAtMs },
        e2eMs: undefined,
        late: false,
        note: errors > 0 ? `relay errors: ${lastError}` : undefined,
      };
    }
    const res: HttpResponse = yield relayWaitRequest(
      plan.urls.relay,
      transferId,
      Math.min(remaining, RELAY_MAX_WAIT_MS),
    );
    const r = interpretRelayWait(res);
    if (r.kind === 'outcome') {
      const e2e = relayLatencyMs(r.outcome) ?? r.outcome.arrivedAtMs - sentAtMs;
      return { outcome: transferOutcomeOfRelay(r.outcome), e2eMs: e2e, late: e2e > plan.config.timeoutMs };
    }
    if (r.kind === 'error') {
      errors++;
      lastError = r.error;
      if (errors >= MAX_RELAY_ERRORS) {
        return {
          outcome: { kind: 'timeout', waitedMs: ctx.now() - sentAtMs },
          e2eMs: undefined,
          late: false,
          note: `gave up after ${errors} relay errors: ${lastError}`,
        };
      }
    } else errors = 0;
  }
}

/** Wait mode: send, then wait for this transfer's outcome. */
export function* sendAndWait(plan: FlowPlan, ctx: FlowContext, terms?: TransferTerms): Flow<FlowResult> {
  const t: PreparedTransfer = prepareTransfer(plan, ctx, terms);
  ctx.started?.(t.transferId);
  const res: HttpResponse = yield t.request;
  const sync = syncOutcome(res);
  const base = {
    transferId: t.transferId,
    startedAtMs: t.sentAtMs,
    accepted: sync.accepted,
    phase: 'transfers' as const,
  };
  if (sync.outcome.kind !== 'pending') {
    return { ...base, outcome: sync.outcome, e2eMs: res.durationMs, phaseMs: { transfers: res.durationMs } };
  }
  const w = yield* waitForOutcome(plan, ctx, t.transferId, t.sentAtMs, t.sentAtMs + plan.config.timeoutMs);
  // The POST got no answer and no outcome came: the hub never had it (or never said so).
  const outcome: TransferOutcome =
    res.status === 0 && w.outcome.kind === 'timeout'
      ? { kind: 'transport', error: res.error ?? 'no HTTP response' }
      : w.outcome;
  return {
    ...base,
    outcome,
    e2eMs: w.e2eMs,
    late: w.late,
    note: w.note,
    phaseMs: w.e2eMs === undefined || w.late ? {} : { transfers: w.e2eMs },
  };
}
