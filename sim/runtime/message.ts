/**
 * The simulator's one request/response shape. A request arriving over HTTP and a request handed
 * over in-process (all-in-one mode, hub -> simulated DFSP) look the same to every handler, so the
 * two deployment shapes run identical protocol code.
 */
import type { HttpMethod } from '../../lib/protocol/http.ts';

export interface SimRequest {
  /** Upper-case method. */
  method: string;
  /** Path without the query string, as received (not percent-decoded). */
  path: string;
  /** Query string without `?` ('' when none). */
  query: string;
  /** Header names lower-cased. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** Exact body text ('' when none). */
  body: string;
  /** Wall-clock receipt time, ms. */
  receivedAtMs: number;
  /**
   * Set for HTTP requests that may wait (long-poll): resolves when the client goes away, so a
   * parked request can be released early.
   */
  onClose?: (fn: () => void) => void;
}

export interface SimResponse {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

/** An outgoing call (hub -> DFSP callback, DFSP -> hub request). Header names lower-cased. */
export interface Outgoing {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string;
}

/** A header value as one string (repeated headers joined with ", " as HTTP allows). */
export function header(req: SimRequest, name: string): string | undefined {
  const v = req.headers[name];
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : v.join(', ');
}

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json' };

export function json(status: number, value: unknown): SimResponse {
  return { status, body: JSON.stringify(value), headers: { ...JSON_HEADERS } };
}

export const EMPTY_202: SimResponse = Object.freeze({ status: 202 }) as SimResponse;
export const EMPTY_200: SimResponse = Object.freeze({ status: 200 }) as SimResponse;

/** Parses a query string into the last value of each name; never throws. */
export function queryParams(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (query.length === 0) return out;
  for (const part of query.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? '' : part.slice(eq + 1);
    out[safeDecode(k)] = safeDecode(v);
  }
  return out;
}

export function safeDecode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

/** JSON.parse that reports failure instead of throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
