/**
 * The callback relay's wire contract and its sans-IO client: how k6 (and the Node driver) learn the
 * outcome of transfers whose callbacks went to the payer DFSP simulator. k6 cannot receive HTTP
 * callbacks, so the payer simulator keeps each transfer's first final outcome and serves it:
 *
 * - collect: `GET <relay>/outcomes?runner=<n>&cursor=<c>&max=<m>[&waitMs=<w>]` returns the outcomes
 *   of runner `n` after cursor `c`; passing the returned cursor next time acknowledges them. With
 *   `waitMs` the call waits up to that long when nothing is pending (long-poll). The cursor
 *   `served` acknowledges everything the relay has handed out so far: teardown's drain after an
 *   early stop uses it to go on from where the (stopped) collector was, without knowing its cursor.
 * - wait: `GET <relay>/wait/<transferId>?timeoutMs=<t>` long-polls one transfer: 200 + outcome, or 204.
 * - phase wait: `GET <relay>/phase/<parties|quotes>/<key>?timeoutMs=<t>` long-polls the payer's
 *   PUT /parties/<key> or PUT /quotes/<key> callback (or its /error) for the end-to-end flow: 200 +
 *   `{phase, key, body, errorPath, arrivedAtMs}`, or 204. Callbacks for the same key are handed out
 *   first-come first-served, one per wait (two lookups of the same party get one callback each).
 * - stats: `GET <relay>/stats`.
 *
 * Outcomes are partitioned by `runnerOfId(transferId)` (lib/protocol/ids.ts). Errors arrive on the
 * same channel as commits, as `state: "ABORTED"` with the FSPIOP error code.
 *
 * Credentials: a relay started with a shared secret (the simulator's `--auth-token`) answers 401
 * without `Authorization: Bearer <credential>`. A runner sends its **runner credential**,
 * `r<n>.<base64url(HMAC-SHA256(secret, "mojaloop-k6 relay runner <n>"))>` ({@link
 * relayRunnerCredential}): it collects and waits only for runner `n`'s outcomes, so one runner (or
 * a stray client) can never acknowledge another's. The secret itself is the operator's credential.
 *
 * Everything here runs in k6 too: no Node APIs, no URL class; the `interpret*` functions never throw.
 */

import { base64UrlEncode, utf8Encode } from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';
import type { HttpRequest, HttpResponse } from './http.ts';
import { idTimeMs } from './ids.ts';
import { ABORTED_WITHOUT_CODE } from './interpret.ts';
import type { TransferOutcome } from './outcome.ts';

/** Final transfer states the relay delivers (non-final callbacks such as RESERVED are only counted). */
export type RelayState = 'COMMITTED' | 'ABORTED';

export interface RelayOutcome {
  transferId: string;
  state: RelayState;
  /** FSPIOP error code of an error callback (ABORTED). */
  errorCode?: string;
  errorDescription?: string;
  /** Send instant, ms: `tx_end2end_start_ts` of tracestate, else the ULID time; absent when neither exists. */
  sentAtMs?: number;
  /** When the payer simulator received the callback, ms. */
  arrivedAtMs: number;
  /** Runner partition (`runnerOfId(transferId)`; 0 for ids that carry none). */
  runner: number;
}

export interface RelayBatch {
  /** Opaque; pass it back on the next collect to acknowledge this batch. */
  cursor: string;
  outcomes: RelayOutcome[];
  /** Cumulative count of this runner's outcomes evicted (TTL or cap) before they were read. */
  evicted: number;
  /** Cumulative count of this runner's callbacks that arrived after the transfer's first final outcome. */
  duplicates: number;
}

export interface RelayCounts {
  /** First final outcomes received. */
  received: number;
  /** Outcomes acknowledged by a collect cursor or returned by a wait. */
  delivered: number;
  /** Outcomes evicted before delivery. */
  evictedUnread: number;
  /** Callbacks after the first final outcome of a transfer. */
  duplicates: number;
  /** Outcomes received, not yet delivered nor evicted. */
  pending: number;
}

