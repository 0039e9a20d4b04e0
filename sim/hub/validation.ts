/**
 * Synchronous FSPIOP header validation, in the order and with the codes of the reference hub
 * (central-services-shared header-validation plugin, then the route's header schema):
 *
 * 1. Accept — required on GET/POST (and DELETE), validated when present: missing -> 3102,
 *    malformed or naming another resource -> 3101, no supported version -> 3001 (406).
 * 2. Content-Type — required on every request, GET included: missing -> 3102, malformed or naming
 *    another resource than the path's first segment -> 3101, unsupported version -> 3001 (406).
 *    3001 carries the supported versions as an extensionList `{key: major, value: minor}`.
 * 3. Date — required, IMF-fixdate (`toUTCString`): missing -> 3102, malformed -> 3101.
 * 4. FSPIOP-Source — required: missing -> 3102.
 *
 * Parsed media types are memoised (a load test sends a handful of distinct values).
 */
import {
  type ApiFlavour,
  type ParsedMediaType,
  parseAccept,
  parseContentType,
} from '../../lib/protocol/headers.ts';
import { FspiopError, supportedVersionsExtension } from '../fspiop/errors.ts';
import { header, type SimRequest } from '../runtime/message.ts';

export const SUPPORTED_CONTENT_VERSIONS: readonly string[] = ['1.0', '1.1', '2.0'];
export const SUPPORTED_ACCEPT_VERSIONS: readonly string[] = ['1', '1.0', '1.1', '2', '2.0'];

export interface CheckedHeaders {
  api: ApiFlavour;
  /** Content version `major.minor`. */
  version: string;
  source: string;
}

const MEMO_MAX = 256;
const contentTypeMemo = new Map<string, ParsedMediaType | null>();
const acceptMemo = new Map<string, ParsedMediaType[] | null>();

function memo<T>(m: Map<string, T | null>, key: string, parse: (k: string) => T | undefined): T | undefined {
  const hit = m.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const v = parse(key);
  if (m.size >= MEMO_MAX) m.clear();
  m.set(key, v ?? null);
  return v;
}

const IMF_FIXDATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function versionError(kind: string, got: string | undefined, supported: readonly string[]): FspiopError {
  return new FspiopError(
    '3001',
    `${kind} version ${got ?? '(none)'} is not supported; supported: ${supported.join(', ')}`,
    supportedVersionsExtension(SUPPORTED_CONTENT_VERSIONS),
  );
}

export interface HeaderRules {
  /** First path segment: the resource the media types must name. */
  resource: string;
  /** Whether ISO 20022 media types are served on this resource. */
  isoAllowed: boolean;
}

/** Checks the FSPIOP headers of a hub request; returns the parsed parts or the error to answer with. */
export function checkHeaders(req: SimRequest, rules: HeaderRules): CheckedHeaders | FspiopError {
  const method = req.method;
  const acceptRequired = method === 'GET' || method === 'POST' || method === 'DELETE';
  const accept = header(req, 'accept');
  if (accept === undefined || accept === '') {
    if (acceptRequired) return new FspiopError('3102', 'accept header is missing');
  } else {
    const entries = memo(acceptMemo, accept, (a) => parseAccept(a.replace(/,\s+/g, ',')));
    if (!entries || entries[0]!.resource !== rules.resource) {
      return new FspiopError(
        '3101',
        `accept header ${JSON.stringify(accept.slice(0, 80))} is not a ${rules.resource} media type`,
      );
    }
    if (!entries.some((e) => e.version === undefined || SUPPORTED_ACCEPT_VERSIONS.includes(e.version))) {
      return versionError('accept', entries[0]!.version, SUPPORTED_ACCEPT_VERSIONS);
    }
  }
  const ct = header(req, 'content-type');
  if (ct === undefined || ct === '') return new FspiopError('3102', 'content-type header is missing');
  const parsed = memo(contentTypeMemo, ct, parseContentType);
  if (!parsed || parsed.resource !== rules.resource) {
    return new FspiopError(
      '3101',
      `content-type ${JSON.stringify(ct.slice(0, 80))} is not a ${rules.resource} media type`,
    );
  }
  const version = parsed.version!;
  if (parsed.api === 'iso20022') {
    if (!rules.isoAllowed) {
      return new FspiopError(
        '3001',
        `ISO 20022 is simulated on /transfers only, not /${rules.resource}`,
        supportedVersionsExtension(SUPPORTED_CONTENT_VERSIONS),
      );
    }
    if (!version.startsWith('2.') || !SUPPORTED_CONTENT_VERSIONS.includes(version)) {
      return versionError('ISO 20022 content-type', version, ['2.0']);
    }
  } else if (!SUPPORTED_CONTENT_VERSIONS.includes(version)) {
    return versionError('content-type', version, SUPPORTED_CONTENT_VERSIONS);
  }
  const date = header(req, 'date');
  if (date === undefined || date === '') return new FspiopError('3102', 'date header is missing');
  if (!IMF_FIXDATE.test(date) || Number.isNaN(Date.parse(date))) {
    return new FspiopError('3101', `date header ${JSON.stringify(date.slice(0, 40))} is not an IMF-fixdate`);
  }
  const source = header(req, 'fspiop-source');
  if (source === undefined || source === '')
    return new FspiopError('3102', 'fspiop-source header is missing');
  return { api: parsed.api, version, source };
}
