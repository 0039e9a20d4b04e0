/**
 * ILP v4 Prepare packets, fulfilments and conditions as the Mojaloop SDKs make them, and what
 * works on packets of either version (v1 is in ilp-v1.ts): version detection, the transaction JSON
 * of a packet, a payee's fulfilment.
 *
 * The OER layout is the one of the `ilp-packet` npm package (`serializeIlpPrepare`), which k6
 * cannot load, so it is encoded here; tests compare the bytes with that package as an oracle.
 *
 *   0x0C | var-length(content) | content
 *   content = amount uint64 BE | expiresAt 17 ASCII "YYYYMMDDHHmmssSSS" (UTC) | condition 32 bytes
 *           | var-octet(destination ASCII) | var-octet(data)
 *
 * Secret scheme (SDK ILP v4): data = ASCII of base64url(JSON of the transaction object);
 * fulfilment = base64url(HMAC-SHA256(key = ASCII of base64(secret), msg = ASCII of base64(JSON)));
 * condition = base64url(SHA-256(fulfilment bytes)). A payee that knows the secret derives the
 * fulfilment from the packet alone (`fulfilmentFromIlpPacket`).
 */
import {
  asciiBytes,
  base64Decode,
  base64Encode,
  base64UrlEncode,
  bytesToLatin1,
  utf8Decode,
  utf8Encode,
} from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';
import { decodeIlpPayment, fulfilmentOfV1Packet, ILP_PAYMENT_TYPE } from './ilp-v1.ts';
import { amountToIlpUnits } from './money.ts';
import { checkUint64, type DecodeResult, OerReader, prefixSize, writePrefix, writeUint64 } from './oer.ts';

export const ILP_PREPARE_TYPE = 12;
/** The constant destination address of Mojaloop's ILP v4 packets. */
export const MOJALOOP_ILP_ADDRESS = 'g.mojaloop';

export interface IlpPrepare {
  /** Amount in ILP units (already scaled by the currency's decimals), decimal string of a uint64. */
  amount: string;
  /** Expiry instant, ms precision. */
  expiresAt: Date;
  /** 32-byte execution condition. */
  executionCondition: Uint8Array;
  destination: string;
  data: Uint8Array;
}

export interface IlpMaterial {
  /** base64url, unpadded, of the OER-encoded Prepare packet. */
  ilpPacket: string;
  /** base64url (43 characters) of the 32-byte condition. */
  condition: string;
  /** base64url (43 characters) of the 32-byte fulfilment; only the payee should know it. */
  fulfilment: string;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * `YYYYMMDDHHmmssSSS` in UTC, the 17-character interledger time. Throws for an invalid date or a
 * year outside 0000..9999, which 17 characters cannot carry (a longer string would shift every
 * later field of the packet).
 */
export function interledgerTime(date: Date): string {
  const year = date.getUTCFullYear();
  if (!(year >= 0 && year <= 9999)) {
    throw new Error(`ilp expiresAt: expected a date in years 0000..9999, got ${date.getTime()} ms`);
  }
  return (
    pad(date.getUTCFullYear(), 4) +
    pad(date.getUTCMonth() + 1, 2) +
    pad(date.getUTCDate(), 2) +
    pad(date.getUTCHours(), 2) +
    pad(date.getUTCMinutes(), 2) +
    pad(date.getUTCSeconds(), 2) +
    pad(date.getUTCMilliseconds(), 3)
  );
}

const MOJALOOP_ADDRESS_BYTES = asciiBytes(MOJALOOP_ILP_ADDRESS);

/** OER-encodes a Prepare packet. Throws on values the packet cannot carry. */
export function encodeIlpPrepare(p: IlpPrepare): Uint8Array {
  checkUint64(p.amount);
  if (p.executionCondition.length !== 32) {
    throw new Error(`ilp executionCondition: expected 32 bytes, got ${p.executionCondition.length}`);
  }
  if (Number.isNaN(p.expiresAt.getTime())) throw new Error('ilp expiresAt: invalid date');
  const time = interledgerTime(p.expiresAt);
  const destination =
    p.destination === MOJALOOP_ILP_ADDRESS ? MOJALOOP_ADDRESS_BYTES : asciiBytes(p.destination);
  const dataLength = p.data.length;
  const contentLength =
    8 + 17 + 32 + prefixSize(destination.length) + destination.length + prefixSize(dataLength) + dataLength;
  const out = new Uint8Array(1 + prefixSize(contentLength) + contentLength);
  out[0] = ILP_PREPARE_TYPE;
  let o = writePrefix(out, 1, contentLength);
  writeUint64(out, o, p.amount);
  o += 8;
  for (let i = 0; i < 17; i++) out[o + i] = time.charCodeAt(i);
  o += 17;
  out.set(p.executionCondition, o);
  o += 32;
  o = writePrefix(out, o, destination.length);
  out.set(destination, o);
  o = writePrefix(out, o + destination.length, dataLength);
  out.set(p.data, o);
  return out;
}

/**
 * Parses 17 digits strictly: set through setUTCFullYear (Date.UTC maps years 0..99 to 19xx) and
 * checked by re-formatting, so out-of-range fields such as month 13 are refused, not rolled over.
 */
function parseInterledgerTime(t: string): Date | undefined {
  const d = new Date(0);
  d.setUTCFullYear(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8));
  d.setUTCHours(+t.slice(8, 10), +t.slice(10, 12), +t.slice(12, 14), +t.slice(14, 17));
  if (Number.isNaN(d.getTime()) || interledgerTime(d) !== t) return undefined;
  return d;
}

