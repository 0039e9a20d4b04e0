/**
 * The hub's transfers API: ml-api-adapter (synchronous answers, notifications) plus central-ledger
 * (prepare, position, fulfil, abort, timeout), as docs/facts/mojaloop.md#transfer-flow and
 * #simulator-checklist describe them.
 *
 * Sequence: POST /transfers -> sync checks -> 202 -> [prepare leg latency, queue] -> async prepare
 * checks (3100) -> position (4001/4200) -> RESERVED -> payer's exact bytes forwarded to the payee.
 * PUT /transfers/{ID} from the payee -> sync completedTimestamp window -> 200 -> [fulfil leg] ->
 * source/destination, duplicate, fulfilment (SHA-256 vs condition), state, expiry -> COMMITTED ->
 * payer notified with the payee's body (+ Hub copy to the payee), or for RESERVED a Hub-generated
 * PUT to the payer and a PATCH to the payee. Errors go to PUT /transfers/{ID}/error.
 */

import { base64Decode } from '../../lib/protocol/bytes.ts';
import { transferFromIso } from '../../lib/protocol/iso20022.ts';
import { FSPIOP_AMOUNT } from '../../lib/protocol/money.ts';
import { errorDescription, FspiopError, isSpecErrorCode } from '../fspiop/errors.ts';
import { conditionOf } from '../fspiop/fulfil.ts';
import {
  errorFromIso,
  isoErrorBody,
  isoPatchBody,
  isoStatusBody,
  type StatusView,
  statusFromIso,
} from '../fspiop/iso.ts';
import {
  cutText,
  EMPTY_200,
  EMPTY_202,
  header,
  parseJson,
  type SimRequest,
  type SimResponse,
} from '../runtime/message.ts';
import { forwardHeaders, type Hop, hubHeaders, traceOf } from './callbacks.ts';
import type { HubContext, Recipient } from './context.ts';
import { bodyHash, fulfilDuplicateAction, prepareDuplicateAction } from './duplicates.ts';
import { armExpiry, disarmExpiry } from './expiry.ts';
import type { Api, TransferRecord } from './ledger.ts';
import { amountUnits } from './participants.ts';
import { validateFspiopBody, validateIsoBody } from './schemas.ts';
import type { CheckedHeaders } from './validation.ts';

/** completedTimestamp window (ml-api-adapter): at most 200 ms ahead, at most 300 s behind. */
export const MAX_CALLBACK_LAG_AHEAD_MS = 200;
export const MAX_FULFIL_AGE_MS = 300_000;
/** Amount precision of central-ledger: at most 18 digits in all. */
const AMOUNT_PRECISION = 18;

type Cause = { traceparent: string | undefined; tracestate: string | undefined } | undefined;

interface PrepareTask {
  record: TransferRecord;
  req: SimRequest;
}

interface FulfilTask {
  id: string;
  api: Api;
  req: SimRequest;
  view: StatusView;
  hash: string;
  version: string;
}

interface ErrorTask {
  id: string;
  api: Api;
  req: SimRequest;
  errorCode: string;
  errorDescription: string;
}

interface QueryTask {
  id: string;
  api: Api;
  req: SimRequest;
}

function bad(code: string, detail: string): SimResponse {
  return new FspiopError(code, detail).response();
}

export class TransfersService {
  constructor(private readonly ctx: HubContext) {
    // A transfer evicted while in flight (retention cap/TTL) stops its timer and frees its reservation.
    ctx.ledger.onEvictInFlight = (r) => this.release(r);
  }

  // ---------------------------------------------------------------- POST /transfers

