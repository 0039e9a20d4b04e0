/**
 * The FSPIOP string formats the core must produce and recognise, written out once so builders,
 * interpreters and the simulator agree. Each mirrors a schema of `@mojaloop/api-snippets`
 * (components/schemas/*.yaml); the tests check the bodies against those schemas themselves.
 */

/** CorrelationId in FSPIOP v1.0/v1.1: lower-case UUID, versions 1-5 only (no ULID). */
export const CORRELATION_ID_V1_1 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * CorrelationId in FSPIOP v2.0: lower-case UUID versions 1-7 or upper-case ULID. The reference
 * hub validates every content version with this one, so ULIDs also pass with `version=1.1`.
 */
export const CORRELATION_ID_V2_0 =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$|^[0-9A-HJKMNP-TV-Z]{26}$/;

/** ISO 20022 `ULIDIdentifier` (pacs.008 `PmtId.TxId`): ISO mode needs ULID transfer ids. */
export const ISO_ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** ILP condition / fulfilment: 32 bytes as unpadded base64url, 43 characters. */
export const ILP_CONDITION = /^[A-Za-z0-9-_]{43}$/;

/** ILP packet: base64url, padding tolerated, 1..32768 characters. */
export const ILP_PACKET = /^[A-Za-z0-9-_]+[=]{0,2}$/;
export const ILP_PACKET_MAX_LENGTH = 32768;

/** FSPIOP ErrorCode: four digits, no leading zero. */
export const ERROR_CODE = /^[1-9]\d{3}$/;

/** FSPIOP DateTime as our builders emit it: `YYYY-MM-DDTHH:mm:ss.SSSZ` (milliseconds required). */
export const DATE_TIME_MS_Z = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ISO 20022 `ActiveCurrencyAndAmount_SimpleType`: at most 18 digits in all (not 18 + 4 as FSPIOP). */
export const ISO_AMOUNT =
  /^(?!0\d)(\d{1,18}|\d{1,17}.\d{1}|\d{1,16}.\d{1,2}|\d{1,15}.\d{1,3}|\d{1,14}.\d{1,4}|\d{1,13}.\d{1,5})$/;

/**
 * An FSPIOP DateTime for a millisecond instant (`toISOString`, which always has milliseconds).
 * Throws, naming `field`, for instants outside years 1000..9999: the schema's year is `[1-9]\d{3}`.
 */
export function fspiopDateTime(ms: number, field = 'timestamp'): string {
  if (!Number.isFinite(ms) || ms < -30610224000000 || ms > 253402300799999) {
    throw new Error(`${field}: expected a millisecond instant within years 1000..9999, got ${ms}`);
  }
  return new Date(ms).toISOString();
}
