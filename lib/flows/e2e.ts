/**
 * The end-to-end flow (the `e2e` scenario), the three stages of the Mojaloop invariant against the
 * hub's FSPIOP API, each waited for through the callback relay and timed:
 *
 *   GET /parties/MSISDN/{payee}  → PUT /parties callback (the payee's party, its FSP)
 *   POST /quotes                 → PUT /quotes/{ID} callback (transferAmount, ilpPacket, condition)
 *   POST /transfers (the quote's terms) → the transfer's final outcome
 *
 * A failure at any stage ends the transfer there: rejected with that stage's error code (tag
 * `phase`), or timed out when TIMEOUT_MS (the budget of the whole flow) runs out.
 */
import { partiesPath, party, quotesPostBody } from '../protocol/bodies.ts';
import type { HttpResponse } from '../protocol/http.ts';
import { newId } from '../protocol/ids.ts';
import { interpretPhaseCallback, interpretPostTransferResponse } from '../protocol/interpret.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';
import { checkedParty } from '../protocol/party.ts';
import { fspiopDateTime } from '../protocol/patterns.ts';
import {
  interpretRelayPhaseWait,
  RELAY_MAX_WAIT_MS,
  type RelayPhase,
  relayPhaseWaitRequest,
} from '../protocol/relay.ts';
import { newTraceContext } from '../protocol/trace.ts';
import { type FlowPlan, routeHeaders } from './plan.ts';
import { MAX_RELAY_ERRORS, syncOutcome, waitForOutcome } from './transfer.ts';
import { drawParties, prepareTransfer } from './transfer-post.ts';
import type { Flow, FlowContext, FlowResult, Phase } from './types.ts';

type Json = Record<string, unknown>;

type PhaseWait = { ok: true; body: Json; arrivedAtMs: number } | { ok: false; outcome: TransferOutcome };

/** Waits for a party or quote callback via the relay until the flow's deadline. */
function* waitForPhase(
  plan: FlowPlan,
  ctx: FlowContext,
  phase: RelayPhase,
  key: string,
  required: 'party' | 'ilpPacket',
  startedAt: number,
  deadline: number,
): Flow<PhaseWait> {
  let errors = 0;
  for (;;) {
    const remaining = Math.floor(deadline - ctx.now());
    if (remaining <= 0) return { ok: false, outcome: { kind: 'timeout', waitedMs: ctx.now() - startedAt } };
    const res: HttpResponse = yield relayPhaseWaitRequest(
      plan.urls.relay,
      phase,
      key,
      Math.min(remaining, RELAY_MAX_WAIT_MS),
    );
    const r = interpretRelayPhaseWait(res);
    if (r.kind === 'pending') {
      errors = 0;
      continue;
    }
    if (r.kind === 'error') {
      if (++errors >= MAX_RELAY_ERRORS) {
        return { ok: false, outcome: { kind: 'timeout', waitedMs: ctx.now() - startedAt } };
      }
      continue;
    }
    const interpreted = interpretPhaseCallback(r.callback.body, required, r.callback.errorPath);
    if (!interpreted.ok) return { ok: false, outcome: interpreted.outcome };
    return { ok: true, body: interpreted.value, arrivedAtMs: r.callback.arrivedAtMs };
  }
}

/** A phase request that got no final answer: failed in transport (no HTTP answer at all), else timed out. */
function pendingEnd(
  o: { reason: 'accepted' | 'transport' },
  res: HttpResponse,
  ctx: FlowContext,
  startedAt: number,
): TransferOutcome {
  return o.reason === 'transport'
    ? { kind: 'transport', error: res.error ?? 'no HTTP response' }
    : { kind: 'timeout', waitedMs: ctx.now() - startedAt };
}

