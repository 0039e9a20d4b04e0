/**
 * The DFSP's synchronous outbound API in the sdk-scheme-adapter shape (docs/facts/mojaloop.md#sdk-outbound), at
 * `/dfsp/<fspId>/outbound/`:
 *
 * - `GET /parties/{Type}/{ID}[/{SubId}]` -> 200 `{party:{body, headers}, currentState:"COMPLETED"}`;
 *   an error callback -> 404 `{errorInformation, currentState:"ERROR_OCCURRED"}`.
 * - `POST /quotes` `{fspId, quotesPostRequest}` -> 200 `{quotes:{body, headers}, currentState}`.
 * - `POST /simpleTransfers` `{fspId, transfersPostRequest}` -> 200 `{transfer:{body, headers}, currentState}`.
 * - `POST /transfers` (`transferRequest`, auto-accepting party and quote) -> blocks through
 *   parties -> quote -> transfer and answers 200 `transferResponse` with `currentState:"COMPLETED"`.
 *
 * The trap the real SDK sets, reproduced on purpose: an error callback on quotes or simpleTransfers
 * also resolves the wait, so the answer is **200** with `errorInformation` inside the body. A k6
 * client must look inside. Timeouts: the thin wrappers answer 500 `{message, statusCode:"500"}`;
 * `POST /transfers` answers 504. A synchronous hub error (4xx) comes back as 500 with the hub's
 * error in `lastError.mojaloopError` (and `transferState.lastError` for POST /transfers).
 */
import { fspiopHeaders, type HeaderFactory } from '../../lib/protocol/headers.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import { FSPIOP_AMOUNT } from '../../lib/protocol/money.ts';
import { e2eTracestate } from '../../lib/protocol/trace.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { errorObject } from '../fspiop/errors.ts';
import { PARTY_ID_TYPES, unknownPartyIdType } from '../fspiop/party-id-types.ts';
import { newTraceparent } from '../fspiop/traceparent.ts';
import { isRecord, json, parseJson, type SimRequest, type SimResponse } from '../runtime/message.ts';
import type { DfspSim } from './dfsp.ts';

type Json = Record<string, unknown>;

const FSPIOP_VERSION = '1.1' as const;
const ID_TYPES = new Set(PARTY_ID_TYPES);

/**
 * A 400 for a malformed outbound request: SDK-style `{message, statusCode}` plus FSPIOP
 * errorInformation (3100, or 3101 for a body that is not JSON at all).
 */
function badRequest(message: string, code: '3100' | '3101' = '3100'): SimResponse {
  return json(400, { message, statusCode: '400', ...errorObject(code, message) });
}

/** The 400 for a body that is not JSON (or nests too deep), naming what was expected. */
function notJson(parsed: { ok: false; error: string }, expected: string): SimResponse {
  return badRequest(`body: expected ${expected} (${parsed.error})`, '3101');
}

/** Longest id or FSP id the outbound API accepts in a request (they become keys of its waits). */
const MAX_ID = 128;
const FSP_ID = /^[A-Za-z0-9._-]{1,32}$/;

interface HubAnswer {
  ok: boolean;
  /** Set when the hub refused synchronously. */
  error?: SimResponse;
}

const headerFactories = new WeakMap<DfspSim, Map<string, HeaderFactory>>();

function headersFor(
  dfsp: DfspSim,
  resource: string,
  destination: string | undefined,
  method: 'GET' | 'POST',
): HeaderFactory {
  let m = headerFactories.get(dfsp);
  if (!m) {
    m = new Map();
    headerFactories.set(dfsp, m);
  }
  const key = `${resource}|${destination ?? ''}|${method}`;
  let f = m.get(key);
  if (!f) {
    f = fspiopHeaders({
      resource,
      version: FSPIOP_VERSION,
      source: dfsp.fspId,
      destination,
      httpMethod: method,
    });
    if (m.size > 256) m.clear();
    m.set(key, f);
  }
  return f;
}

function lowerCase(h: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in h) out[k.toLowerCase()] = h[k]!;
  return out;
}

