/**
 * The payee side of a simulated DFSP, answering like the sdk-scheme-adapter with the
 * mojaloop-simulator backend (docs/facts/mojaloop.md#payee-auto-response) and the harness's callback handler (docs/facts/mojaloop.md#harness-callbacks):
 *
 * - POST /transfers -> 202, then PUT /transfers/{ID} with the fulfilment derived from the ILP packet
 *   with the shared secret in the packet's own version, v1 or v4 (`fulfilmentFromIlpPacket`; the
 *   SDK and the Testing Toolkit do so too), completedTimestamp now (+ clock-skew fault),
 *   transferState COMMITTED (or RESERVED when configured). With checkIlp, a condition that does not
 *   match the packet is refused with an error callback.
 * - GET /parties/{Type}/{ID}[/{SubId}] -> 202, then PUT /parties/... with a synthetic party.
 * - POST /quotes -> 202, then PUT /quotes/{ID} with an ILP packet/condition (v1 by default, the SDK's
 *   ILP_VERSION; `--ilp-version`) built from the transaction object with the same secret scheme, so
 *   a transfer using the quote fulfils.
 *
 * Callback headers mirror the request's content version, copy traceparent and append
 * `tx_callback_start_ts=<ms>` to tracestate, as the harness's simulator does.
 */
import { P2P_TRANSACTION_TYPE, quotesPutBody } from '../../lib/protocol/bodies.ts';
import { httpDate } from '../../lib/protocol/headers.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import { isoTransferFulfilBody, transferFromIso } from '../../lib/protocol/iso20022.ts';
import { ilpOfTransaction } from '../../lib/protocol/material.ts';
import { transactionObject } from '../../lib/protocol/transaction.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { errorObject, errorResponse } from '../fspiop/errors.ts';
import { conditionOf, deriveFulfilment } from '../fspiop/fulfil.ts';
import { isoErrorBody } from '../fspiop/iso.ts';
import {
  EMPTY_202,
  header,
  isRecord,
  parseJson,
  type SimRequest,
  type SimResponse,
} from '../runtime/message.ts';
import type { DfspSim } from './dfsp.ts';

type Json = Record<string, unknown>;

/** Headers of a payee callback answering `req`. */
export function payeeCallbackHeaders(
  dfsp: DfspSim,
  req: SimRequest,
  contentType: string,
  uri: string,
  nowMs: number,
): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': contentType,
    date: httpDate(nowMs),
    'fspiop-source': dfsp.fspId,
    'fspiop-uri': uri,
    'fspiop-http-method': 'PUT',
  };
  const to = header(req, 'fspiop-source');
  if (to) out['fspiop-destination'] = to;
  const tp = header(req, 'traceparent');
  if (tp) out.traceparent = tp;
  const ts = header(req, 'tracestate');
  out.tracestate = ts ? `${ts},tx_callback_start_ts=${nowMs}` : `tx_callback_start_ts=${nowMs}`;
  return out;
}

/** The request's Content-Type, or the FSPIOP 1.1 one for `resource` when missing or malformed. */
function replyContentType(req: SimRequest, resource: string): string {
  const ct = header(req, 'content-type');
  return ct?.includes(`.${resource}+json`)
    ? ct
    : `application/vnd.interoperability.${resource}+json;version=1.1`;
}

function malformed(dfsp: DfspSim, detail: string): SimResponse {
  dfsp.counters.malformed++;
  return errorResponse('3101', detail);
}

// ------------------------------------------------------------------ transfers

interface PrepareTask {
  dfsp: DfspSim;
  req: SimRequest;
  body: Json;
}

export function onTransfersPost(dfsp: DfspSim, req: SimRequest): SimResponse {
  const parsed = parseJson(req.body);
  if (!parsed.ok || !isRecord(parsed.value))
    return malformed(dfsp, 'POST /transfers body is not a JSON object');
  const body = parsed.value;
  const delay = dfsp.ctx.faults.delayMs('payee', Date.now(), dfsp.fspId);
  dfsp.ctx.scheduler.after(delay, answerPrepare, { dfsp, req, body });
  return EMPTY_202;
}

function sendTransferError(
  dfsp: DfspSim,
  req: SimRequest,
  id: string,
  iso: boolean,
  code: string,
  detail: string,
): void {
  const now = Date.now();
  const uri = `/transfers/${id}/error`;
  const description = errorObject(code, detail).errorInformation.errorDescription;
  const body = iso ? isoErrorBody(now, code, description) : JSON.stringify(errorObject(code, detail));
  const headers = payeeCallbackHeaders(dfsp, req, replyContentType(req, 'transfers'), uri, now);
  dfsp.ctx.transport.send({ method: 'PUT', url: dfsp.ctx.hubUrls.transfers + uri, headers, body });
}