  post(req: SimRequest, h: CheckedHeaders): SimResponse {
    const ctx = this.ctx;
    const parsed = parseJson(req.body);
    if (!parsed.ok) return this.reject('3101', `body is not valid JSON: ${parsed.error}`);
    const body = parsed.value;
    const hash = bodyHash(body);
    let t: {
      transferId: string;
      payerFsp: string;
      payeeFsp: string;
      amount: { amount: string; currency: string };
      condition: string;
      expiration: string;
    };
    if (h.api === 'iso20022') {
      const err = validateIsoBody('Execute_FIToFICustomerCreditTransferV13', body);
      if (err) return this.rejectWith(err);
      const m = transferFromIso(body);
      if (!m.ok) return this.reject('3100', m.error);
      t = m.value;
    } else {
      const err = validateFspiopBody('TransfersPostRequest', body);
      if (err) return this.rejectWith(err);
      t = body as typeof t;
    }
    const injected = ctx.faults.injectedError('sync');
    if (injected) return this.reject(injected, 'injected fault');
    const now = Date.now();
    const existing = ctx.ledger.get(t.transferId);
    if (existing) {
      this.onDuplicatePrepare(existing, hash, req);
      return EMPTY_202;
    }
    const queueMs = ctx.faults.queueDelayMs(now);
    if (queueMs < 0) return this.reject('2003', 'hub prepare queue is full');
    const amount = t.amount.amount;
    const record: TransferRecord = {
      transferId: t.transferId,
      payerFsp: t.payerFsp,
      payeeFsp: t.payeeFsp,
      amount,
      currency: t.amount.currency,
      units: FSPIOP_AMOUNT.test(amount) ? amountUnits(amount) : -1n,
      condition: t.condition,
      expiration: t.expiration,
      expirationMs: Date.parse(t.expiration),
      api: h.api,
      state: 'RECEIVED',
      reserved: false,
      prepareHash: hash,
      createdAtMs: now,
    };
    ctx.ledger.add(record);
    armExpiry(ctx.scheduler, record, this.onExpire);
    ctx.scheduler.after(ctx.faults.delayMs('prepare', now) + queueMs, this.prepare, { record, req });
    return EMPTY_202;
  }

  private reject(code: string, detail: string): SimResponse {
    this.ctx.ledger.countSyncRejection(code);
    return bad(code, detail);
  }

  private rejectWith(e: FspiopError): SimResponse {
    this.ctx.ledger.countSyncRejection(e.code);
    return e.response();
  }

  private onDuplicatePrepare(existing: TransferRecord, hash: string, req: SimRequest): void {
    const c = this.ctx.ledger.counters.duplicatePrepare;
    const action = prepareDuplicateAction(existing, hash);
    const source = header(req, 'fspiop-source') ?? existing.payerFsp;
    if (action === 'ignore') {
      c.ignored++;
    } else if (action === 'resend') {
      c.resent++;
      this.ctx.scheduler.defer(() => this.sendState(existing, source, 'payer', traceOf(req)), undefined);
    } else {
      c.modified++;
      this.ctx.scheduler.defer(
        () =>
          this.sendError(
            existing.transferId,
            existing.api,
            source,
            'payer',
            {
              errorCode: '3106',
              errorDescription: errorDescription(
                '3106',
                `transfer ${existing.transferId} was sent before with a different body`,
              ),
            },
            traceOf(req),
          ),
        undefined,
      );
    }
  }

