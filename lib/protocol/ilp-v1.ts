/**
 * ILP v1 "Payment" packets (type 1), fulfilments and conditions as the Mojaloop SDKs make them
 * with ILP_VERSION 1, the FSPIOP default (docs/facts/mojaloop.md#ilp).
 *
 * The OER layout is the one of `ilp-packet` 2.2.0 (`serializeIlpPayment`; 3.x dropped it), which
 * k6 cannot load, so it is encoded here; tests compare the bytes with that package.
 *
 *   0x01 | var-length(content) | content
 *   content = amount uint64 BE | var-octet(account) | var-octet(data) | 0x00 (no extensions)
 *
 * account = `g.<fspId>.<partyIdType lower-cased>.<partyIdentifier lower-cased>[.<subId lower-cased>]`
 * of the payee; data = ASCII of base64url(JSON of the transaction object), as in v4.
 *
 * Secret scheme (SDK ILP v1): fulfilment = base64url(HMAC-SHA256(key = ASCII of base64(secret),
 * msg = ASCII of the base64url packet *text*)); condition = base64url(SHA-256(fulfilment bytes)).
 * The HMAC covers the packet string exactly as sent, so a payee derives the fulfilment from the
 * `ilpPacket` field as received, without decoding it.
 */
import { asciiBytes, base64UrlEncode, bytesToLatin1, latin1Bytes, utf8Encode } from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';
import type { IlpMaterial } from './ilp.ts';
import { amountToIlpUnits } from './money.ts';
import { checkUint64, type DecodeResult, OerReader, prefixSize, writePrefix, writeUint64 } from './oer.ts';

export const ILP_PAYMENT_TYPE = 1;

export interface IlpPayment {
  /** Amount in ILP units (scaled by the currency's decimals), decimal string of a uint64. */
  amount: string;
  /** The payee's ILP address. */
  account: string;
  data: Uint8Array;
}

/** The party fields the v1 address is made of (a Party's `partyIdInfo`). */
export interface IlpPartyIdInfo {
  /** Written as given; a missing one is written "undefined", as the SDK does. */
  fspId?: string;
  partyIdType: string;
  partyIdentifier: string;
  partySubIdOrType?: string;
}

/**
 * The ILP v1 address of a party: `g.<fspId>.<type>.<id>[.<subId>]`, type, id and sub-id
 * lower-cased, the FSP id as given (what the SDK writes).
 */
export function ilpV1Address(p: IlpPartyIdInfo): string {
  const type = p.partyIdType === 'MSISDN' ? 'msisdn' : p.partyIdType.toLowerCase();
  const sub = p.partySubIdOrType ? `.${p.partySubIdOrType.toLowerCase()}` : '';
  return `g.${p.fspId}.${type}.${p.partyIdentifier.toLowerCase()}${sub}`;
}

/**
 * OER-encodes a v1 Payment packet. The account is written one byte per UTF-16 code unit (its low
 * byte), as `ilp-packet` does; ILP addresses are ASCII. Throws on an amount the packet cannot carry.
 */
export function encodeIlpPayment(p: IlpPayment): Uint8Array {
  checkUint64(p.amount);
  const account = latin1Bytes(p.account);
  const dataLength = p.data.length;
  const contentLength =
    8 + prefixSize(account.length) + account.length + prefixSize(dataLength) + dataLength + 1;
  const out = new Uint8Array(1 + prefixSize(contentLength) + contentLength);
  out[0] = ILP_PAYMENT_TYPE;
  let o = writePrefix(out, 1, contentLength);
  writeUint64(out, o, p.amount);
  o = writePrefix(out, o + 8, account.length);
  out.set(account, o);
  o = writePrefix(out, o + account.length, dataLength);
  out.set(p.data, o);
  out[o + dataLength] = 0; // empty extensions
  return out;
}

/** Decodes an OER v1 Payment packet (what follows the data, the extensions, is not read); never throws. */
export function decodeIlpPayment(bytes: Uint8Array): DecodeResult<IlpPayment> {
  try {
    const env = new OerReader(bytes);
    const type = env.byte();
    if (type !== ILP_PAYMENT_TYPE) return { ok: false, error: `packet type ${type} is not Payment (1)` };
    const content = new OerReader(env.varOctets());
    const amount = content.uint64();
    const account = bytesToLatin1(content.varOctets());
    const data = Uint8Array.from(content.varOctets());
    return { ok: true, value: { amount, account, data } };
  } catch (e) {
    return { ok: false, error: `malformed ILP packet: ${(e as Error).message}` };
  }
}

/** The v1 fulfilment of a packet string: base64url(HMAC-SHA256(key, ASCII of the string)). */
export function fulfilmentOfV1Packet(
  ilpPacket: string,
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): string {
  const mac = crypto.hmacSha256(
    secretKey,
    crypto.encodeUtf8 ? crypto.encodeUtf8(ilpPacket) : asciiBytes(ilpPacket),
  );
  return crypto.encodeBase64 ? crypto.encodeBase64(mac, 'rawurl') : base64UrlEncode(mac);
}

/**
 * Builds the ILP v1 material for a transaction object: packet, condition and fulfilment.
 * `transactionJson` is the exact JSON text of the transaction object (its key order is kept);
 * `account` the payee's address (`ilpV1Address`).
 */
export function buildIlpV1(
  params: { transactionJson: string; amount: string; currency: string; account: string },
  secretKey: Uint8Array,
  crypto: CryptoProvider,
): IlpMaterial {
  // Native codecs when the provider has them (k6 pays ~1 us per byte in JS loops), else pure JS.
  const utf8 = crypto.encodeUtf8 ?? utf8Encode;
  const b64url = crypto.encodeBase64 ? (b: Uint8Array) => crypto.encodeBase64!(b, 'rawurl') : base64UrlEncode;
  const packet = encodeIlpPayment({
    amount: amountToIlpUnits(params.amount, params.currency),
    account: params.account,
    // Base64 text is ASCII, so its UTF-8 bytes are its ASCII bytes.
    data: utf8(b64url(utf8(params.transactionJson))),
  });
  const ilpPacket = b64url(packet);
  const fulfilmentBytes = crypto.hmacSha256(secretKey, utf8(ilpPacket));
  return {
    ilpPacket,
    condition: b64url(crypto.sha256(fulfilmentBytes)),
    fulfilment: b64url(fulfilmentBytes),
  };
}