export interface RelayPhaseCounts {
  /** Party and quote callbacks received. */
  received: number;
  /** Handed to a phase wait. */
  delivered: number;
  /** Evicted (TTL or cap) before any wait took them. */
  evictedUnread: number;
}

export interface RelayStats {
  runners: Record<string, RelayCounts>;
  totals: RelayCounts;
  phases: RelayPhaseCounts;
  /** Non-final callbacks (e.g. a RESERVED state answer), counted and not delivered. */
  interim: number;
  /** Outcomes whose transfer id carries no runner index (filed under runner 0). */
  unpartitioned: number;
  /**
   * Transfer callbacks for transfers the hub never saw (forged, or for another hub), counted and
   * not delivered. Absent from relays that cannot tell (no hub in their process).
   */
  unknownTransfers?: number;
}

/** Largest `max` a collect may ask for. */
export const RELAY_MAX_BATCH = 10_000;
/** Longest `waitMs` of a collect and `timeoutMs` of a wait. */
export const RELAY_MAX_WAIT_MS = 60_000;
/** Extra time an adapter waits beyond the relay's own wait before giving up on the HTTP call. */
const TRANSPORT_MARGIN_MS = 5_000;

export type RelayResult<T> = { ok: true; value: T } | { ok: false; error: string; status: number };

/** The callback phases of the end-to-end flow the relay keeps besides transfer outcomes. */
export type RelayPhase = 'parties' | 'quotes';

export interface RelayPhaseCallback {
  phase: RelayPhase;
  /** `<Type>/<ID>[/<SubId>]` for parties (the path after /parties/), the quoteId for quotes. */
  key: string;
  /** The callback body, parsed when it was JSON (else the text). */
  body: unknown;
  /** Whether it came to the /error path. */
  errorPath: boolean;
  arrivedAtMs: number;
}

export type RelayPhaseWaitResult =
  | { kind: 'callback'; callback: RelayPhaseCallback }
  | { kind: 'pending' }
  | { kind: 'error'; error: string; status: number };

export type RelayWaitResult =
  | { kind: 'outcome'; outcome: RelayOutcome }
  | { kind: 'pending' }
  | { kind: 'error'; error: string; status: number };

function base(relayUrl: string): string {
  return relayUrl.endsWith('/') ? relayUrl.slice(0, -1) : relayUrl;
}

