/**
 * Node-native fast paths of the ILP secret schemes (v1 and v4) for the simulator's hot path.
 *
 * The protocol core (lib/protocol/ilp.ts) is pure JS so that it runs inside k6; its base64 and
 * UTF-8 loops cost ~90 us per prepare on a 500-byte packet, the largest single cost of a simulated
 * transfer. These functions do the same with Buffer and node:crypto, and defer to the core for
 * anything unusual (characters outside base64/base64url, malformed packets, non-UTF-8 data), so the
 * result — fulfilment, condition or error — is always exactly the core's. test/sim/fulfil.test.ts
 * checks the equivalence on random transactions.
 */
import { isUtf8 } from 'node:buffer';
import { createHash, createHmac } from 'node:crypto';
import {
  conditionFromFulfilment,
  type DecodeResult,
  fulfilmentFromIlpPacket,
} from '../../lib/protocol/ilp.ts';
import { ILP_CONDITION } from '../../lib/protocol/patterns.ts';
import { nodeCrypto } from '../../node/crypto.ts';

const BASE64_ANY = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** Reads an OER var-length prefix at `pos`; returns [length, next position] or undefined. */
function varLength(b: Buffer, pos: number): [number, number] | undefined {
  if (pos >= b.length) return undefined;
  const first = b[pos]!;
  if (first < 128) return [first, pos + 1];
  const n = first & 0x7f;
  if (n === 0 || n > 4 || pos + 1 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[pos + 1 + i]!;
  return [len, pos + 1 + n];
}

/** Whether `packet` is a well-formed v1 Payment (envelope, amount, account, data; extensions unread). */
function isPayment(packet: Buffer): boolean {
  if (packet[0] !== 1) return false;
  const env = varLength(packet, 1);
  if (!env) return false;
  const [contentLength, start] = env;
  const end = start + contentLength;
  if (end > packet.length) return false;
  const account = varLength(packet, start + 8);
  if (start + 8 > end || !account || account[1] + account[0] > end) return false;
  const data = varLength(packet, account[1] + account[0]);
  return data !== undefined && data[1] <= end && data[1] + data[0] <= end;
}

/** The data field of a Prepare packet, or undefined when the packet is not a well-formed Prepare. */
function prepareData(packet: Buffer): Buffer | undefined {
  if (packet[0] !== 12) return undefined;
  const env = varLength(packet, 1);
  if (!env) return undefined;
  const [contentLength, start] = env;
  const end = start + contentLength;
  if (end > packet.length) return undefined;
  let pos = start + 8 + 17 + 32;
  if (pos > end) return undefined;
  const dest = varLength(packet, pos);
  if (!dest) return undefined;
  pos = dest[1] + dest[0];
  const data = varLength(packet, pos);
  if (!data) return undefined;
  const dataEnd = data[1] + data[0];
  if (dataEnd > end) return undefined;
  return packet.subarray(data[1], dataEnd);
}

/** Length without trailing `=`, as the core's base64 decoder counts it. */
function unpadded(text: string): number {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61) end--;
  return end;
}

/**
 * The fulfilment a payee sharing the secret derives from a packet (`fulfilmentFromIlpPacket`), in
 * the packet's version: v1 (type 1) = HMAC over the packet text as received; v4 (type 12) = HMAC
 * over base64 of its JSON. `key` is `ilpSecretKey(secret)`.
 */
export function deriveFulfilment(ilpPacket: string, key: Uint8Array): DecodeResult<string> {
  if (unpadded(ilpPacket) % 4 !== 1 && BASE64_ANY.test(ilpPacket)) {
    const packet = Buffer.from(ilpPacket, 'base64url');
    if (isPayment(packet)) {
      return { ok: true, value: createHmac('sha256', key).update(ilpPacket, 'latin1').digest('base64url') };
    }
    const data = prepareData(packet);
    if (data) {
      const dataText = data.toString('latin1');
      if (dataText.length % 4 !== 1 && BASE64_ANY.test(dataText)) {
        const json = Buffer.from(dataText, 'base64url');
        if (isUtf8(json)) {
          const b64 = json.toString('base64');
          return { ok: true, value: createHmac('sha256', key).update(b64, 'latin1').digest('base64url') };
        }
      }
    }
  }
  return fulfilmentFromIlpPacket(ilpPacket, key, nodeCrypto);
}

/** base64url(SHA-256(fulfilment bytes)) (`conditionFromFulfilment`); undefined when not 32 bytes. */
export function conditionOf(fulfilment: string): string | undefined {
  // Padded or standard-alphabet forms (never seen on the hot path): let the core decide.
  if (!ILP_CONDITION.test(fulfilment)) return conditionFromFulfilment(fulfilment, nodeCrypto);
  return createHash('sha256').update(Buffer.from(fulfilment, 'base64url')).digest('base64url');
}
