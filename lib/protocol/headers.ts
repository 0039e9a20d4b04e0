/**
 * FSPIOP request headers.
 *
 * Built in two steps because they run per iteration at up to 1000/s: `fspiopHeaders(config)` checks
 * the configuration once and precomputes every constant header (media types, FSPIOP-Source, ...);
 * the function it returns only adds what changes per request (Date, trace context, FSPIOP-URI,
 * signature) to a fresh object.
 *
 * What the reference hub checks (central-services-shared header validation):
 * - Content-Type `application/vnd.interoperability[.iso20022].<resource>+json;version=<major.minor>`
 *   on every request, GET included; `<resource>` is the first path segment.
 * - Accept on GET/POST (optional on PUT/PATCH callbacks but validated when present): a comma list
 *   of the same media type with an optional `version=<major>[.<minor>]`.
 * - Date in IMF-fixdate form (`new Date().toUTCString()`).
 */
import type { HttpMethod } from './http.ts';

export type FspiopVersion = '1.0' | '1.1' | '2.0';
export type ApiFlavour = 'fspiop' | 'iso20022';

/** Content versions the reference hub accepts. */
export const FSPIOP_VERSIONS: readonly FspiopVersion[] = ['1.0', '1.1', '2.0'];

export function isFspiopVersion(v: unknown): v is FspiopVersion {
  return v === '1.0' || v === '1.1' || v === '2.0';
}