  private readonly prepare = ({ record, req }: PrepareTask): void => {
    const ctx = this.ctx;
    if (record.state !== 'RECEIVED' || ctx.ledger.get(record.transferId) !== record) return;
    const now = Date.now();
    const reasons: string[] = [];
    const source = header(req, 'fspiop-source');
    if (source !== record.payerFsp)
      reasons.push(`FSPIOP-Source ${source} does not match payerFsp ${record.payerFsp}`);
    const payer = ctx.participants.get(record.payerFsp);
    const payee = ctx.participants.get(record.payeeFsp);
    if (!payer) reasons.push(`payer participant ${record.payerFsp} not found`);
    else if (!payer.active) reasons.push(`payer participant ${record.payerFsp} is inactive`);
    if (!payee) reasons.push(`payee participant ${record.payeeFsp} not found`);
    else if (!payee.active) reasons.push(`payee participant ${record.payeeFsp} is inactive`);
    if (record.units < 0n) reasons.push(`amount ${record.amount} is not an FSPIOP amount`);
    else if (record.amount.replace('.', '').replace(/^0+/, '').length > AMOUNT_PRECISION) {
      reasons.push(`amount ${record.amount} exceeds precision ${AMOUNT_PRECISION}`);
    }
    if (base64Decode(record.condition)?.length !== 32) reasons.push('condition is not 32 bytes of base64url');
    if (!Number.isFinite(record.expirationMs)) reasons.push(`expiration ${record.expiration} is not a date`);
    else if (record.expirationMs <= now)
      reasons.push(`expiration ${record.expiration} is already in the past`);
    if (record.payerFsp === record.payeeFsp && !ctx.options.onUsTransfers) {
      reasons.push('payer and payee FSP are the same (on-us transfers are disabled)');
    }
    const payerAccount = payer?.accounts.get(record.currency);
    if (payer && !payerAccount) reasons.push(`payer ${record.payerFsp} has no ${record.currency} account`);
    if (payee && !payee.accounts.get(record.currency))
      reasons.push(`payee ${record.payeeFsp} has no ${record.currency} account`);
    if (reasons.length > 0) {
      // Sent to the requester (FSPIOP-Source): the payerFsp of the body may not even exist.
      this.abort(record, '3100', reasons.join('; '), {
        to: source ?? record.payerFsp,
        payee: false,
        cause: traceOf(req),
      });
      return;
    }
    const injected = ctx.faults.injectedError('hub');
    if (injected) {
      this.abort(record, injected, 'injected fault', { payee: false, cause: traceOf(req) });
      return;
    }
    const acc = payerAccount!;
    const next = acc.position + record.units;
    if (next > acc.liquidity) {
      this.abort(record, '4001', `position ${record.currency} would exceed the liquidity cover`, {
        payee: false,
        cause: traceOf(req),
      });
      return;
    }
    if (next > acc.ndc) {
      this.abort(record, '4200', `position ${record.currency} would exceed the net debit cap`, {
        payee: false,
        cause: traceOf(req),
      });
      return;
    }
    acc.position = next;
    record.reserved = true;
    record.state = 'RESERVED';
    const hop: Hop = {
      destination: record.payeeFsp,
      uri: '/transfers',
      method: 'POST',
      stage: 'timeApiPrepare',
    };
    ctx.deliver(
      record.payeeFsp,
      'POST',
      '/transfers',
      forwardHeaders(req, hop, ctx.trace, now),
      req.body,
      'payee',
    );
  };

  // ---------------------------------------------------------------- PUT /transfers/{ID}

  put(req: SimRequest, h: CheckedHeaders, id: string): SimResponse {
    const parsed = parseJson(req.body);
    if (!parsed.ok) return this.reject('3101', `body is not valid JSON: ${parsed.error}`);
    const body = parsed.value;
    const hash = bodyHash(body);
    let view: StatusView | undefined;
    if (h.api === 'iso20022') {
      const err = validateIsoBody('PacsStatus_FIToFIPaymentStatusReportV15', body);
      if (err) return this.rejectWith(err);
      view = statusFromIso(body);
      if (!view) return this.reject('3102', 'TxInfAndSts.TxSts is missing');
    } else {
      const err = validateFspiopBody('TransfersIDPutResponse', body);
      if (err) return this.rejectWith(err);
      view = body as StatusView;
    }
    if (view.completedTimestamp !== undefined) {
      const now = Date.now();
      const ts = Date.parse(view.completedTimestamp);
      if (Number.isNaN(ts))
        return this.reject('3100', `completedTimestamp ${view.completedTimestamp} is not a date`);
      if (ts > now + MAX_CALLBACK_LAG_AHEAD_MS) {
        return this.reject(
          '3100',
          `completedTimestamp ${view.completedTimestamp} is more than ${MAX_CALLBACK_LAG_AHEAD_MS} ms in the future`,
        );
      }
      if (ts < now - MAX_FULFIL_AGE_MS) {
        return this.reject(
          '3100',
          `completedTimestamp ${view.completedTimestamp} is more than ${MAX_FULFIL_AGE_MS / 1000} s old`,
        );
      }
    }
    if (view.transferState === 'RESERVED' && h.api === 'fspiop' && h.version === '1.0') {
      // The reference hub drops it silently; the transfer later times out.
      this.ctx.ledger.counters.reservedV10Dropped++;
      return EMPTY_200;
    }
    const task: FulfilTask = { id, api: h.api, req, view, hash, version: h.version };
    this.ctx.scheduler.after(this.ctx.faults.delayMs('fulfil', Date.now()), this.fulfil, task);
    return EMPTY_200;
  }

