/**
 * FSPIOP error codes as the reference hub emits them (central-services-error-handling): the default
 * message of each code, the HTTP status of a synchronous error, and the body
 * `{errorInformation:{errorCode, errorDescription:"<default> - <detail>" (<= 128), extensionList?}}`.
 */
import type { ErrorInformationObject, ExtensionList } from '../../lib/protocol/bodies.ts';
import { ERROR_MESSAGES } from '../../lib/protocol/error-codes.ts';
import { cutText, json, type SimResponse } from '../runtime/message.ts';

export { ERROR_MESSAGES };

/**
 * Whether a code is one the hub passes through from a DFSP: a spec code, or a scheme-specific code
 * inside a spec category (the reference hub's `validateFSPIOPErrorGroups` pattern). Anything else
 * is replaced by 3100 before it is forwarded.
 */
const SPEC_GROUPS = /^(10|20|3[0-4]|4[0-4]|5[0-4])[0-9]{2}$/;
export function isSpecErrorCode(code: unknown): code is string {
  return typeof code === 'string' && SPEC_GROUPS.test(code);
}

/** HTTP status of a synchronous error with this code (CSEH enums). */
export function httpStatusOf(code: string): number {
  if (code === '3001') return 406;
  if (code === '3002') return 404;
  if (code === '3104') return 413;
  if (code === '2002') return 501;
  if (code === '2003') return 503;
  const c = code.charCodeAt(0);
  if (c === 49 /* 1 */) return 503;
  if (c === 50 /* 2 */) return 500;
  return 400;
}

/** FSPIOP ErrorDescription: 1..128 characters. */
export const DESCRIPTION_MAX = 128;

/**
 * `"<default> - <detail>"`, cut to 128 UTF-16 code units without splitting a surrogate pair, with
 * any unpaired surrogate (a detail sliced mid-pair) replaced by U+FFFD: always well-formed text.
 */
export function errorDescription(code: string, detail?: string): string {
  const base = ERROR_MESSAGES[code] ?? 'Generic error';
  return cutText(detail ? `${base} - ${detail}` : base, DESCRIPTION_MAX);
}

export function errorObject(
  code: string,
  detail?: string,
  extensionList?: ExtensionList,
): ErrorInformationObject {
  const errorInformation: ErrorInformationObject['errorInformation'] = {
    errorCode: code,
    errorDescription: errorDescription(code, detail),
  };
  if (extensionList) errorInformation.extensionList = extensionList;
  return { errorInformation };
}

/** A synchronous error response with the code's HTTP status. */
export function errorResponse(code: string, detail?: string, extensionList?: ExtensionList): SimResponse {
  return json(httpStatusOf(code), errorObject(code, detail, extensionList));
}

/** The 3001 extension list naming the supported versions as `{key: major, value: minor}`. */
export function supportedVersionsExtension(versions: readonly string[]): ExtensionList {
  return {
    extension: versions.map((v) => {
      const [major, minor] = v.split('.');
      return { key: major ?? v, value: minor ?? '0' };
    }),
  };
}

/** An error the hub raises while handling a request: code plus detail (and an HTTP status override). */
export class FspiopError {
  constructor(
    readonly code: string,
    readonly detail?: string,
    readonly extensionList?: ExtensionList,
    readonly httpStatus?: number,
  ) {}
  response(): SimResponse {
    const r = errorResponse(this.code, this.detail, this.extensionList);
    if (this.httpStatus !== undefined) r.status = this.httpStatus;
    return r;
  }
}

/** 405 with 3000: a known path with a method it does not serve. */
export function methodNotAllowed(detail: string): SimResponse {
  return new FspiopError('3000', detail, undefined, 405).response();
}