/** Sends one FSPIOP request to the hub; a non-202 answer becomes the SDK-style 500 error. */
async function toHub(
  dfsp: DfspSim,
  method: 'GET' | 'POST',
  resource: 'parties' | 'quotes' | 'transfers',
  path: string,
  destination: string | undefined,
  body: string | undefined,
  trace: { traceparent: string; tracestate: string },
  stateKey: string,
): Promise<HubAnswer> {
  const ctx = dfsp.ctx;
  const headers = lowerCase(
    headersFor(dfsp, resource, destination, method)(Date.now(), { ...trace, uri: path }),
  );
  const r = await ctx.transport.request({ method, url: ctx.hubUrls[resource] + path, headers, body });
  if (r.status === 202 || r.status === 200) return { ok: true };
  const parsed = r.body ? parseJson(r.body) : undefined;
  const info =
    parsed?.ok && isRecord(parsed.value) && isRecord(parsed.value.errorInformation)
      ? parsed.value.errorInformation
      : undefined;
  const code = typeof info?.errorCode === 'string' ? info.errorCode : r.status === 0 ? '1001' : '2001';
  const errorInformation = info ?? errorObject(code, `hub answered HTTP ${r.status}`).errorInformation;
  const lastError = { httpStatusCode: r.status, mojaloopError: { errorInformation } };
  return {
    ok: false,
    error: json(500, {
      message: String(errorInformation.errorDescription ?? 'request to the hub failed'),
      statusCode: code,
      lastError,
      [stateKey]: { currentState: 'ERROR_OCCURRED', lastError },
    }),
  };
}

interface HubCall {
  method: 'GET' | 'POST';
  resource: 'parties' | 'quotes' | 'transfers';
  path: string;
  destination: string | undefined;
  body: string | undefined;
  trace: { traceparent: string; tracestate: string };
  stateKey: string;
}

type HubCallResult = { ok: true; callback: SimRequest } | { ok: false; response: SimResponse };

/**
 * The step every outbound call repeats: register the wait for the callback keyed `key`, send the
 * FSPIOP request to the hub, and wait. A refused request cancels the wait; no callback within
 * `timeoutMs` gives the SDK-style timeout answer with HTTP `timeoutStatus`.
 */
async function callHubAndWait(
  dfsp: DfspSim,
  key: string,
  timeoutMs: number,
  call: HubCall,
  timeoutStatus: 500 | 504,
): Promise<HubCallResult> {
  const wait = dfsp.waitFor(key, timeoutMs);
  if (!wait) return { ok: false, response: BUSY };
  const sent = await toHub(
    dfsp,
    call.method,
    call.resource,
    call.path,
    call.destination,
    call.body,
    call.trace,
    call.stateKey,
  );
  if (!sent.ok) {
    wait.cancel();
    return { ok: false, response: sent.error! };
  }
  const callback = await wait.promise;
  if (!callback) return { ok: false, response: timeoutResponse(timeoutStatus, call.resource, call.stateKey) };
  return { ok: true, callback };
}

function newTrace(): { traceparent: string; tracestate: string } {
  return { traceparent: newTraceparent(), tracestate: e2eTracestate(Date.now()) };
}

function callbackBody(req: SimRequest): unknown {
  const p = parseJson(req.body);
  return p.ok ? p.value : req.body;
}

function timeoutResponse(status: 500 | 504, what: string, stateKey: string): SimResponse {
  return json(status, {
    message: `Timeout waiting for the ${what} callback`,
    statusCode: String(status),
    [stateKey]: { currentState: 'WAITING_FOR_ACTION' },
  });
}

const BUSY = json(503, {
  message: 'too many outbound requests in flight',
  statusCode: '503',
  ...errorObject('2003', 'too many outbound requests in flight'),
});

// ------------------------------------------------------------------ thin wrappers

async function getParties(dfsp: DfspSim, segs: string[]): Promise<SimResponse> {
  const path = `/parties/${segs.join('/')}`;
  const asked = await callHubAndWait(
    dfsp,
    `parties:${segs.join('/')}`,
    dfsp.ctx.options.outboundTimeoutMs,
    {
      method: 'GET',
      resource: 'parties',
      path: path,
      destination: undefined,
      body: undefined,
      trace: newTrace(),
      stateKey: 'partyState',
    },
    500,
  );
  if (!asked.ok) return asked.response;
  const cb = asked.callback;
  const body = callbackBody(cb);
  if (isRecord(body) && isRecord(body.errorInformation)) {
    return json(404, { errorInformation: body.errorInformation, currentState: 'ERROR_OCCURRED' });
  }
  const party = isRecord(body) && isRecord(body.party) ? body.party : body;
  return json(200, { party: { body: party, headers: cb.headers }, currentState: 'COMPLETED' });
}