export function* e2eFlow(plan: FlowPlan, ctx: FlowContext): Flow<FlowResult> {
  const { config } = plan;
  const drawn = drawParties(plan, ctx);
  const pair = plan.picker.pairs[drawn.pairIndex]!;
  const headers = plan.headers[drawn.pairIndex]!;
  const startedAt = ctx.now();
  const deadline = startedAt + config.timeoutMs;
  const transferId = newId(config.idKind, startedAt, ctx.runner, ctx.crypto);
  ctx.started?.(transferId);
  const phaseMs: Partial<Record<Phase, number>> = {};
  const end = (phase: Phase, outcome: TransferOutcome, accepted: boolean, e2eMs?: number): FlowResult => ({
    transferId,
    startedAtMs: startedAt,
    accepted,
    outcome,
    phase,
    e2eMs:
      outcome.kind === 'timeout' || outcome.kind === 'transport'
        ? undefined
        : (e2eMs ?? ctx.now() - startedAt),
    phaseMs,
  });

  // 1. Discovery: GET /parties (no FSPIOP-Destination: the hub's account lookup finds the FSP).
  const path = partiesPath('MSISDN', drawn.payeeMsisdn);
  const trace = newTraceContext(startedAt, ctx.crypto);
  const partiesRes: HttpResponse = yield {
    method: 'GET',
    url: `${plan.config.hubUrl}${path}`,
    headers: headers.parties(startedAt, { traceparent: trace.traceparent, tracestate: trace.tracestate }),
    name: 'GET /parties',
    timeoutMs: config.timeoutMs,
    wantBody: true,
  };
  const partiesSync = interpretPostTransferResponse(partiesRes);
  if (partiesSync.kind !== 'accepted') {
    const o = syncOutcome(partiesRes).outcome;
    return end('parties', o.kind === 'pending' ? pendingEnd(o, partiesRes, ctx, startedAt) : o, false);
  }
  const partyCb = yield* waitForPhase(
    plan,
    ctx,
    'parties',
    path.slice('/parties/'.length),
    'party',
    startedAt,
    deadline,
  );
  if (!partyCb.ok) return end('parties', partyCb.outcome, false);
  phaseMs.parties = ctx.now() - startedAt;
  // The lookup's party, checked against the FSPIOP schemas before the quote carries it; the quote
  // and the transfer go to the FSP that owns it (which need not be the pool pair's payee).
  const checked = checkedParty(partyCb.body.party, 'MSISDN', drawn.payeeMsisdn);
  if (!checked.ok) {
    const r = end(
      'parties',
      { kind: 'unknown', reason: `unusable party from the lookup: ${checked.reason}` },
      false,
    );
    r.note = `the account lookup answered an unusable party: ${checked.reason}`;
    return r;
  }
  const payee = checked.party;
  const payeeFsp = checked.fspId;
  const route = routeHeaders(plan, drawn.pairIndex, payeeFsp);

  // 2. Agreement: POST /quotes.
  const quoteStart = ctx.now();
  const quoteId = newId(config.idKind, quoteStart, ctx.runner, ctx.crypto);
  const quoteBody = quotesPostBody({
    quoteId,
    transactionId: transferId,
    payer: party({ idValue: drawn.payerMsisdn, fspId: pair.payer }),
    payee,
    amount: config.amount,
    currency: config.currency,
    expiration: fspiopDateTime(quoteStart + plan.expiryMs, 'expiration'),
  });
  const quoteTrace = newTraceContext(quoteStart, ctx.crypto);
  const quoteRes: HttpResponse = yield {
    method: 'POST',
    url: plan.urls.quotes,
    headers: route.quotes(quoteStart, {
      traceparent: quoteTrace.traceparent,
      tracestate: quoteTrace.tracestate,
    }),
    body: JSON.stringify(quoteBody),
    name: 'POST /quotes',
    timeoutMs: Math.max(1, deadline - quoteStart),
    wantBody: true,
  };
  if (interpretPostTransferResponse(quoteRes).kind !== 'accepted') {
    const o = syncOutcome(quoteRes).outcome;
    return end('quotes', o.kind === 'pending' ? pendingEnd(o, quoteRes, ctx, startedAt) : o, false);
  }
  const quoteCb = yield* waitForPhase(plan, ctx, 'quotes', quoteId, 'ilpPacket', startedAt, deadline);
  if (!quoteCb.ok) return end('quotes', quoteCb.outcome, false);
  phaseMs.quotes = ctx.now() - quoteStart;
  const q = quoteCb.body as {
    transferAmount?: { amount?: string; currency?: string };
    ilpPacket: string;
    condition: string;
  };
  if (typeof q.condition !== 'string') {
    return end('quotes', { kind: 'unknown', reason: 'quote callback without condition' }, false);
  }

  // 3. Transfer with the agreed terms, then its outcome through the relay.
  const t = prepareTransfer(plan, ctx, {
    transferId,
    pairIndex: drawn.pairIndex,
    payerMsisdn: drawn.payerMsisdn,
    payeeMsisdn: drawn.payeeMsisdn,
    payeeFsp,
    amount: q.transferAmount?.amount,
    currency: q.transferAmount?.currency,
    ilp: { ilpPacket: q.ilpPacket, condition: q.condition },
  });
  t.request.timeoutMs = Math.max(1, deadline - t.sentAtMs);
  const transferRes: HttpResponse = yield t.request;
  const sync = syncOutcome(transferRes);
  if (sync.outcome.kind !== 'pending') return end('transfers', sync.outcome, false);
  const waited = yield* waitForOutcome(plan, ctx, transferId, t.sentAtMs, deadline);
  const w =
    transferRes.status === 0 && waited.outcome.kind === 'timeout'
      ? { ...waited, outcome: pendingEnd(sync.outcome, transferRes, ctx, startedAt) }
      : waited;
  if (w.e2eMs !== undefined && !w.late) phaseMs.transfers = w.e2eMs;
  const total = w.e2eMs === undefined ? undefined : t.sentAtMs - startedAt + w.e2eMs;
  const r = end('transfers', w.outcome, sync.accepted, total);
  if (w.late || (total !== undefined && total > config.timeoutMs)) r.late = true;
  if (w.note) r.note = w.note;
  return r;
}
