/**
 * The DFSP synchronous outbound API flow (sdk-scheme-adapter shape, the Mojaloop performance
 * whitepaper's client), against the payer DFSP's outbound base URL:
 *
 * - `simple` (default, the whitepaper): GET /parties/MSISDN/{id} → POST /quotes {fspId,
 *   quotesPostRequest} → POST /simpleTransfers {fspId, transfersPostRequest} with the quote's
 *   ilpPacket and condition;
 * - `transfers`: the one-call POST /transfers (auto-accepted party and quote).
 *
 * Success is only an HTTP 200 whose transfer body is COMMITTED with no errorInformation anywhere
 * (lib/protocol/interpret.ts): the SDK answers 200 for error callbacks too, which the whitepaper
 * script counts as successes. Each call is timed as a phase.
 *
 * OUTBOUND_URL may contain `{payer}`, replaced by the pair's payer FSP id, so one config drives
 * several payer DFSPs (each SDK has its own outbound URL).
 */

import { type Party, party, quotesPostBody } from '../protocol/bodies.ts';
import type { HttpRequest, HttpResponse } from '../protocol/http.ts';
import { newId } from '../protocol/ids.ts';
import {
  interpretOutboundPhaseResponse,
  interpretOutboundTransferResponse,
  outboundTransferOutcome,
  parseBody,
} from '../protocol/interpret.ts';
import type { TransferOutcome } from '../protocol/outcome.ts';
import { fspiopDateTime } from '../protocol/patterns.ts';
import type { FlowPlan } from './plan.ts';
import { drawParties } from './transfer-post.ts';
import type { Flow, FlowContext, FlowResult, Phase } from './types.ts';

const JSON_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'application/json',
  Accept: 'application/json',
});

export function outboundBase(plan: FlowPlan, payer: string): string {
  return plan.urls.outbound.replace('{payer}', payer);
}

function request(
  method: 'GET' | 'POST',
  url: string,
  name: string,
  timeoutMs: number,
  body?: unknown,
): HttpRequest {
  const req: HttpRequest = {
    method,
    url,
    headers: { ...JSON_HEADERS },
    name,
    timeoutMs: Math.max(1, timeoutMs),
    wantBody: true,
  };
  if (body !== undefined) req.body = JSON.stringify(body);
  return req;
}

/**
 * No HTTP answer: a client-side timeout when the flow's deadline was reached, else a transport
 * failure (refused, reset); never a rejection.
 */
function ended(
  res: HttpResponse,
  outcome: TransferOutcome,
  ctx: FlowContext,
  deadline: number,
  startedAt: number,
): TransferOutcome {
  if (res.status === 0) {
    return ctx.now() >= deadline - 50
      ? { kind: 'timeout', waitedMs: ctx.now() - startedAt }
      : { kind: 'transport', error: res.error ?? 'no HTTP response' };
  }
  return outcome;
}