/** A pass-through of the SDK's outbound API: `{fspId, <request>}` in, the hub's callback out. */
interface PassThrough {
  /** body field holding the FSPIOP request */
  field: 'quotesPostRequest' | 'transfersPostRequest';
  /** its id field and type name, for the error message */
  idField: 'quoteId' | 'transferId';
  typeName: string;
  resource: 'quotes' | 'transfers';
  stateKey: string;
  /** response field carrying the callback */
  resultKey: 'quotes' | 'transfer';
}

const PASS_QUOTES: PassThrough = {
  field: 'quotesPostRequest',
  idField: 'quoteId',
  typeName: 'QuotesPostRequest',
  resource: 'quotes',
  stateKey: 'quoteState',
  resultKey: 'quotes',
};

const PASS_TRANSFERS: PassThrough = {
  field: 'transfersPostRequest',
  idField: 'transferId',
  typeName: 'TransfersPostRequest',
  resource: 'transfers',
  stateKey: 'transferState',
  resultKey: 'transfer',
};

async function passThrough(dfsp: DfspSim, req: SimRequest, spec: PassThrough): Promise<SimResponse> {
  const p = parseJson(req.body);
  if (!p.ok) return notJson(p, `a JSON object {fspId, ${spec.field}}`);
  if (!isRecord(p.value)) return badRequest(`body: expected a JSON object {fspId, ${spec.field}}`);
  const fspId = p.value.fspId;
  const request = p.value[spec.field];
  if (typeof fspId !== 'string' || !FSP_ID.test(fspId))
    return badRequest('fspId: expected the payee FSP id (1..32 characters of A-Z a-z 0-9 . _ -)');
  const id = isRecord(request) ? request[spec.idField] : undefined;
  if (!isRecord(request) || typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) {
    return badRequest(
      `${spec.field}: expected a ${spec.typeName} with ${spec.idField} (1..${MAX_ID} characters)`,
    );
  }
  const asked = await callHubAndWait(
    dfsp,
    `${spec.resource}:${request[spec.idField]}`,
    dfsp.ctx.options.outboundTimeoutMs,
    {
      method: 'POST',
      resource: spec.resource,
      path: `/${spec.resource}`,
      destination: fspId,
      body: JSON.stringify(request),
      trace: newTrace(),
      stateKey: spec.stateKey,
    },
    500,
  );
  if (!asked.ok) return asked.response;
  const cb = asked.callback;
  // An error callback resolves the wait too: 200 with errorInformation in the body (the SDK's trap).
  return json(200, {
    [spec.resultKey]: { body: callbackBody(cb), headers: cb.headers },
    currentState: 'COMPLETED',
  });
}

function postQuotes(dfsp: DfspSim, req: SimRequest): Promise<SimResponse> {
  return passThrough(dfsp, req, PASS_QUOTES);
}

function postSimpleTransfers(dfsp: DfspSim, req: SimRequest): Promise<SimResponse> {
  return passThrough(dfsp, req, PASS_TRANSFERS);
}

// ------------------------------------------------------------------ POST /transfers (end to end)

interface PartyRef {
  idType: string;
  idValue: string;
  idSubValue?: string;
  fspId?: string;
  displayName?: string;
}

function partyRef(v: unknown, field: string): PartyRef | string {
  if (!isRecord(v)) return `${field}: expected {idType, idValue, ...}`;
  if (typeof v.idType !== 'string' || !ID_TYPES.has(v.idType))
    return `${field}.idType: expected one of ${PARTY_ID_TYPES.join(', ')}`;
  if (typeof v.idValue !== 'string' || v.idValue.length === 0 || v.idValue.length > 128)
    return `${field}.idValue: expected 1..128 characters`;
  const out: PartyRef = { idType: v.idType, idValue: v.idValue };
  if (v.idSubValue !== undefined) {
    if (typeof v.idSubValue !== 'string' || v.idSubValue.length === 0 || v.idSubValue.length > 128)
      return `${field}.idSubValue: expected 1..128 characters`;
    out.idSubValue = v.idSubValue;
  }
  if (v.fspId !== undefined) {
    if (typeof v.fspId !== 'string' || !FSP_ID.test(v.fspId))
      return `${field}.fspId: expected an FSP id (1..32 characters of A-Z a-z 0-9 . _ -)`;
    out.fspId = v.fspId;
  }
  if (typeof v.displayName === 'string') out.displayName = v.displayName;
  return out;
}