  /**
   * The ledger record of a callback's transfer; for an unknown transfer the sender gets 2001
   * "transfer not found" (central-ledger's answer) and undefined is returned.
   */
  private recordOr2001(id: string, api: Api, source: string, cause: Cause): TransferRecord | undefined {
    const record = this.ctx.ledger.get(id);
    if (record) return record;
    this.ctx.ledger.counters.unknownTransferCallbacks++;
    this.sendError(
      id,
      api,
      source,
      'other',
      { errorCode: '2001', errorDescription: errorDescription('2001', `transfer ${id} not found`) },
      cause,
    );
    return undefined;
  }

  private readonly fulfil = (task: FulfilTask): void => {
    const ctx = this.ctx;
    const { id, req, view } = task;
    const source = header(req, 'fspiop-source') ?? '';
    const cause = traceOf(req);
    const record = this.recordOr2001(id, task.api, source, cause);
    if (!record) return;
    const destination = header(req, 'fspiop-destination') ?? '';
    if (
      source.toLowerCase() !== record.payeeFsp.toLowerCase() ||
      destination.toLowerCase() !== record.payerFsp.toLowerCase()
    ) {
      const detail = `FSPIOP-Source ${source} / FSPIOP-Destination ${destination} do not match payee ${record.payeeFsp} / payer ${record.payerFsp}`;
      if (record.state === 'RECEIVED' || record.state === 'RESERVED') {
        this.abort(record, '3100', detail, { payee: false, cause });
      }
      this.sendError(
        id,
        record.api,
        source,
        'other',
        { errorCode: '3100', errorDescription: errorDescription('3100', detail) },
        cause,
      );
      return;
    }
    const dup = fulfilDuplicateAction(record, task.hash);
    if (dup) {
      const c = ctx.ledger.counters.duplicateFulfil;
      if (dup === 'ignore') c.ignored++;
      else if (dup === 'resend') {
        c.resent++;
        this.sendState(record, record.payeeFsp, 'payee', cause);
      } else {
        c.modified++;
        this.sendError(
          id,
          record.api,
          record.payeeFsp,
          'payee',
          {
            errorCode: '3106',
            errorDescription: errorDescription(
              '3106',
              `fulfil for transfer ${id} was sent before with a different body`,
            ),
          },
          cause,
        );
      }
      return;
    }
    record.fulfilHash = task.hash;
    if (view.transferState === 'ABORTED') {
      // REJECT is "not allowed into the fulfil handler": logged, nothing else; the transfer times out.
      ctx.ledger.counters.rejectIgnored++;
      return;
    }
    const reserve = view.transferState === 'RESERVED';
    const condition = view.fulfilment === undefined ? undefined : conditionOf(view.fulfilment);
    if (condition !== record.condition) {
      const detail = view.fulfilment === undefined ? 'fulfilment is missing' : 'invalid fulfilment';
      if (record.state === 'RESERVED') {
        this.abort(record, '3100', detail, { payee: true, reservePatch: reserve, cause });
      } else {
        this.sendError(
          id,
          record.api,
          record.payeeFsp,
          'payee',
          { errorCode: '3100', errorDescription: errorDescription('3100', detail) },
          cause,
        );
      }
      return;
    }
    if (record.state !== 'RESERVED') {
      this.sendError(
        id,
        record.api,
        record.payeeFsp,
        'payee',
        {
          errorCode: '3100',
          errorDescription: errorDescription('3100', `transfer is ${record.state}, not RESERVED`),
        },
        cause,
      );
      return;
    }
    const now = Date.now();
    if (now > record.expirationMs) {
      this.onExpire(record);
      return;
    }
    this.commit(record, view, req, reserve, now);
  };