function checkInt(field: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${field}: expected an integer ${min}..${max}, got ${v}`);
  }
  return v;
}

/** A runner credential: `r<runner>.<43 base64url characters>`. */
export const RELAY_RUNNER_CREDENTIAL = /^r(\d{1,4})\.([A-Za-z0-9_-]{43})$/;

/**
 * The credential runner `runner` sends to a relay that requires one (see the header): `token` as it
 * is when it already is a runner credential (a deployment that hands each runner only its own),
 * else derived from the shared secret `token`. Throws (naming the field) on a bad runner index.
 */
export function relayRunnerCredential(token: string, runner: number, crypto: CryptoProvider): string {
  checkInt('runner', runner, 0, 1023);
  if (RELAY_RUNNER_CREDENTIAL.test(token)) return token;
  const mac = crypto.hmacSha256(utf8Encode(token), utf8Encode(`mojaloop-k6 relay runner ${runner}`));
  return `r${runner}.${base64UrlEncode(mac)}`;
}

/** Request headers of a relay call: JSON, plus the credential when there is one. */
function relayHeaders(auth: string | undefined): Record<string, string> {
  return auth === undefined
    ? { Accept: 'application/json' }
    : { Accept: 'application/json', Authorization: `Bearer ${auth}` };
}

export interface CollectParams {
  runner: number;
  /** '' (or omitted) for the first call. */
  cursor?: string;
  /** Default 1000. */
  max?: number;
  /** Long-poll: wait up to this long (ms) when nothing is pending. Default 0. */
  waitMs?: number;
  /** The credential to send (`relayRunnerCredential`), for a relay that requires one. */
  auth?: string;
}

/** The collect cursor that acknowledges every outcome already handed out (see the header). */
export const RELAY_SERVED_CURSOR = 'served';

/** The collect request. Throws (naming the field) for out-of-range parameters: a caller bug. */
export function relayCollectRequest(relayUrl: string, p: CollectParams): HttpRequest {
  const runner = checkInt('runner', p.runner, 0, 1023);
  const max = checkInt('max', p.max ?? 1000, 1, RELAY_MAX_BATCH);
  const waitMs = checkInt('waitMs', p.waitMs ?? 0, 0, RELAY_MAX_WAIT_MS);
  let url = `${base(relayUrl)}/outcomes?runner=${runner}&max=${max}`;
  if (p.cursor) url += `&cursor=${encodeURIComponent(p.cursor)}`;
  if (waitMs > 0) url += `&waitMs=${waitMs}`;
  return {
    method: 'GET',
    url,
    headers: relayHeaders(p.auth),
    name: 'GET /relay/outcomes',
    timeoutMs: waitMs + TRANSPORT_MARGIN_MS,
    wantBody: true,
  };
}

/** The wait request for one transfer; `auth`: the credential of the transfer's runner. */
export function relayWaitRequest(
  relayUrl: string,
  transferId: string,
  timeoutMs: number,
  auth?: string,
): HttpRequest {
  if (typeof transferId !== 'string' || transferId.length === 0 || transferId.length > 64) {
    throw new Error(`transferId: expected 1..64 characters, got ${JSON.stringify(transferId)}`);
  }
  const t = checkInt('timeoutMs', timeoutMs, 0, RELAY_MAX_WAIT_MS);
  return {
    method: 'GET',
    url: `${base(relayUrl)}/wait/${encodeURIComponent(transferId)}?timeoutMs=${t}`,
    headers: relayHeaders(auth),
    name: 'GET /relay/wait',
    timeoutMs: t + TRANSPORT_MARGIN_MS,
    wantBody: true,
  };
}

/** The phase-wait request for a party (`key` = `<Type>/<ID>[/<SubId>]`) or quote (`key` = quoteId) callback. */
export function relayPhaseWaitRequest(
  relayUrl: string,
  phase: RelayPhase,
  key: string,
  timeoutMs: number,
  auth?: string,
): HttpRequest {
  if (phase !== 'parties' && phase !== 'quotes')
    throw new Error(`phase: expected "parties" or "quotes", got ${JSON.stringify(phase)}`);
  if (typeof key !== 'string' || key.length === 0 || key.length > 300) {
    throw new Error(`key: expected 1..300 characters, got ${JSON.stringify(key)}`);
  }
  const t = checkInt('timeoutMs', timeoutMs, 0, RELAY_MAX_WAIT_MS);
  return {
    method: 'GET',
    url: `${base(relayUrl)}/phase/${phase}/${encodeURIComponent(key)}?timeoutMs=${t}`,
    headers: relayHeaders(auth),
    name: `GET /relay/phase/${phase}`,
    timeoutMs: t + TRANSPORT_MARGIN_MS,
    wantBody: true,
  };
}

export function relayStatsRequest(relayUrl: string, auth?: string): HttpRequest {
  return {
    method: 'GET',
    url: `${base(relayUrl)}/stats`,
    headers: relayHeaders(auth),
    name: 'GET /relay/stats',
    timeoutMs: TRANSPORT_MARGIN_MS,
    wantBody: true,
  };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function parseBody(res: HttpResponse): { ok: true; value: unknown } | { ok: false; error: string } {
  if (res.body === null || res.body === '') return { ok: false, error: 'empty body' };
  try {
    return { ok: true, value: JSON.parse(res.body) };
  } catch {
    return { ok: false, error: 'body is not JSON' };
  }
}

function failure(res: HttpResponse): { ok: false; error: string; status: number } {
  if (res.status === 0)
    return { ok: false, error: `relay unreachable: ${res.error ?? 'no response'}`, status: 0 };
  const b = parseBody(res);
  const info =
    b.ok && isObj(b.value) && isObj(b.value.errorInformation) ? b.value.errorInformation : undefined;
  const detail = info
    ? `${String(info.errorCode)} ${String(info.errorDescription)}`
    : (res.body ?? '').slice(0, 200);
  return { ok: false, error: `relay answered HTTP ${res.status}: ${detail}`, status: res.status };
}

/** Validates one outcome from the wire; undefined when malformed. */
export function parseRelayOutcome(v: unknown): RelayOutcome | undefined {
  if (!isObj(v)) return undefined;
  const { transferId, state, errorCode, errorDescription, sentAtMs, arrivedAtMs, runner } = v;
  if (typeof transferId !== 'string' || transferId.length === 0) return undefined;
  if (state !== 'COMMITTED' && state !== 'ABORTED') return undefined;
  if (typeof arrivedAtMs !== 'number' || !Number.isFinite(arrivedAtMs)) return undefined;
  if (!isCount(runner)) return undefined;
  const out: RelayOutcome = { transferId, state, arrivedAtMs, runner };
  if (errorCode !== undefined) {
    if (typeof errorCode !== 'string') return undefined;
    out.errorCode = errorCode;
  }
  if (errorDescription !== undefined) {
    if (typeof errorDescription !== 'string') return undefined;
    out.errorDescription = errorDescription;
  }
  if (sentAtMs !== undefined) {
    if (typeof sentAtMs !== 'number' || !Number.isFinite(sentAtMs)) return undefined;
    out.sentAtMs = sentAtMs;
  }
  return out;
}

/** Interprets a collect answer. */
export function interpretRelayCollect(res: HttpResponse): RelayResult<RelayBatch> {
  if (res.status !== 200) return failure(res);
  const b = parseBody(res);
  if (!b.ok) return { ok: false, error: `relay collect: ${b.error}`, status: res.status };
  const v = b.value;
  if (
    !isObj(v) ||
    typeof v.cursor !== 'string' ||
    !Array.isArray(v.outcomes) ||
    !isCount(v.evicted) ||
    !isCount(v.duplicates)
  ) {
    return {
      ok: false,
      error: 'relay collect: expected {cursor, outcomes, evicted, duplicates}',
      status: res.status,
    };
  }
  const outcomes: RelayOutcome[] = [];
  for (let i = 0; i < v.outcomes.length; i++) {
    const o = parseRelayOutcome(v.outcomes[i]);
    if (!o) return { ok: false, error: `relay collect: outcomes[${i}] is malformed`, status: res.status };
    outcomes.push(o);
  }
  return { ok: true, value: { cursor: v.cursor, outcomes, evicted: v.evicted, duplicates: v.duplicates } };
}

/** Interprets a wait answer: 200 outcome, 204 nothing yet, anything else an error. */
export function interpretRelayWait(res: HttpResponse): RelayWaitResult {
  if (res.status === 204) return { kind: 'pending' };
  if (res.status !== 200) {
    const f = failure(res);
    return { kind: 'error', error: f.error, status: f.status };
  }
  const b = parseBody(res);
  const o = b.ok ? parseRelayOutcome(b.value) : undefined;
  if (!o) return { kind: 'error', error: 'relay wait: malformed outcome', status: res.status };
  return { kind: 'outcome', outcome: o };
}

/** Interprets a phase-wait answer: 200 callback, 204 nothing yet, anything else an error. */
export function interpretRelayPhaseWait(res: HttpResponse): RelayPhaseWaitResult {
  if (res.status === 204) return { kind: 'pending' };
  if (res.status !== 200) {
    const f = failure(res);
    return { kind: 'error', error: f.error, status: f.status };
  }
  const b = parseBody(res);
  const v = b.ok ? b.value : undefined;
  if (
    !isObj(v) ||
    (v.phase !== 'parties' && v.phase !== 'quotes') ||
    typeof v.key !== 'string' ||
    typeof v.errorPath !== 'boolean' ||
    typeof v.arrivedAtMs !== 'number' ||
    !('body' in v)
  ) {
    return { kind: 'error', error: 'relay phase wait: malformed callback', status: res.status };
  }
  return {
    kind: 'callback',
    callback: {
      phase: v.phase,
      key: v.key,
      body: v.body,
      errorPath: v.errorPath,
      arrivedAtMs: v.arrivedAtMs,
    },
  };
}

function parseCounts(v: unknown): RelayCounts | undefined {
  if (!isObj(v)) return undefined;
  const keys = ['received', 'delivered', 'evictedUnread', 'duplicates', 'pending'] as const;
  for (const k of keys) if (!isCount(v[k])) return undefined;
  return v as unknown as RelayCounts;
}

export function interpretRelayStats(res: HttpResponse): RelayResult<RelayStats> {
  if (res.status !== 200) return failure(res);
  const b = parseBody(res);
  if (!b.ok) return { ok: false, error: `relay stats: ${b.error}`, status: res.status };
  const v = b.value;
  const totals = isObj(v) ? parseCounts(v.totals) : undefined;
  const phases = isObj(v) && isObj(v.phases) ? v.phases : undefined;
  if (
    !isObj(v) ||
    !totals ||
    !isObj(v.runners) ||
    !isCount(v.interim) ||
    !isCount(v.unpartitioned) ||
    !phases ||
    !isCount(phases.received) ||
    !isCount(phases.delivered) ||
    !isCount(phases.evictedUnread)
  ) {
    return {
      ok: false,
      error: 'relay stats: expected {runners, totals, phases, interim, unpartitioned}',
      status: res.status,
    };
  }
  const runners: Record<string, RelayCounts> = {};
  for (const [k, c] of Object.entries(v.runners)) {
    const counts = parseCounts(c);
    if (!counts) return { ok: false, error: `relay stats: runners.${k} is malformed`, status: res.status };
    runners[k] = counts;
  }
  return {
    ok: true,
    value: {
      runners,
      totals,
      phases: {
        received: phases.received as number,
        delivered: phases.delivered as number,
        evictedUnread: phases.evictedUnread as number,
      },
      interim: v.interim,
      unpartitioned: v.unpartitioned,
      ...(isCount(v.unknownTransfers) ? { unknownTransfers: v.unknownTransfers } : {}),
    },
  };
}

/** The transfer outcome a relay outcome stands for (errors are asynchronous rejections). */
export function transferOutcomeOfRelay(o: RelayOutcome): TransferOutcome {
  if (o.state === 'COMMITTED') return { kind: 'committed', transferState: 'COMMITTED' };
  const out: Extract<TransferOutcome, { kind: 'rejected' }> = {
    kind: 'rejected',
    stage: 'async',
    errorCode: o.errorCode ?? ABORTED_WITHOUT_CODE,
  };
  if (o.errorDescription !== undefined) out.errorDescription = o.errorDescription;
  return out;
}

/**
 * End-to-end latency (arrival minus send), or undefined when the send time is unknown: the relay's
 * `sentAtMs`, else the time the kit's own id carries (ULID, UUID v1), whatever the hub did to
 * `tracestate`.
 */
export function relayLatencyMs(o: RelayOutcome): number | undefined {
  const sent = relaySentAtMs(o);
  return sent === undefined ? undefined : o.arrivedAtMs - sent;
}

/** When the transfer was sent: the relay's `sentAtMs`, else the time its id carries; undefined when neither. */
export function relaySentAtMs(o: RelayOutcome): number | undefined {
  return o.sentAtMs ?? idTimeMs(o.transferId);
}