/** Header names as this kit sends them (HTTP header names are case-insensitive on the wire). */
export const HEADER = {
  contentType: 'Content-Type',
  accept: 'Accept',
  date: 'Date',
  source: 'FSPIOP-Source',
  destination: 'FSPIOP-Destination',
  uri: 'FSPIOP-URI',
  httpMethod: 'FSPIOP-HTTP-Method',
  signature: 'FSPIOP-Signature',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

const RESOURCE = /^[A-Za-z][A-Za-z0-9]*$/;
const CONTENT_VERSION = /^\d+\.\d+$/;
const ACCEPT_VERSION = /^\d+(\.\d+)?$/;
/** FspId: 1..32 characters (schema `FspId`). */
const FSP_ID_MAX = 32;

function mediaPrefix(resource: string, api: ApiFlavour): string {
  if (!RESOURCE.test(resource)) {
    throw new Error(
      `resource: expected the first path segment such as "transfers", got ${JSON.stringify(resource)}`,
    );
  }
  if (api !== 'fspiop' && api !== 'iso20022') {
    throw new Error(`api: expected "fspiop" or "iso20022", got ${JSON.stringify(api)}`);
  }
  return `application/vnd.interoperability.${api === 'iso20022' ? 'iso20022.' : ''}${resource}+json`;
}

/**
 * The Content-Type of a resource: `application/vnd.interoperability[.iso20022].<resource>+json;version=X.Y`.
 * ISO 20022 bodies exist only in API v2, so `iso20022` with a 1.x version is refused.
 */
export function contentType(resource: string, version: string, api: ApiFlavour = 'fspiop'): string {
  if (!CONTENT_VERSION.test(version)) {
    throw new Error(
      `version: expected a content version "major.minor" such as "1.1", got ${JSON.stringify(version)}`,
    );
  }
  if (api === 'iso20022' && !version.startsWith('2.')) {
    throw new Error(`version: ISO 20022 bodies need FSPIOP version 2.x, got ${JSON.stringify(version)}`);
  }
  return `${mediaPrefix(resource, api)};version=${version}`;
}

/** The Accept header for one version (`major` or `major.minor`). */
export function acceptHeader(resource: string, version: string, api: ApiFlavour = 'fspiop'): string {
  if (!ACCEPT_VERSION.test(version)) {
    throw new Error(
      `accept version: expected "major" or "major.minor" such as "1" or "1.1", got ${JSON.stringify(version)}`,
    );
  }
  return `${mediaPrefix(resource, api)};version=${version}`;
}

/** RFC 7231 IMF-fixdate of an instant, e.g. `Sat, 28 Nov 2026 10:00:00 GMT`. */
export function httpDate(nowMs: number): string {
  return new Date(nowMs).toUTCString();
}

export interface HeaderConfig {
  /** First path segment of the request: `transfers`, `quotes`, `parties`, ... */
  resource: string;
  /** FSPIOP content version. */
  version: FspiopVersion;
  /** Media-type family (default `fspiop`). */
  api?: ApiFlavour;
  /** FSPIOP-Source: the sending FSP. */
  source: string;
  /** FSPIOP-Destination. Leave out on GET /parties (the account lookup finds the FSP). */
  destination?: string;
  /**
   * Accept: `true` (default) sends the content version; a string sends that version
   * (`"1"`, `"1.1"`, ...); `false` sends none (PUT/PATCH callbacks).
   */
  accept?: boolean | string;
  /** When set, FSPIOP-HTTP-Method is sent with this method. */
  httpMethod?: HttpMethod;
  /** Constant FSPIOP-URI (e.g. `/transfers`); a per-request `uri` overrides it. */
  uri?: string;
  /** Further constant headers (they cannot override the FSPIOP ones). */
  extra?: Readonly<Record<string, string>>;
}

/** What changes per request. */
export interface RequestHeaderParts {
  traceparent?: string;
  tracestate?: string;
  /** FSPIOP-URI of this request, e.g. `/transfers/01J...`. */
  uri?: string;
  /** FSPIOP-Signature value (see jws.ts). */
  signature?: string;
}

export type HeaderFactory = (nowMs: number, parts?: RequestHeaderParts) => Record<string, string>;

function checkFspId(field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > FSP_ID_MAX) {
    throw new Error(
      `${field}: expected an FSP id of 1..${FSP_ID_MAX} characters, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/**
 * Checks `config` once and returns the per-request header function. The Date string is cached per
 * second: at 1000 requests/s that saves 999 of every 1000 `toUTCString` calls.
 */
export function fspiopHeaders(config: HeaderConfig): HeaderFactory {
  const api = config.api ?? 'fspiop';
  if (!isFspiopVersion(config.version)) {
    throw new Error(
      `version: expected one of ${FSPIOP_VERSIONS.join(', ')}, got ${JSON.stringify(config.version)}`,
    );
  }
  const keys: string[] = [];
  const values: string[] = [];
  const put = (k: string, v: string): void => {
    keys.push(k);
    values.push(v);
  };
  put(HEADER.contentType, contentType(config.resource, config.version, api));
  const accept = config.accept ?? true;
  if (accept !== false) {
    put(HEADER.accept, acceptHeader(config.resource, accept === true ? config.version : accept, api));
  }
  put(HEADER.source, checkFspId('source', config.source));
  if (config.destination !== undefined)
    put(HEADER.destination, checkFspId('destination', config.destination));
  if (config.httpMethod !== undefined) put(HEADER.httpMethod, config.httpMethod);
  const reserved = new Set(Object.values(HEADER).map((h) => h.toLowerCase()));
  for (const [k, v] of Object.entries(config.extra ?? {})) {
    if (reserved.has(k.toLowerCase())) {
      throw new Error(`extra: header ${JSON.stringify(k)} is set by the kit and cannot be overridden`);
    }
    put(k, v);
  }
  const constantUri = config.uri;
  const n = keys.length;
  let cachedSecond = Number.NaN;
  let cachedDate = '';

  return (nowMs, parts) => {
    const out: Record<string, string> = {};
    for (let i = 0; i < n; i++) out[keys[i]!] = values[i]!;
    const second = Math.floor(nowMs / 1000);
    if (second !== cachedSecond) {
      cachedSecond = second;
      cachedDate = new Date(second * 1000).toUTCString();
    }
    out[HEADER.date] = cachedDate;
    const uri = parts?.uri ?? constantUri;
    if (uri !== undefined) out[HEADER.uri] = uri;
    if (parts !== undefined) {
      if (parts.traceparent !== undefined) out[HEADER.traceparent] = parts.traceparent;
      if (parts.tracestate !== undefined) out[HEADER.tracestate] = parts.tracestate;
      if (parts.signature !== undefined) out[HEADER.signature] = parts.signature;
    }
    return out;
  };
}

export interface ParsedMediaType {
  api: ApiFlavour;
  resource: string;
  /** The version, or undefined when an Accept entry names none (any version). */
  version: string | undefined;
}

const MEDIA =
  /^application\/vnd\.interoperability\.(iso20022\.)?([A-Za-z][A-Za-z0-9]*)\+json(?:\s?;\s?version=(\d+(?:\.\d+)?))?$/;

/**
 * Parses a Content-Type as the hub validates it: one media type with a mandatory
 * `version=major.minor`, at most one space around `;`. Undefined when malformed.
 */
export function parseContentType(value: string): ParsedMediaType | undefined {
  const m = MEDIA.exec(value);
  if (!m || m[3] === undefined || !CONTENT_VERSION.test(m[3])) return undefined;
  return { api: m[1] ? 'iso20022' : 'fspiop', resource: m[2]!, version: m[3] };
}

/**
 * Parses an Accept header as the hub validates it: a comma list (no spaces after commas) of the
 * media type, each with an optional `version=major[.minor]`. Undefined when any entry is malformed
 * or entries name different resources.
 */
export function parseAccept(value: string): ParsedMediaType[] | undefined {
  const out: ParsedMediaType[] = [];
  for (const entry of value.split(',')) {
    const m = MEDIA.exec(entry);
    if (!m) return undefined;
    out.push({ api: m[1] ? 'iso20022' : 'fspiop', resource: m[2]!, version: m[3] });
    if (out[0]!.resource !== m[2] || out[0]!.api !== out[out.length - 1]!.api) return undefined;
  }
  return out;
}