  private commit(
    record: TransferRecord,
    view: StatusView,
    req: SimRequest,
    reserve: boolean,
    now: number,
  ): void {
    const ctx = this.ctx;
    disarmExpiry(ctx.scheduler, record);
    const payeeAccount = ctx.participants.get(record.payeeFsp)?.accounts.get(record.currency);
    if (payeeAccount) payeeAccount.position -= record.units;
    record.reserved = false;
    record.fulfilment = view.fulfilment;
    record.completedTimestamp = view.completedTimestamp ?? new Date(now).toISOString();
    record.reserveNotification = reserve;
    ctx.ledger.finish(record, 'COMMITTED', now);
    const uri = `/transfers/${record.transferId}`;
    const cause = traceOf(req);
    if (!reserve) {
      this.forwardToPayer(record, uri, req, now);
      if (ctx.options.sendConfirmationToPayee) {
        const headers = hubHeaders(
          { destination: record.payeeFsp, uri, method: 'PUT', stage: 'timeApiFulfil' },
          {
            hubName: ctx.options.hubName,
            contentType: ctx.hubContentType('transfers', record.api === 'iso20022'),
            cause,
          },
          ctx.trace,
          now,
        );
        ctx.deliver(record.payeeFsp, 'PUT', uri, headers, req.body, 'payee');
      }
      return;
    }
    this.sendState(record, record.payerFsp, 'payer', cause);
    const patchBody =
      record.api === 'iso20022'
        ? isoPatchBody(now, record.completedTimestamp, 'COMMITTED')
        : JSON.stringify({ completedTimestamp: record.completedTimestamp, transferState: 'COMMITTED' });
    const headers = hubHeaders(
      { destination: record.payeeFsp, uri, method: 'PATCH', stage: 'timeApiFulfil' },
      {
        hubName: ctx.options.hubName,
        contentType: ctx.hubContentType('transfers', record.api === 'iso20022'),
        cause,
      },
      ctx.trace,
      now,
    );
    ctx.deliver(record.payeeFsp, 'PATCH', uri, headers, patchBody, 'payee');
  }

  // ---------------------------------------------------------------- PUT /transfers/{ID}/error

  putError(req: SimRequest, h: CheckedHeaders, id: string): SimResponse {
    const parsed = parseJson(req.body);
    if (!parsed.ok) return this.reject('3101', `body is not valid JSON: ${parsed.error}`);
    const body = parsed.value;
    let info: { errorCode: string; errorDescription: string } | undefined;
    if (h.api === 'iso20022') {
      const err = validateIsoBody('PacsError_FIToFIPaymentStatusReportV15', body);
      if (err) return this.rejectWith(err);
      info = errorFromIso(body);
      if (!info)
        return this.reject('3102', 'TxInfAndSts.StsRsnInf.Rsn: expected the error code in Prtry or Cd');
    } else {
      const err = validateFspiopBody('ErrorInformationObject', body);
      if (err) return this.rejectWith(err);
      const ei = (body as { errorInformation: { errorCode: string; errorDescription: string } })
        .errorInformation;
      info = { errorCode: ei.errorCode, errorDescription: ei.errorDescription };
    }
    const task: ErrorTask = { id, api: h.api, req, ...info };
    this.ctx.scheduler.after(this.ctx.faults.delayMs('fulfil', Date.now()), this.transferError, task);
    return EMPTY_200;
  }

