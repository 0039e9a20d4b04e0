/**
 * W3C trace context for transfers.
 *
 * Each transfer gets a fresh `traceparent` (`00-<32 hex trace-id>-<16 hex parent-id>-01`) and a
 * `tracestate` carrying `tx_end2end_start_ts=<ms>`, the send instant, as the Mojaloop test harness
 * does. The hub keeps the trace-id on its callbacks and *prepends* its own tracestate member (e.g.
 * `acmevendor=<base64 JSON>`), keeping the others; a DFSP simulator may append more
 * (`tx_callback_start_ts=...`). The parser therefore looks for the member anywhere in the list.
 */
import { hexEncode } from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';

/** The tracestate key that carries the transfer's send time in ms since the epoch. */
export const E2E_START_KEY = 'tx_end2end_start_ts';

export interface TraceContext {
  traceparent: string;
  tracestate: string;
  /** The 32-hex trace-id (the part that survives the hub's hops). */
  traceId: string;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** `tx_end2end_start_ts=<ms>` for a send instant. */
export function e2eTracestate(nowMs: number): string {
  return `${E2E_START_KEY}=${Math.floor(nowMs)}`;
}

/**
 * A fresh sampled traceparent plus the tracestate for `nowMs`. One `randomBytes(24)` call: 16 bytes
 * of trace-id, 8 of parent-id. All-zero ids are invalid in W3C trace context; the (2^-128) case is
 * nudged to a valid id rather than retried, to keep the cost constant.
 */
export function newTraceContext(nowMs: number, crypto: CryptoProvider): TraceContext {
  const rnd = crypto.randomBytes(24);
  const hex = hexEncode(rnd);
  let traceId = hex.slice(0, 32);
  let parentId = hex.slice(32, 48);
  if (traceId === '00000000000000000000000000000000') traceId = '00000000000000000000000000000001';
  if (parentId === '0000000000000000') parentId = '0000000000000001';
  return { traceparent: `00-${traceId}-${parentId}-01`, tracestate: e2eTracestate(nowMs), traceId };
}

export interface ParsedTraceparent {
  version: string;
  traceId: string;
  parentId: string;
  flags: string;
}

/** Parses a traceparent; undefined when malformed, version `ff`, or with an all-zero id. */
export function parseTraceparent(value: string | undefined | null): ParsedTraceparent | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (!m || m[1] === 'ff' || /^0+$/.test(m[2]!) || /^0+$/.test(m[3]!)) return undefined;
  return { version: m[1]!, traceId: m[2]!, parentId: m[3]!, flags: m[4]! };
}

/**
 * The same trace with a new parent-id, for a hop that continues a trace (the simulated hub's
 * callbacks do this). Undefined when `traceparent` is malformed.
 */
export function childTraceparent(traceparent: string, crypto: CryptoProvider): string | undefined {
  const p = parseTraceparent(traceparent);
  if (!p) return undefined;
  let parentId = hexEncode(crypto.randomBytes(8));
  if (parentId === '0000000000000000') parentId = '0000000000000001';
  return `00-${p.traceId}-${parentId}-${p.flags}`;
}

/**
 * The value of one tracestate member, or undefined. Members are `key=value` separated by commas
 * with optional spaces or tabs; several tracestate headers joined by a proxy (`, `) parse the same.
 * The first member with the key wins (W3C: the left-most is the most recent).
 */
export function tracestateMember(tracestate: string | undefined | null, key: string): string | undefined {
  if (typeof tracestate !== 'string') return undefined;
  let start = 0;
  const n = tracestate.length;
  while (start <= n) {
    let end = tracestate.indexOf(',', start);
    if (end < 0) end = n;
    const eq = tracestate.indexOf('=', start);
    if (eq > start && eq < end && tracestate.slice(start, eq).trim() === key) {
      return tracestate.slice(eq + 1, end).trim();
    }
    start = end + 1;
  }
  return undefined;
}

/**
 * The `tx_end2end_start_ts` of a tracestate list, whatever members a hub or DFSP added around it.
 * Undefined when absent or not a plausible non-negative integer millisecond time.
 */
export function e2eStartMs(tracestate: string | undefined | null): number | undefined {
  const v = tracestateMember(tracestate, E2E_START_KEY);
  if (v === undefined || !/^\d{1,15}$/.test(v)) return undefined;
  return Number(v);
}
