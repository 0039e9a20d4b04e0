/**
 * The POST /transfers request every transfer mode starts with (direct FSPIOP or ISO 20022 body,
 * chosen by config), and the reading of its synchronous answer. Shared by the collect and wait
 * flows and by the e2e flow's last phase.
 */

import { msisdnAt } from '../config/pool.ts';
import type { HttpRequest } from '../protocol/http.ts';
import { newId, ulid } from '../protocol/ids.ts';
import { isoTransfersPostBody } from '../protocol/iso20022.ts';
import type { IlpPair } from '../protocol/material.ts';
import { fspiopDateTime } from '../protocol/patterns.ts';
import { newTraceContext } from '../protocol/trace.ts';
import { type FlowPlan, routeHeaders } from './plan.ts';
import type { FlowContext } from './types.ts';

export const POST_TRANSFERS = 'POST /transfers';

export interface PreparedTransfer {
  request: HttpRequest;
  transferId: string;
  /** The send instant written into tracestate (tx_end2end_start_ts). */
  sentAtMs: number;
  pairIndex: number;
}

export interface TransferTerms {
  /** From the quote (e2e): the payee's ILP packet and condition. Otherwise built locally. */
  ilp?: IlpPair;
  /** From the quote: the amount to transfer. */
  amount?: string;
  currency?: string;
  /** The payee FSP when it is not the pair's (e2e: the FSP the account lookup named). */
  payeeFsp?: string;
  /** Reuse ids chosen earlier in the flow (e2e: quote's transactionId = transferId). */
  transferId?: string;
  pairIndex?: number;
  payerMsisdn?: string;
  payeeMsisdn?: string;
}

/** Draws a pair (by weight) and the payer/payee MSISDNs. */
export function drawParties(
  plan: FlowPlan,
  ctx: FlowContext,
): { pairIndex: number; payerMsisdn: string; payeeMsisdn: string } {
  const pairIndex = plan.picker.pickIndex(ctx.random());
  const pair = plan.picker.pairs[pairIndex]!;
  return {
    pairIndex,
    payerMsisdn: msisdnAt(plan.msisdn.get(pair.payer)!, ctx.random()),
    payeeMsisdn: msisdnAt(plan.msisdn.get(pair.payee)!, ctx.random()),
  };
}

/**
 * Builds a POST /transfers for a fresh transfer (or the terms agreed in a quote). The request
 * timeout is the transfer's TIMEOUT_MS: a hub that holds the POST longer has not accepted it.
 */
export function prepareTransfer(
  plan: FlowPlan,
  ctx: FlowContext,
  terms: TransferTerms = {},
): PreparedTransfer {
  const { config } = plan;
  const now = ctx.now();
  const drawn =
    terms.pairIndex === undefined
      ? drawParties(plan, ctx)
      : { pairIndex: terms.pairIndex, payerMsisdn: terms.payerMsisdn, payeeMsisdn: terms.payeeMsisdn };
  const pair = plan.picker.pairs[drawn.pairIndex]!;
  const payeeFsp = terms.payeeFsp ?? pair.payee;
  const transferId = terms.transferId ?? newId(config.idKind, now, ctx.runner, ctx.crypto);
  const expiration = fspiopDateTime(now + plan.expiryMs, 'expiration');
  const amount = terms.amount ?? config.amount;
  const currency = terms.currency ?? config.currency;
  let body: string;
  const spec = {
    transferId,
    payerFsp: pair.payer,
    payeeFsp,
    payerMsisdn: drawn.payerMsisdn,
    payeeMsisdn: drawn.payeeMsisdn,
    amount,
    currency,
    expiration,
    pairIndex: drawn.pairIndex,
  };
  const fspiopBody = terms.ilp
    ? {
        transferId,
        payeeFsp,
        payerFsp: pair.payer,
        amount: { currency, amount },
        ilpPacket: terms.ilp.ilpPacket,
        condition: terms.ilp.condition,
        expiration,
      }
    : plan.material(spec).body;
  if (config.api === 'iso20022') {
    body = JSON.stringify(
      isoTransfersPostBody(fspiopBody as Parameters<typeof isoTransfersPostBody>[0], {
        msgId: ulid(now, ctx.runner, ctx.crypto),
        createdAt: fspiopDateTime(now, 'createdAt'),
      }),
    );
  } else {
    body = JSON.stringify(fspiopBody);
  }
  const trace = newTraceContext(now, ctx.crypto);
  const headers = routeHeaders(plan, drawn.pairIndex, payeeFsp).transfers(now, {
    traceparent: trace.traceparent,
    tracestate: trace.tracestate,
    uri: config.jws ? '/transfers' : undefined,
  });
  return {
    request: {
      method: 'POST',
      url: plan.urls.transfers,
      headers,
      body,
      name: POST_TRANSFERS,
      timeoutMs: config.timeoutMs,
      // The body of a 4xx carries the error code; a 202 has none, so reading it costs nothing.
      wantBody: true,
    },
    transferId,
    sentAtMs: now,
    pairIndex: drawn.pairIndex,
  };
}