function answerPrepare({ dfsp, req, body }: PrepareTask): void {
  const iso = (header(req, 'content-type') ?? '').includes('.iso20022.');
  let id: string;
  let ilpPacket: string;
  let condition: string;
  if (iso) {
    const t = transferFromIso(body);
    const txId = (body.CdtTrfTxInf as Json | undefined)?.PmtId as Json | undefined;
    if (!t.ok) {
      if (typeof txId?.TxId === 'string') sendTransferError(dfsp, req, txId.TxId, true, '3100', t.error);
      return;
    }
    ({ transferId: id, ilpPacket, condition } = t.value);
  } else {
    if (
      typeof body.transferId !== 'string' ||
      typeof body.ilpPacket !== 'string' ||
      typeof body.condition !== 'string'
    ) {
      dfsp.counters.malformed++;
      return;
    }
    id = body.transferId;
    ilpPacket = body.ilpPacket;
    condition = body.condition;
  }
  dfsp.payeeIds.add(id);
  dfsp.counters.preparesAnswered++;
  const ctx = dfsp.ctx;
  const injected = ctx.faults.injectedError('payee');
  if (injected) {
    sendTransferError(dfsp, req, id, iso, injected, 'injected fault');
    return;
  }
  const f = deriveFulfilment(ilpPacket, ctx.options.ilpKey);
  if (!f.ok) {
    sendTransferError(dfsp, req, id, iso, '3100', `cannot derive the fulfilment: ${f.error}`);
    return;
  }
  if (ctx.options.checkIlp && conditionOf(f.value) !== condition) {
    sendTransferError(dfsp, req, id, iso, '3100', 'condition does not match the ILP packet');
    return;
  }
  const now = Date.now();
  const completedTimestamp = new Date(now + ctx.faults.payeeClockSkewMs).toISOString();
  const transferState = ctx.options.reserveNotification ? 'RESERVED' : 'COMMITTED';
  const uri = `/transfers/${id}`;
  const out = iso
    ? JSON.stringify(
        isoTransferFulfilBody({
          msgId: ulid(now, 0, nodeCrypto),
          createdAt: new Date(now).toISOString(),
          fulfilment: f.value,
          completedTimestamp,
          transferState,
        }),
      )
    : `{"fulfilment":"${f.value}","completedTimestamp":"${completedTimestamp}","transferState":"${transferState}"}`;
  const headers = payeeCallbackHeaders(dfsp, req, replyContentType(req, 'transfers'), uri, now);
  ctx.transport.send({ method: 'PUT', url: ctx.hubUrls.transfers + uri, headers, body: out });
}

// ------------------------------------------------------------------ parties

interface PartyTask {
  dfsp: DfspSim;
  req: SimRequest;
  segs: string[];
}

export function onPartiesGet(dfsp: DfspSim, req: SimRequest, segs: string[]): SimResponse {
  if (segs.length < 2 || segs.length > 3 || segs.some((s) => s.length === 0)) {
    return malformed(dfsp, 'expected GET /parties/{Type}/{ID}[/{SubId}]');
  }
  dfsp.ctx.scheduler.after(dfsp.ctx.faults.delayMs('payee', Date.now(), dfsp.fspId), answerParty, {
    dfsp,
    req,
    segs,
  });
  return EMPTY_202;
}

function answerParty({ dfsp, req, segs }: PartyTask): void {
  dfsp.counters.partiesAnswered++;
  const now = Date.now();
  const [type, id, subId] = segs.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  const partyIdInfo: Json = { partyIdType: type, partyIdentifier: id };
  if (subId !== undefined) partyIdInfo.partySubIdOrType = subId;
  partyIdInfo.fspId = dfsp.fspId;
  const body = JSON.stringify({
    party: {
      partyIdInfo,
      name: 'Simulated Party',
      personalInfo: { complexName: { firstName: 'Simulated', lastName: 'Party' } },
    },
  });
  const uri = `/parties/${segs.join('/')}`;
  const headers = payeeCallbackHeaders(dfsp, req, replyContentType(req, 'parties'), uri, now);
  dfsp.ctx.transport.send({ method: 'PUT', url: dfsp.ctx.hubUrls.parties + uri, headers, body });
}

// ------------------------------------------------------------------ quotes

interface QuoteTask {
  dfsp: DfspSim;
  req: SimRequest;
  body: Json;
}

export function onQuotesPost(dfsp: DfspSim, req: SimRequest): SimResponse {
  const parsed = parseJson(req.body);
  if (!parsed.ok || !isRecord(parsed.value)) return malformed(dfsp, 'POST /quotes body is not a JSON object');
  const body = parsed.value;
  if (typeof body.quoteId !== 'string') return malformed(dfsp, 'POST /quotes body has no quoteId');
  dfsp.ctx.scheduler.after(dfsp.ctx.faults.delayMs('payee', Date.now(), dfsp.fspId), answerQuote, {
    dfsp,
    req,
    body,
  });
  return EMPTY_202;
}

function answerQuote({ dfsp, req, body }: QuoteTask): void {
  dfsp.counters.quotesAnswered++;
  const now = Date.now();
  const quoteId = body.quoteId as string;
  const uri = `/quotes/${quoteId}`;
  const ctx = dfsp.ctx;
  let out: string;
  let path = uri;
  try {
    const amount = body.amount as { amount: string; currency: string };
    const expiration =
      typeof body.expiration === 'string'
        ? body.expiration
        : new Date(now + ctx.options.quoteExpirySeconds * 1000).toISOString();
    const tx = transactionObject({
      quoteId,
      transactionId: body.transactionId as string,
      transactionType:
        (body.transactionType as typeof P2P_TRANSACTION_TYPE | undefined) ?? P2P_TRANSACTION_TYPE,
      payer: body.payer as never,
      payee: body.payee as never,
      expiration,
      amount: amount.amount,
      currency: amount.currency,
      note: typeof body.note === 'string' ? body.note : undefined,
    });
    const ilp = ilpOfTransaction(ctx.options.ilpVersion, tx, ctx.options.ilpKey, nodeCrypto);
    out = JSON.stringify(
      quotesPutBody({
        transferAmount: amount.amount,
        currency: amount.currency,
        expiration,
        ilpPacket: ilp.ilpPacket,
        condition: ilp.condition,
      }),
    );
  } catch (e) {
    path = `${uri}/error`;
    out = JSON.stringify(errorObject('3100', `cannot quote: ${(e as Error).message}`));
  }
  const headers = payeeCallbackHeaders(dfsp, req, replyContentType(req, 'quotes'), path, now);
  ctx.transport.send({ method: 'PUT', url: ctx.hubUrls.quotes + path, headers, body: out });
}
