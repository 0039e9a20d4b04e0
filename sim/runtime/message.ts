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

/**
 * Parses a query string into the last value of each name; never throws. The result has no
 * prototype: a name such as `__proto__` or `constructor` is just a name.
 */
export function queryParams(query: string): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
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

/**
 * Deepest nesting of objects and arrays any JSON body may have. FSPIOP bodies nest about 6 levels,
 * ISO 20022 ones about 10. The limit is checked on the text, before parsing: `JSON.parse` copes
 * with any depth, but `JSON.stringify` (the duplicate-check hash, every answer that echoes a body)
 * recurses and overflows the stack at a few thousand levels.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Where `text` first nests deeper than `max` levels of `{`/`[` outside strings (the character
 * index), or -1 when it never does. Linear, allocation-free; malformed text is left to the parser.
 */
export function jsonDepthExceededAt(text: string, max = MAX_JSON_DEPTH): number {
  if (text.length <= max) return -1;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return -1;
}

/** The parse error of a body nested deeper than {@link MAX_JSON_DEPTH}, or undefined. */
export function jsonDepthError(text: string): string | undefined {
  const at = jsonDepthExceededAt(text);
  return at < 0
    ? undefined
    : `it nests objects/arrays deeper than ${MAX_JSON_DEPTH} levels (at character ${at})`;
}

/**
 * JSON.parse that reports failure instead of throwing, and refuses text nested deeper than
 * {@link MAX_JSON_DEPTH} (so nothing downstream can overflow the stack on it).
 */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const deep = jsonDepthError(text);
  if (deep !== undefined) return { ok: false, error: deep };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Whether `s` is well-formed UTF-16 (no unpaired surrogate). */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * `s` cut to at most `max` UTF-16 code units without splitting a surrogate pair, with any unpaired
 * surrogate replaced by U+FFFD, so the result is always well-formed text (JSON.stringify would
 * otherwise emit a lone `\udXXX` escape that no UTF-8 consumer can decode).
 */
export function cutText(s: string, max: number): string {
  let t = s;
  if (t.length > max) {
    const c = t.charCodeAt(max - 1);
    t = t.slice(0, c >= 0xd800 && c <= 0xdbff ? max - 1 : max);
  }
  return LONE_SURROGATE.test(t) ? t.replace(LONE_SURROGATES, '\ufffd') : t;
}

/**
 * A copy of `s` that owns its characters. V8 makes a substring of 13 or more characters (slice,
 * split, a path cut from its URL) a view that keeps the whole parent string alive; anything kept
 * for minutes (relay entries, ids, keys) is detached first, so a 16 KB URL or a 200 KB body never
 * rides along with a 26-character id.
 */
export function ownedText(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'utf16le').toString('utf16le');
}

/**
 * Approximate heap bytes of a string: one byte per character when every character fits Latin-1
 * (V8's one-byte representation), two otherwise. Used for the byte budgets of retained data.
 */
export function textBytes(s: string): number {
  return /[^\u0000-\u00ff]/.test(s) ? 2 * s.length : s.length;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
