/**
 * Headers of what the hub sends to DFSPs, in the two ways the reference hub builds them
 * (central-services-shared header transformer, ml-api-adapter notification handler):
 *
 * - Forwarded requests/callbacks (prepare to the payee, the payee's fulfil or error to the payer,
 *   parties and quotes): the sender's headers are kept — Content-Type, Accept, FSPIOP-Source,
 *   FSPIOP-Signature — with FSPIOP-Destination, FSPIOP-URI and FSPIOP-HTTP-Method set for the hop
 *   and `host`/`content-length`/hop-by-hop headers dropped.
 * - Hub-originated callbacks (errors, timeouts, state answers, RESERVED commit notifications,
 *   duplicates): FSPIOP-Source = the hub's name, Content-Type at the hub's default content version
 *   (2.0 unless configured), no Accept, no DFSP signature.
 *
 * Tracing (event-sdk): every outgoing call keeps the trace-id with a new parent-id and gets the
 * hub's own tracestate member prepended (replacing an older one of its own); other members are
 * kept. Timeout callbacks come from a new span, so they start a new trace, as the reference hub's do.
 */
import { httpDate } from '../../lib/protocol/headers.ts';
import { parseTraceparent } from '../../lib/protocol/trace.ts';
import { nextTraceparent } from '../fspiop/traceparent.ts';
import { header, type SimRequest } from '../runtime/message.ts';

const HOP_BY_HOP = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'accept-encoding',
  'te',
  'upgrade',
  'proxy-connection',
  'expect',
]);

/** W3C caps tracestate at 32 members. */
const TRACESTATE_MAX_MEMBERS = 32;

export interface TraceOptions {
  /** tracestate key of the hub's own member (event-sdk default `acmevendor`). */
  vendor: string;
}

/** Prepends `key=value`, dropping an older member with the same key; other members are kept. */
export function prependTracestate(existing: string | undefined, key: string, value: string): string {
  const own = `${key}=${value}`;
  if (existing === undefined || existing.trim() === '') return own;
  const kept: string[] = [own];
  for (const m of existing.split(',')) {
    const t = m.trim();
    if (t === '') continue;
    const eq = t.indexOf('=');
    if (eq > 0 && t.slice(0, eq) === key) continue;
    if (kept.length >= TRACESTATE_MAX_MEMBERS) break;
    kept.push(t);
  }
  return kept.join(',');
}

/** The hub's tracestate member value: base64url(JSON{spanId, <stage>: ms}), W3C-safe (no `=` or `,`). */
export function hubTracestateValue(traceparent: string, stage: string, nowMs: number): string {
  const spanId = parseTraceparent(traceparent)?.parentId ?? '';
  return Buffer.from(`{"spanId":"${spanId}","${stage}":${nowMs}}`).toString('base64url');
}

function traceHeaders(
  out: Record<string, string>,
  incomingTraceparent: string | undefined,
  incomingTracestate: string | undefined,
  trace: TraceOptions,
  stage: string,
  nowMs: number,
): void {
  const tp = nextTraceparent(incomingTraceparent);
  out.traceparent = tp;
  out.tracestate = prependTracestate(incomingTracestate, trace.vendor, hubTracestateValue(tp, stage, nowMs));
}

export interface Hop {
  destination: string;
  /** FSPIOP-URI of the hop, e.g. `/transfers/01J...`. */
  uri: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH';
  /** tracestate stage label (timeApiPrepare, timeApiFulfil, ...). */
  stage: string;
}

/** Headers for forwarding a DFSP's request or callback to another DFSP. */
export function forwardHeaders(
  req: SimRequest,
  hop: Hop,
  trace: TraceOptions,
  nowMs: number,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in req.headers) {
    if (HOP_BY_HOP.has(name)) continue;
    const v = req.headers[name];
    if (v === undefined) continue;
    out[name] = typeof v === 'string' ? v : v.join(', ');
  }
  out['fspiop-destination'] = hop.destination;
  out['fspiop-uri'] = hop.uri;
  out['fspiop-http-method'] = hop.method;
  traceHeaders(out, header(req, 'traceparent'), header(req, 'tracestate'), trace, hop.stage, nowMs);
  return out;
}

export interface HubOrigin {
  hubName: string;
  /** Full Content-Type of the callback (hub default version, ISO or FSPIOP media type). */
  contentType: string;
  /** The request the callback answers, for trace continuation; undefined starts a new trace. */
  cause?: { traceparent: string | undefined; tracestate: string | undefined };
}

/** Headers of a callback the hub originates. */
export function hubHeaders(
  hop: Hop,
  origin: HubOrigin,
  trace: TraceOptions,
  nowMs: number,
): Record<string, string> {
  const out: Record<string, string> = {
    'content-type': origin.contentType,
    date: httpDate(nowMs),
    'fspiop-source': origin.hubName,
    'fspiop-destination': hop.destination,
    'fspiop-uri': hop.uri,
    'fspiop-http-method': hop.method,
  };
  traceHeaders(out, origin.cause?.traceparent, origin.cause?.tracestate, trace, hop.stage, nowMs);
  return out;
}

/** The trace context of a request, to continue it in a later hub-originated callback. */
export function traceOf(req: SimRequest): {
  traceparent: string | undefined;
  tracestate: string | undefined;
} {
  return { traceparent: header(req, 'traceparent'), tracestate: header(req, 'tracestate') };
}