export type { DecodeResult } from './oer.ts';

/** Decodes an OER Prepare packet; never throws. */
export function decodeIlpPrepare(bytes: Uint8Array): DecodeResult<IlpPrepare> {
  try {
    const env = new OerReader(bytes);
    const type = env.byte();
    if (type !== ILP_PREPARE_TYPE) return { ok: false, error: `packet type ${type} is not Prepare (12)` };
    const content = new OerReader(env.varOctets());
    const amount = content.uint64();
    const t = bytesToLatin1(content.take(17));
    if (!/^\d{17}$/.test(t)) return { ok: false, error: 'expiresAt is not 17 digits' };
    const expiresAt = parseInterledgerTime(t);
    if (!expiresAt) return { ok: false, error: `expiresAt ${t} is not a valid UTC date-time` };
    const executionCondition = Uint8Array.from(content.take(32));
    const destination = bytesToLatin1(content.varOctets());
    const data = Uint8Array.from(content.varOctets());
    return {
      ok: true,
      value: { amount, expiresAt, executionCondition, destination, data },
    };
  } catch (e) {
    return { ok: false, error: `malformed ILP packet: ${(e as Error).message}` };
  }
}

/** The HMAC key of the SDK secret scheme: ASCII bytes of base64(UTF-8 secret). Compute once. */
export function ilpSecretKey(secret: string): Uint8Array {
  return asciiBytes(base64Encode(utf8Encode(secret)));
}

function fulfilmentOfJson(jsonUtf8: Uint8Array, secretKey: Uint8Array, crypto: CryptoProvider): string {
  const b64 = crypto.encodeBase64 ?? jsBase64;
  return b64(crypto.hmacSha256(secretKey, asciiBytes(b64(jsonUtf8, 'std'))), 'rawurl');
}

/** base64url(SHA-256(fulfilment bytes)), or undefined when the fulfilment is not 32 base64url bytes. */
export function conditionFromFulfilment(fulfilment: string, crypto: CryptoProvider): string | undefined {
  const preimage = base64Decode(fulfilment);
  if (preimage?.length !== 32) return undefined;
  return base64UrlEncode(crypto.sha256(preimage));
}

/**
 * Builds the ILP v4 material for a transaction object: packet, condition and fulfilment.
 * `transactionJson` is the exact JSON text of the transaction object (its key order is kept).
 */
export function buildIlpV4(
  params: { transactionJson: string; amount: string; currency: string; expiration: string },
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): IlpMaterial {
  // Native codecs when the provider has them (k6 pays ~1 us per byte in JS loops), else pure JS.
  const utf8 = crypto.encodeUtf8 ?? utf8Encode;
  const b64 = crypto.encodeBase64 ?? jsBase64;
  const json = utf8(params.transactionJson);
  // Base64 text is ASCII, so its UTF-8 bytes are its ASCII bytes.
  const fulfilmentBytes = crypto.hmacSha256(secretKey, utf8(b64(json, 'std')));
  const conditionBytes = crypto.sha256(fulfilmentBytes);
  const packet = encodeIlpPrepare({
    amount: amountToIlpUnits(params.amount, params.currency),
    expiresAt: new Date(params.expiration),
    executionCondition: conditionBytes,
    destination: MOJALOOP_ILP_ADDRESS,
    data: utf8(b64(json, 'rawurl')),
  });
  return {
    ilpPacket: b64(packet, 'rawurl'),
    condition: b64(conditionBytes, 'rawurl'),
    fulfilment: b64(fulfilmentBytes, 'rawurl'),
  };
}