  private readonly transferError = (task: ErrorTask): void => {
    const ctx = this.ctx;
    const { id, req } = task;
    const source = header(req, 'fspiop-source') ?? '';
    const cause = traceOf(req);
    const record = this.recordOr2001(id, task.api, source, cause);
    if (!record) return;
    if (source.toLowerCase() !== record.payeeFsp.toLowerCase()) {
      this.sendError(
        id,
        record.api,
        source,
        'other',
        {
          errorCode: '3100',
          errorDescription: errorDescription(
            '3100',
            `only the payee ${record.payeeFsp} may abort transfer ${id}`,
          ),
        },
        cause,
      );
      return;
    }
    if (record.state === 'COMMITTED' || record.state === 'ABORTED') {
      ctx.ledger.counters.lateErrors++;
      return;
    }
    let code = task.errorCode;
    let description = task.errorDescription;
    const replaced = !isSpecErrorCode(code);
    if (replaced) {
      code = '3100';
      description = errorDescription('3100', 'API specification undefined errorCode');
    }
    const now = Date.now();
    this.release(record);
    ctx.ledger.finish(record, 'ABORTED', now, code, description);
    const uri = `/transfers/${id}/error`;
    if (replaced) {
      this.sendError(
        id,
        record.api,
        record.payerFsp,
        'payer',
        { errorCode: code, errorDescription: description },
        cause,
      );
    } else {
      this.forwardToPayer(record, uri, req, now);
    }
    if (ctx.options.sendConfirmationToPayee) {
      this.sendError(
        id,
        record.api,
        record.payeeFsp,
        'payee',
        { errorCode: code, errorDescription: description },
        cause,
      );
    }
  };

  // ---------------------------------------------------------------- GET /transfers/{ID}

  get(req: SimRequest, h: CheckedHeaders, id: string): SimResponse {
    const task: QueryTask = { id, api: h.api, req };
    this.ctx.scheduler.after(this.ctx.faults.delayMs('lookup', Date.now()), this.query, task);
    return EMPTY_202;
  }

  private readonly query = (task: QueryTask): void => {
    const source = header(task.req, 'fspiop-source') ?? '';
    const record = this.ctx.ledger.get(task.id);
    const cause = traceOf(task.req);
    if (!record) {
      this.sendError(
        task.id,
        task.api,
        source,
        'other',
        { errorCode: '3208', errorDescription: errorDescription('3208', `transfer ${task.id} not found`) },
        cause,
      );
      return;
    }
    if (source !== record.payerFsp && source !== record.payeeFsp) {
      this.sendError(
        task.id,
        record.api,
        source,
        'other',
        {
          errorCode: '3000',
          errorDescription: errorDescription(
            '3000',
            `${source} is neither payer nor payee of transfer ${task.id}`,
          ),
        },
        cause,
      );
      return;
    }
    this.sendState(record, source, source === record.payerFsp ? 'payer' : 'payee', cause);
  };

  // ---------------------------------------------------------------- expiry, abort, notifications

  /** Timeout handler: 3303 from a new trace; RECEIVED -> payer only, RESERVED -> payer and payee. */
  private readonly onExpire = (record: TransferRecord): void => {
    record.expiry = undefined;
    if (record.state !== 'RECEIVED' && record.state !== 'RESERVED') return;
    this.abort(record, '3303', undefined, { payee: record.state === 'RESERVED', cause: undefined });
  };

  private release(record: TransferRecord): void {
    disarmExpiry(this.ctx.scheduler, record);
    if (record.reserved) {
      const acc = this.ctx.participants.get(record.payerFsp)?.accounts.get(record.currency);
      if (acc) acc.position -= record.units;
      record.reserved = false;
    }
  }

  private abort(
    record: TransferRecord,
    code: string,
    detail: string | undefined,
    o: { to?: string; payee: boolean; reservePatch?: boolean; cause: Cause },
  ): void {
    const now = Date.now();
    this.release(record);
    const description = errorDescription(code, detail);
    this.ctx.ledger.finish(record, 'ABORTED', now, code, description);
    this.sendError(
      record.transferId,
      record.api,
      o.to ?? record.payerFsp,
      'payer',
      { errorCode: code, errorDescription: description },
      o.cause,
    );
    if (!o.payee) return;
    if (o.reservePatch) {
      const uri = `/transfers/${record.transferId}`;
      const completedTimestamp = new Date(now).toISOString();
      const body =
        record.api === 'iso20022'
          ? isoPatchBody(now, completedTimestamp, 'ABORTED')
          : JSON.stringify({
              completedTimestamp,
              transferState: 'ABORTED',
              extensionList: {
                extension: [{ key: 'cause', value: cutText(`${code}: ${description}`, 128) }],
              },
            });
      const headers = hubHeaders(
        { destination: record.payeeFsp, uri, method: 'PATCH', stage: 'timeApiFulfil' },
        {
          hubName: this.ctx.options.hubName,
          contentType: this.ctx.hubContentType('transfers', record.api === 'iso20022'),
          cause: o.cause,
        },
        this.ctx.trace,
        now,
      );
      this.ctx.deliver(record.payeeFsp, 'PATCH', uri, headers, body, 'payee');
    } else {
      this.sendError(
        record.transferId,
        record.api,
        record.payeeFsp,
        'payee',
        { errorCode: code, errorDescription: description },
        o.cause,
      );
    }
  }