function fspiopParty(p: PartyRef, fspId: string | undefined): Json {
  const partyIdInfo: Json = { partyIdType: p.idType, partyIdentifier: p.idValue };
  if (p.idSubValue !== undefined) partyIdInfo.partySubIdOrType = p.idSubValue;
  if (fspId !== undefined) partyIdInfo.fspId = fspId;
  const out: Json = { partyIdInfo };
  if (p.displayName) out.name = p.displayName;
  return out;
}

function transferFailure(
  status: number,
  state: Json,
  message: string,
  errorInformation?: unknown,
): SimResponse {
  const lastError = errorInformation
    ? { httpStatusCode: status, mojaloopError: { errorInformation } }
    : undefined;
  const transferState = { ...state, currentState: 'ERROR_OCCURRED', ...(lastError ? { lastError } : {}) };
  return json(status, {
    message,
    statusCode: errorInformation ? String((errorInformation as Json).errorCode) : String(status),
    transferState,
  });
}

async function postTransfers(dfsp: DfspSim, req: SimRequest): Promise<SimResponse> {
  const p = parseJson(req.body);
  if (!p.ok) return notJson(p, 'a JSON transferRequest object');
  if (!isRecord(p.value)) return badRequest('body: expected a JSON transferRequest object');
  const r = p.value;
  if (typeof r.homeTransactionId !== 'string' || r.homeTransactionId.length === 0)
    return badRequest('homeTransactionId: expected a string');
  const from = partyRef(r.from, 'from');
  if (typeof from === 'string') return badRequest(from);
  const to = partyRef(r.to, 'to');
  if (typeof to === 'string') return badRequest(to);
  if (r.amountType !== 'SEND' && r.amountType !== 'RECEIVE')
    return badRequest('amountType: expected "SEND" or "RECEIVE"');
  if (typeof r.currency !== 'string' || !/^[A-Z]{3}$/.test(r.currency))
    return badRequest('currency: expected a 3-letter code');
  if (typeof r.amount !== 'string' || !FSPIOP_AMOUNT.test(r.amount))
    return badRequest('amount: expected an FSPIOP amount string such as "10.5"');
  if (r.transactionType !== 'TRANSFER') return badRequest('transactionType: expected "TRANSFER"');
  const ctx = dfsp.ctx;
  const timeout = ctx.options.outboundTimeoutMs;
  const now = Date.now();
  const transferId = ulid(now, 0, nodeCrypto);
  const trace = newTrace();
  const state: Json = {
    transferId,
    homeTransactionId: r.homeTransactionId,
    from: r.from,
    to: r.to,
    amountType: r.amountType,
    currency: r.currency,
    amount: r.amount,
    transactionType: r.transactionType,
  };
  if (typeof r.note === 'string') state.note = r.note;

  // 1. party lookup (auto-accepted)
  let payeeFsp = to.fspId;
  let payeeParty: Json = fspiopParty(to, payeeFsp);
  if (r.skipPartyLookup !== true) {
    const segs = [to.idType, encodeURIComponent(to.idValue)];
    if (to.idSubValue !== undefined) segs.push(encodeURIComponent(to.idSubValue));
    const key = `parties:${segs.join('/')}`;
    const asked = await callHubAndWait(
      dfsp,
      key,
      timeout,
      {
        method: 'GET',
        resource: 'parties',
        path: `/parties/${segs.join('/')}`,
        destination: undefined,
        body: undefined,
        trace: trace,
        stateKey: 'transferState',
      },
      504,
    );
    if (!asked.ok) return asked.response;
    const cb = asked.callback;
    const body = callbackBody(cb);
    if (!isRecord(body) || isRecord(body.errorInformation) || !isRecord(body.party)) {
      return transferFailure(
        500,
        state,
        'party lookup failed',
        isRecord(body) ? body.errorInformation : undefined,
      );
    }
    payeeParty = body.party;
    const info = payeeParty.partyIdInfo;
    if (isRecord(info) && typeof info.fspId === 'string') payeeFsp = info.fspId;
    state.getPartiesResponse = { body, headers: cb.headers };
    state.to = { ...to, fspId: payeeFsp };
  }
  if (!payeeFsp) return transferFailure(500, state, 'to.fspId: unknown payee FSP (no party lookup)');

  // 2. quote (auto-accepted)
  const quoteId = ulid(Date.now(), 0, nodeCrypto);
  const quoteExpiry =
    typeof r.quoteExpirySeconds === 'number' ? r.quoteExpirySeconds : ctx.options.quoteExpirySeconds;
  const quote = {
    quoteId,
    transactionId: transferId,
    payee: payeeParty,
    payer: fspiopParty(from, dfsp.fspId),
    amountType: r.amountType,
    amount: { currency: r.currency, amount: r.amount },
    transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
    expiration: new Date(Date.now() + quoteExpiry * 1000).toISOString(),
  };
  {
    const key = `quotes:${quoteId}`;
    const asked = await callHubAndWait(
      dfsp,
      key,
      timeout,
      {
        method: 'POST',
        resource: 'quotes',
        path: '/quotes',
        destination: payeeFsp,
        body: JSON.stringify(quote),
        trace: trace,
        stateKey: 'transferState',
      },
      504,
    );
    if (!asked.ok) return asked.response;
    const cb = asked.callback;
    const body = callbackBody(cb);
    if (!isRecord(body) || isRecord(body.errorInformation) || typeof body.ilpPacket !== 'string') {
      return transferFailure(500, state, 'quote failed', isRecord(body) ? body.errorInformation : undefined);
    }
    state.quoteId = quoteId;
    state.quoteResponse = { body, headers: cb.headers };
  }

  // 3. transfer
  const qBody = (state.quoteResponse as { body: Json }).body;
  const prepareExpiry =
    typeof r.prepareExpirySeconds === 'number' ? r.prepareExpirySeconds : ctx.options.transferExpirySeconds;
  const prepare = {
    transferId,
    payeeFsp,
    payerFsp: dfsp.fspId,
    amount: qBody.transferAmount,
    ilpPacket: qBody.ilpPacket,
    condition: qBody.condition,
    expiration: new Date(Date.now() + prepareExpiry * 1000).toISOString(),
  };
  const key = `transfers:${transferId}`;
  const asked = await callHubAndWait(
    dfsp,
    key,
    timeout,
    {
      method: 'POST',
      resource: 'transfers',
      path: '/transfers',
      destination: payeeFsp,
      body: JSON.stringify(prepare),
      trace: trace,
      stateKey: 'transferState',
    },
    504,
  );
  if (!asked.ok) return asked.response;
  const cb = asked.callback;
  const body = callbackBody(cb);
  if (!isRecord(body) || isRecord(body.errorInformation) || body.transferState !== 'COMMITTED') {
    return transferFailure(500, state, 'transfer failed', isRecord(body) ? body.errorInformation : undefined);
  }
  return json(200, { ...state, currentState: 'COMPLETED', fulfil: { body, headers: cb.headers } });
}

/** Routes `/dfsp/<fspId>/outbound/...`; `sub` starts at the resource (`/parties/...`). */
export function handleOutbound(
  dfsp: DfspSim,
  req: SimRequest,
  sub: string,
): SimResponse | Promise<SimResponse> {
  const segs = sub.split('/').slice(1);
  const m = req.method;
  if (
    segs[0] === 'parties' &&
    m === 'GET' &&
    segs.length >= 3 &&
    segs.length <= 4 &&
    segs.every((s) => s.length > 0 && s.length <= 3 * MAX_ID)
  ) {
    if (!ID_TYPES.has(segs[1]!)) return badRequest(unknownPartyIdType(segs[1]!));
    return getParties(dfsp, segs.slice(1));
  }
  if (segs.length === 1 && m === 'POST') {
    if (segs[0] === 'quotes') return postQuotes(dfsp, req);
    if (segs[0] === 'simpleTransfers') return postSimpleTransfers(dfsp, req);
    if (segs[0] === 'transfers') return postTransfers(dfsp, req);
  }
  return json(404, {
    message: `no outbound endpoint ${m} ${sub.slice(0, 80)}`,
    statusCode: '404',
    ...errorObject('3002', `${m} ${sub.slice(0, 80)}`),
  });
}
