/**
 * Turns what comes back for a transfer into exactly one `TransferOutcome`.
 *
 * Rules that hold everywhere here:
 * - Success is only an explicit COMMITTED (FSPIOP `transferState`, ISO `TxSts: COMM`) with no error
 *   alongside it. HTTP 200 or 202 alone never means success.
 * - Anything carrying an FSPIOP error (`errorInformation`, ISO `StsRsnInf`, an SDK `lastError`) is a
 *   rejection with its code, whatever the HTTP status or state next to it.
 * - Non-final states (RECEIVED, RESERVED, the SDK's WAITING_FOR_*) and anything that cannot be read
 *   are `unknown` with a reason; these functions never throw, whatever the input.
 *
 * Bodies may be given as text (as received) or already parsed.
 */
import type { HttpResponse } from './http.ts';
import { TRANSFER_STATE_OF_ISO } from './iso20022.ts';
import type { TransferOutcome } from './outcome.ts';
import { ERROR_CODE } from './patterns.ts';

/** The errorCode reported for an ABORTED state that carries no error code of its own. */
export const ABORTED_WITHOUT_CODE = 'ABORTED';

type Rejected = Extract<TransferOutcome, { kind: 'rejected' }>;
type Unknown = Extract<TransferOutcome, { kind: 'unknown' }>;

/** What a synchronous POST /transfers answer means: only ever accepted, rejected or unknown. */
export type PostTransferResult = { kind: 'accepted'; httpStatus: number } | Rejected | Unknown;

type Json = Record<string, unknown>;
export type Parsed = { ok: true; value: unknown } | { ok: false; reason: string };