export function* outboundFlow(plan: FlowPlan, ctx: FlowContext): Flow<FlowResult> {
  const { config } = plan;
  const drawn = drawParties(plan, ctx);
  const pair = plan.picker.pairs[drawn.pairIndex]!;
  const base = outboundBase(plan, pair.payer);
  const startedAt = ctx.now();
  const deadline = startedAt + config.timeoutMs;
  const remaining = (): number => Math.floor(deadline - ctx.now());
  const phaseMs: Partial<Record<Phase, number>> = {};
  const transferId = newId(config.idKind, startedAt, ctx.runner, ctx.crypto);
  ctx.started?.(transferId);
  const result = (phase: Phase, outcome: TransferOutcome, accepted = false): FlowResult => ({
    transferId,
    startedAtMs: startedAt,
    accepted,
    outcome,
    phase,
    e2eMs: outcome.kind === 'timeout' || outcome.kind === 'transport' ? undefined : ctx.now() - startedAt,
    phaseMs,
  });

  if (config.outboundFlow === 'transfers') {
    const res: HttpResponse = yield request(
      'POST',
      `${base}/transfers`,
      'POST /outbound/transfers',
      remaining(),
      {
        homeTransactionId: transferId,
        from: { idType: 'MSISDN', idValue: drawn.payerMsisdn, fspId: pair.payer },
        to: { idType: 'MSISDN', idValue: drawn.payeeMsisdn },
        amountType: 'SEND',
        currency: config.currency,
        amount: config.amount,
        transactionType: 'TRANSFER',
      },
    );
    phaseMs.transfers = res.durationMs;
    const parsed = parseBody(res.body);
    const outcome = ended(res, outboundTransferOutcome(res, parsed), ctx, deadline, startedAt);
    const sdkId =
      parsed.ok && typeof (parsed.value as { transferId?: unknown })?.transferId === 'string'
        ? (parsed.value as { transferId: string }).transferId
        : transferId;
    return { ...result('transfers', outcome, res.status === 200), transferId: sdkId };
  }

  // 1. party lookup
  const partiesRes: HttpResponse = yield request(
    'GET',
    `${base}/parties/MSISDN/${drawn.payeeMsisdn}`,
    'GET /outbound/parties',
    remaining(),
  );
  const partyResult = interpretOutboundPhaseResponse(partiesRes, 'parties');
  if (!partyResult.ok)
    return result('parties', ended(partiesRes, partyResult.outcome, ctx, deadline, startedAt));
  phaseMs.parties = partiesRes.durationMs;
  const inner = partyResult.value as { party?: Party; partyIdInfo?: Party['partyIdInfo'] };
  const payee: Party = inner.partyIdInfo
    ? (inner as Party)
    : (inner.party ?? party({ idValue: drawn.payeeMsisdn, fspId: pair.payee }));
  const payeeFsp = payee.partyIdInfo?.fspId ?? pair.payee;

  // 2. quote
  const quote = quotesPostBody({
    quoteId: newId(config.idKind, ctx.now(), ctx.runner, ctx.crypto),
    transactionId: transferId,
    payer: party({ idValue: drawn.payerMsisdn, fspId: pair.payer }),
    payee,
    amount: config.amount,
    currency: config.currency,
    expiration: fspiopDateTime(ctx.now() + plan.expiryMs, 'expiration'),
  });
  const quoteRes: HttpResponse = yield request(
    'POST',
    `${base}/quotes`,
    'POST /outbound/quotes',
    remaining(),
    {
      fspId: payeeFsp,
      quotesPostRequest: quote,
    },
  );
  const quoteResult = interpretOutboundPhaseResponse(quoteRes, 'quotes');
  if (!quoteResult.ok)
    return result('quotes', ended(quoteRes, quoteResult.outcome, ctx, deadline, startedAt));
  phaseMs.quotes = quoteRes.durationMs;
  const q = quoteResult.value as {
    transferAmount?: { amount?: string; currency?: string };
    ilpPacket: string;
    condition?: string;
  };

  // 3. transfer
  const transferRes: HttpResponse = yield request(
    'POST',
    `${base}/simpleTransfers`,
    'POST /outbound/simpleTransfers',
    remaining(),
    {
      fspId: payeeFsp,
      transfersPostRequest: {
        transferId,
        payerFsp: pair.payer,
        payeeFsp,
        amount: {
          amount: q.transferAmount?.amount ?? config.amount,
          currency: q.transferAmount?.currency ?? config.currency,
        },
        ilpPacket: q.ilpPacket,
        condition: q.condition,
        expiration: fspiopDateTime(ctx.now() + plan.expiryMs, 'expiration'),
      },
    },
  );
  phaseMs.transfers = transferRes.durationMs;
  const outcome = ended(
    transferRes,
    interpretOutboundTransferResponse(transferRes),
    ctx,
    deadline,
    startedAt,
  );
  return result('transfers', outcome, transferRes.status === 200);
}