function jsBase64(bytes: Uint8Array, variant: 'std' | 'rawurl'): string {
  return variant === 'std' ? base64Encode(bytes) : base64UrlEncode(bytes);
}

/** ILP packet versions: v1 = ILP "Payment" (type 1, the FSPIOP default), v4 = ILP Prepare (type 12). */
export type IlpVersion = 'v1' | 'v4';
export const ILP_VERSIONS: readonly IlpVersion[] = ['v1', 'v4'];

/**
 * The version of a packet from its type byte (the first base64 quantum only: cheap), or undefined
 * when the text is not base64 or the type is neither 1 nor 12. Says nothing about the rest.
 */
export function ilpVersionOfPacket(ilpPacket: string): IlpVersion | undefined {
  const head = base64Decode(ilpPacket.length > 4 ? ilpPacket.slice(0, 4) : ilpPacket);
  const type = head?.[0];
  return type === ILP_PAYMENT_TYPE ? 'v1' : type === ILP_PREPARE_TYPE ? 'v4' : undefined;
}

/** The data field of a v1 or v4 packet (decoded whole, so a malformed packet is an error). */
function dataOfPacket(ilpPacket: string): DecodeResult<{ version: IlpVersion; data: Uint8Array }> {
  const bytes = base64Decode(ilpPacket);
  if (!bytes) return { ok: false, error: 'ilpPacket is not base64url' };
  if (bytes[0] === ILP_PAYMENT_TYPE) {
    const v1 = decodeIlpPayment(bytes);
    return v1.ok ? { ok: true, value: { version: 'v1', data: v1.value.data } } : v1;
  }
  if (bytes[0] !== ILP_PREPARE_TYPE && bytes.length > 0) {
    return {
      ok: false,
      error: `packet type ${bytes[0]} is neither an ILP v1 Payment (1) nor a v4 Prepare (12)`,
    };
  }
  const v4 = decodeIlpPrepare(bytes);
  return v4.ok ? { ok: true, value: { version: 'v4', data: v4.value.data } } : v4;
}

/** The transaction-object JSON carried in a packet's data field (v1 and v4 carry it alike). */
export function transactionJsonOfPacket(ilpPacket: string): DecodeResult<string> {
  const d = dataOfPacket(ilpPacket);
  if (!d.ok) return d;
  const json = base64Decode(bytesToLatin1(d.value.data));
  if (!json) return { ok: false, error: 'ILP data is not base64url' };
  return { ok: true, value: utf8Decode(json) };
}

/**
 * What a payee that shares the secret does: derive the fulfilment from the packet, in the
 * packet's own version (its type byte): v1 = HMAC over the packet text as received (decoded first,
 * so a malformed packet is refused); v4 = HMAC over base64 of the JSON in its data.
 * Returns an error (never throws) for packets that cannot be decoded.
 */
export function fulfilmentFromIlpPacket(
  ilpPacket: string,
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): DecodeResult<string> {
  const d = dataOfPacket(ilpPacket);
  if (!d.ok) return d;
  // The text decoded as base64, so it is ASCII: its bytes are what the SDK's HMAC reads.
  if (d.value.version === 'v1')
    return { ok: true, value: fulfilmentOfV1Packet(ilpPacket, secretKey, crypto) };
  // The HMAC covers the JSON bytes exactly as carried (for UTF-8 JSON, what the SDK re-derives).
  const json = base64Decode(bytesToLatin1(d.value.data));
  if (!json) return { ok: false, error: 'ILP data is not base64url' };
  return { ok: true, value: fulfilmentOfJson(json, secretKey, crypto) };
}

/**
 * The condition carried inside a v4 packet (ISO 20022 mode derives the condition this way). A v1
 * packet carries none: it is refused as "not Prepare".
 */
export function conditionOfIlpPacket(ilpPacket: string): DecodeResult<string> {
  const bytes = base64Decode(ilpPacket);
  if (!bytes) return { ok: false, error: 'ilpPacket is not base64url' };
  const decoded = decodeIlpPrepare(bytes);
  if (!decoded.ok) return decoded;
  return { ok: true, value: base64UrlEncode(decoded.value.executionCondition) };
}