  /** Forwards the payee's PUT /transfers/{ID} (fulfil or error) to the payer, as the hub does. */
  private forwardToPayer(record: TransferRecord, uri: string, req: SimRequest, now: number): void {
    const ctx = this.ctx;
    const hop: Hop = { destination: record.payerFsp, uri, method: 'PUT', stage: 'timeApiFulfil' };
    ctx.deliver(
      record.payerFsp,
      'PUT',
      uri,
      forwardHeaders(req, hop, ctx.trace, now),
      req.body,
      'payer',
      true,
    );
  }

  /** A Hub-originated PUT /transfers/{ID}/error. */
  private sendError(
    id: string,
    api: Api,
    to: string,
    recipient: Recipient,
    info: { errorCode: string; errorDescription: string },
    cause: Cause,
  ): void {
    const ctx = this.ctx;
    const now = Date.now();
    const uri = `/transfers/${id}/error`;
    const body =
      api === 'iso20022'
        ? isoErrorBody(now, info.errorCode, info.errorDescription)
        : JSON.stringify({
            errorInformation: { errorCode: info.errorCode, errorDescription: info.errorDescription },
          });
    const headers = hubHeaders(
      { destination: to, uri, method: 'PUT', stage: 'timeApiError' },
      {
        hubName: ctx.options.hubName,
        contentType: ctx.hubContentType('transfers', api === 'iso20022'),
        cause,
      },
      ctx.trace,
      now,
    );
    ctx.deliver(to, 'PUT', uri, headers, body, recipient, recipient === 'payer');
  }

  /** A Hub-originated PUT /transfers/{ID} with the current state (GET answer, duplicate, RESERVED commit). */
  private sendState(record: TransferRecord, to: string, recipient: Recipient, cause: Cause): void {
    const ctx = this.ctx;
    const now = Date.now();
    const uri = `/transfers/${record.transferId}`;
    const view: StatusView = { transferState: record.state };
    if (record.state === 'COMMITTED' || record.state === 'ABORTED') {
      view.completedTimestamp =
        record.completedTimestamp ?? new Date(record.completedAtMs ?? now).toISOString();
    }
    if (record.state === 'COMMITTED') view.fulfilment = record.fulfilment;
    let body: string;
    if (record.api === 'iso20022') body = isoStatusBody(now, view);
    else {
      const out: Record<string, unknown> = {};
      if (view.completedTimestamp) out.completedTimestamp = view.completedTimestamp;
      out.transferState = view.transferState;
      if (view.fulfilment) out.fulfilment = view.fulfilment;
      if (record.state === 'ABORTED' && record.errorCode) {
        out.extensionList = {
          extension: [
            {
              key: 'cause',
              value: cutText(`${record.errorCode}: ${record.errorDescription ?? ''}`, 128),
            },
          ],
        };
      }
      body = JSON.stringify(out);
    }
    const headers = hubHeaders(
      { destination: to, uri, method: 'PUT', stage: 'timeApiGet' },
      {
        hubName: ctx.options.hubName,
        contentType: ctx.hubContentType('transfers', record.api === 'iso20022'),
        cause,
      },
      ctx.trace,
      now,
    );
    ctx.deliver(to, 'PUT', uri, headers, body, recipient, recipient === 'payer');
  }
}