const SNIPPET = 120;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function at(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const k of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

function snippet(text: string): string {
  const t = text.length > SNIPPET ? `${text.slice(0, SNIPPET)}...` : text;
  return JSON.stringify(t);
}

function unknown(reason: string): Unknown {
  return { kind: 'unknown', reason };
}

/** Parses body text (or passes an already-parsed value through); never throws. */
export function parseBody(body: unknown): Parsed {
  if (body === undefined || body === null) return { ok: false, reason: 'empty body' };
  if (typeof body !== 'string') return { ok: true, value: body };
  if (body.trim() === '') return { ok: false, reason: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    return { ok: false, reason: `malformed JSON body ${snippet(body)}` };
  }
}

interface ErrorFound {
  code: string;
  description?: string;
}

/** An error code as a string of four digits (numbers are accepted: some senders use them). */
function codeOf(v: unknown): string | undefined {
  const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : v;
  return typeof s === 'string' && ERROR_CODE.test(s) ? s : undefined;
}

/**
 * `{errorInformation:{errorCode, errorDescription}}`: the error, `'malformed'` when the object is
 * there but its code is not a valid FSPIOP code, or undefined when there is none.
 */
function fspiopError(v: unknown): ErrorFound | 'malformed' | undefined {
  const info = at(v, 'errorInformation');
  if (info === undefined) return undefined;
  const code = codeOf(at(info, 'errorCode'));
  if (code === undefined) return 'malformed';
  const description = at(info, 'errorDescription');
  return typeof description === 'string' ? { code, description } : { code };
}

/** The code in an `extensionList` member `cause` = `"<code>: <description>"` (hub RESERVED_ABORTED). */
function causeOf(v: unknown): ErrorFound | undefined {
  const ext = at(v, 'extensionList', 'extension');
  if (!Array.isArray(ext)) return undefined;
  for (const e of ext) {
    if (at(e, 'key') !== 'cause') continue;
    const value = at(e, 'value');
    if (typeof value !== 'string') continue;
    const m = /^([1-9]\d{3})(?::\s*(.*))?$/s.exec(value.trim());
    if (m) return m[2] ? { code: m[1]!, description: m[2] } : { code: m[1]! };
  }
  return undefined;
}

function rejected(stage: 'sync' | 'async', e: ErrorFound, httpStatus?: number): Rejected {
  const out: Rejected = { kind: 'rejected', stage, errorCode: e.code };
  if (e.description !== undefined) out.errorDescription = e.description;
  if (httpStatus !== undefined) out.httpStatus = httpStatus;
  return out;
}

/** Outcome of an FSPIOP `transferState` value (with the object it came in, for abort causes). */
function fromTransferState(
  state: unknown,
  holder: unknown,
  stage: 'sync' | 'async',
  httpStatus?: number,
): TransferOutcome {
  switch (state) {
    case 'COMMITTED':
      return { kind: 'committed', transferState: 'COMMITTED' };
    case 'ABORTED':
      return rejected(stage, causeOf(holder) ?? { code: ABORTED_WITHOUT_CODE }, httpStatus);
    case 'RESERVED':
    case 'RECEIVED':
      return unknown(`transfer state ${state} is not final`);
    case undefined:
      return unknown('no transferState in the body');
    default:
      return unknown(`unknown transferState ${snippet(String(state))}`);
  }
}

/** FSPIOP PUT /transfers/{ID} body (payer side). */
function fspiopPut(v: unknown): TransferOutcome {
  const err = fspiopError(v);
  if (err === 'malformed') return unknown('errorInformation without a valid errorCode');
  if (err) return rejected('async', err);
  return fromTransferState(at(v, 'transferState'), v, 'async');
}

/** FSPIOP PUT /transfers/{ID}/error body. */
function fspiopError_(v: unknown): TransferOutcome {
  const err = fspiopError(v);
  if (err === 'malformed') return unknown('errorInformation without a valid errorCode');
  if (err) return rejected('async', err);
  return unknown('error callback without errorInformation');
}

/**
 * The reason of an ISO `TxInfAndSts.StsRsnInf`: an error when `Rsn.Prtry` or `Rsn.Cd` is an FSPIOP
 * error code (with `AddtlInf` as its description); `'informational'` when there is a reason without
 * one (the Testing Toolkit sends `Rsn.Prtry: "COMM"` on success: a reason, not an error); undefined
 * when there is none. ISO allows a status reason with any status.
 */
function isoReason(txInf: unknown): ErrorFound | 'informational' | undefined {
  const reason = at(txInf, 'StsRsnInf');
  if (reason === undefined) return undefined;
  const code = codeOf(at(reason, 'Rsn', 'Prtry')) ?? codeOf(at(reason, 'Rsn', 'Cd'));
  if (code === undefined) return 'informational';
  const info = at(reason, 'AddtlInf');
  return typeof info === 'string' ? { code, description: info } : { code };
}

/**
 * ISO pacs.002 status or PacsError body. `TxSts` (COMM, RESV, RECV, ABOR in Mojaloop's mapping)
 * decides, unless a reason carries an FSPIOP error code: then it is a rejection with that code.
 */
function isoCallback(v: unknown, errorPath: boolean): TransferOutcome {
  const txInf = at(v, 'TxInfAndSts');
  if (!isRecord(txInf)) return unknown('ISO body without TxInfAndSts');
  const reason = isoReason(txInf);
  if (reason !== undefined && reason !== 'informational') return rejected('async', reason);
  const sts = txInf.TxSts;
  // Older transformer versions put the error code itself into TxSts on error callbacks.
  const stsCode = codeOf(sts);
  if (stsCode) return rejected('async', { code: stsCode });
  if (errorPath) {
    return unknown(
      reason === 'informational'
        ? 'StsRsnInf without a valid error code'
        : 'ISO error callback without StsRsnInf',
    );
  }
  if (sts === undefined) return unknown('no TxSts in TxInfAndSts');
  const state =
    typeof sts === 'string' ? TRANSFER_STATE_OF_ISO[sts as keyof typeof TRANSFER_STATE_OF_ISO] : undefined;
  if (state === undefined) return unknown(`unknown TxSts ${snippet(String(sts))}`);
  return fromTransferState(state, undefined, 'async');
}

/**
 * A transfer callback the payer received: `PUT /transfers/{ID}` (`errorPath` false) or
 * `PUT /transfers/{ID}/error` (`errorPath` true), FSPIOP or ISO 20022 (recognised by shape).
 */
export function interpretTransferCallback(body: unknown, errorPath = false): TransferOutcome {
  const parsed = parseBody(body);
  if (!parsed.ok) return unknown(parsed.reason);
  const v = parsed.value;
  if (!isRecord(v)) return unknown(`body is not a JSON object: ${snippet(JSON.stringify(v) ?? String(v))}`);
  if ('TxInfAndSts' in v || 'GrpHdr' in v) return isoCallback(v, errorPath);
  return errorPath ? fspiopError_(v) : fspiopPut(v);
}

/**
 * The text of an error answer that carries no FSPIOP `errorInformation`: what frameworks put there
 * (`message`, `error`, `errorDescription`, `detail`, `title`; the SDK answers
 * `{"message":"must match pattern …","statusCode":400}`), else the start of the body; at most 200
 * characters. Undefined for an empty body.
 */
export function errorTextOf(body: string | null | undefined): string | undefined {
  if (body === null) return undefined;
  if (body === undefined || body.trim() === '') return undefined;
  const parsed = parseBody(body);
  if (parsed.ok && isRecord(parsed.value)) {
    for (const k of ['message', 'error', 'errorDescription', 'detail', 'title']) {
      const v = parsed.value[k];
      if (typeof v === 'string' && v.trim() !== '') return v.trim().slice(0, 200);
      if (isRecord(v) && typeof v.message === 'string') return v.message.trim().slice(0, 200);
    }
  }
  return body.trim().slice(0, 200);
}

function transportFailure(res: HttpResponse): Unknown {
  return unknown(`no HTTP response: ${res.error ?? 'connection failed'}`);
}

/** An FSPIOP or ISO error in a synchronous error body, if any. */
function syncError(v: unknown): ErrorFound | 'malformed' | undefined {
  const f = fspiopError(v);
  if (f !== undefined) return f;
  const iso = isoReason(at(v, 'TxInfAndSts'));
  // a status reason in an error answer that names no FSPIOP error code cannot say which error
  return iso === 'informational' ? 'malformed' : iso;
}

/**
 * The hub's synchronous answer to POST /transfers: 202 is *accepted*, nothing more; an error status
 * with an FSPIOP error body (the hub uses 4xx and, for 1xxx/2xxx codes, 5xx) is a synchronous
 * rejection with that code; everything else (no response, other statuses, unreadable error bodies)
 * is unknown.
 */
export function interpretPostTransferResponse(res: HttpResponse): PostTransferResult {
  if (res.status === 0) return transportFailure(res);
  if (res.status === 202) return { kind: 'accepted', httpStatus: 202 };
  if (res.status >= 400 && res.status <= 599) {
    const parsed = parseBody(res.body);
    if (!parsed.ok) return unknown(`HTTP ${res.status} with ${parsed.reason}`);
    const err = syncError(parsed.value);
    if (err === 'malformed') return unknown(`HTTP ${res.status}: errorInformation without a valid errorCode`);
    if (err) return rejected('sync', err, res.status);
    return unknown(`HTTP ${res.status} without errorInformation`);
  }
  return unknown(`HTTP ${res.status} where 202 was expected`);
}

/** Where the FSPIOP transfer body sits in the SDK outbound responses. */
function outboundTransferBody(v: Json): unknown {
  return at(v, 'fulfil', 'body') ?? at(v, 'transfer', 'body') ?? v.fulfil ?? at(v, 'transfer');
}

/** The FSPIOP error an SDK error response wraps (`transferState.lastError.mojaloopError`, ...). */
function outboundError(v: Json): ErrorFound | 'malformed' | undefined {
  const candidates: unknown[] = [
    v,
    at(v, 'transferState', 'lastError', 'mojaloopError'),
    at(v, 'lastError', 'mojaloopError'),
    at(v, 'transfer', 'body'),
    at(v, 'fulfil', 'body'),
  ];
  for (const c of candidates) {
    const e = fspiopError(c);
    if (e !== undefined) return e;
  }
  return undefined;
}

/**
 * A synchronous answer of the DFSP outbound API (sdk-scheme-adapter): `POST /transfers`
 * (`transferResponse`), `PUT /transfers/{ID}` (acceptance), `GET /transfers/{ID}` and
 * `POST /simpleTransfers` (`{transfer:{body}}`). Committed only with HTTP 200, no error anywhere
 * and a transfer body in state COMMITTED. The whole answer is synchronous, so rejections here
 * have stage `sync`; a 504 without an FSPIOP error is the SDK's own timeout.
 */
export function interpretOutboundTransferResponse(res: HttpResponse): TransferOutcome {
  return outboundTransferOutcome(res, parseBody(res.body));
}

/** As `interpretOutboundTransferResponse`, for a caller that already parsed the body (`parseBody(res.body)`). */
export function outboundTransferOutcome(res: HttpResponse, parsed: Parsed): TransferOutcome {
  if (res.status === 0) return transportFailure(res);
  if (!parsed.ok) return unknown(`HTTP ${res.status} with ${parsed.reason}`);
  const v = parsed.value;
  if (!isRecord(v)) return unknown(`HTTP ${res.status}: body is not a JSON object`);
  const err = outboundError(v);
  if (err === 'malformed') return unknown(`HTTP ${res.status}: errorInformation without a valid errorCode`);
  if (err) return rejected('sync', err, res.status);
  if (res.status !== 200) {
    const code = codeOf(v.statusCode);
    if (code)
      return rejected(
        'sync',
        typeof v.message === 'string' ? { code, description: v.message } : { code },
        res.status,
      );
    if (res.status === 504) return { kind: 'timeout', waitedMs: res.durationMs };
    return unknown(`HTTP ${res.status} from the outbound API without an FSPIOP error`);
  }
  const current = v.currentState;
  if (current === 'ERROR_OCCURRED' || current === 'ERRORED') {
    return unknown(`outbound currentState ${current} without an FSPIOP error`);
  }
  if (typeof current === 'string' && current.startsWith('WAITING_FOR_')) {
    return unknown(`outbound currentState ${current} is not final`);
  }
  const transfer = outboundTransferBody(v);
  if (!isRecord(transfer)) {
    return unknown(`HTTP 200 without a transfer body (currentState ${snippet(String(current))})`);
  }
  return fromTransferState(transfer.transferState, transfer, 'sync', res.status);
}

/** Result of an intermediate phase (parties, quotes) of the end-to-end flows. */
export type PhaseResult<T> = { ok: true; value: T } | { ok: false; outcome: TransferOutcome };

function phaseFailure<T>(outcome: TransferOutcome): PhaseResult<T> {
  return { ok: false, outcome };
}

/**
 * An FSPIOP quote or party callback (`PUT /quotes/{ID}`, `PUT /parties/...` and their `/error`),
 * checked for the element the next phase needs (`required`: `ilpPacket` for quotes, `party` for
 * parties). Errors become rejections with their code (stage `async`).
 */
export function interpretPhaseCallback(
  body: unknown,
  required: 'ilpPacket' | 'party',
  errorPath = false,
): PhaseResult<Json> {
  const parsed = parseBody(body);
  if (!parsed.ok) return phaseFailure(unknown(parsed.reason));
  const v = parsed.value;
  if (!isRecord(v)) return phaseFailure(unknown('body is not a JSON object'));
  const err = fspiopError(v);
  if (err === 'malformed') return phaseFailure(unknown('errorInformation without a valid errorCode'));
  if (err) return phaseFailure(rejected('async', err));
  if (errorPath) return phaseFailure(unknown('error callback without errorInformation'));
  if (v[required] === undefined) return phaseFailure(unknown(`callback without ${required}`));
  return { ok: true, value: v };
}

/**
 * A synchronous answer of the DFSP outbound API for `GET /parties/...` (`{party:{body}}`) or
 * `POST /quotes` (`{quotes:{body}}`): the inner FSPIOP body, or the failure. A 200 whose inner body
 * carries `errorInformation` is a failure (the SDK resolves error callbacks as 200).
 */
export function interpretOutboundPhaseResponse(
  res: HttpResponse,
  phase: 'parties' | 'quotes',
): PhaseResult<Json> {
  if (res.status === 0) return phaseFailure(transportFailure(res));
  const parsed = parseBody(res.body);
  if (!parsed.ok) return phaseFailure(unknown(`HTTP ${res.status} with ${parsed.reason}`));
  const v = parsed.value;
  if (!isRecord(v)) return phaseFailure(unknown(`HTTP ${res.status}: body is not a JSON object`));
  const key = phase === 'parties' ? 'party' : 'quotes';
  const inner = at(v, key, 'body');
  for (const c of [v, inner, at(v, 'lastError', 'mojaloopError'), at(v, key, 'lastError', 'mojaloopError')]) {
    const e = fspiopError(c);
    if (e === 'malformed')
      return phaseFailure(unknown(`HTTP ${res.status}: errorInformation without a valid errorCode`));
    if (e) return phaseFailure(rejected('sync', e, res.status));
  }
  if (res.status !== 200) {
    const code = codeOf(v.statusCode);
    if (code) return phaseFailure(rejected('sync', { code }, res.status));
    if (res.status === 504) return phaseFailure({ kind: 'timeout', waitedMs: res.durationMs });
    return phaseFailure(unknown(`HTTP ${res.status} from the outbound API without an FSPIOP error`));
  }
  const required = phase === 'parties' ? 'party' : 'ilpPacket';
  // The party wrapper is `{party:{body:{party:{...}}}}` or, in older SDKs, `{party:{body:Party}}`.
  if (!isRecord(inner)) return phaseFailure(unknown(`HTTP 200 without ${key}.body`));
  if (phase === 'quotes' && inner[required] === undefined)
    return phaseFailure(unknown('quote without ilpPacket'));
  if (phase === 'parties' && !isRecord(inner.party) && !isRecord(inner.partyIdInfo)) {
    return phaseFailure(unknown('party response without a party'));
  }
  return { ok: true, value: inner };
}
