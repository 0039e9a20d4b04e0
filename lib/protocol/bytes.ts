/**
 * Byte and text helpers that work in k6 (no TextEncoder before k6 2.2, no Buffer, no atob)
 * and in Node alike. Pure functions, no allocation beyond their results.
 */

const B64_STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Reverse lookup accepting both alphabets (`+`/`-` and `/`/`_`). */
const B64_DECODE: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1);
  for (let i = 0; i < 64; i++) {
    table[B64_STD.charCodeAt(i)] = i;
    table[B64_URL.charCodeAt(i)] = i;
  }
  return table;
})();

function encodeBase64(bytes: Uint8Array, alphabet: string, pad: boolean): string {
  let out = '';
  const n = bytes.length;
  let i = 0;
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out +=
      alphabet[(v >>> 18) & 63]! + alphabet[(v >>> 12) & 63]! + alphabet[(v >>> 6) & 63]! + alphabet[v & 63]!;
  }
  const rest = n - i;
  if (rest === 1) {
    const v = bytes[i]! << 16;
    out += alphabet[(v >>> 18) & 63]! + alphabet[(v >>> 12) & 63]! + (pad ? '==' : '');
  } else if (rest === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out +=
      alphabet[(v >>> 18) & 63]! + alphabet[(v >>> 12) & 63]! + alphabet[(v >>> 6) & 63]! + (pad ? '=' : '');
  }
  return out;
}

/** Standard base64 with `=` padding (RFC 4648 §4). */
export function base64Encode(bytes: Uint8Array): string {
  return encodeBase64(bytes, B64_STD, true);
}

/** base64url without padding (RFC 4648 §5), the encoding of FSPIOP `ilpPacket`, `condition`, `fulfilment`. */
export function base64UrlEncode(bytes: Uint8Array): string {
  return encodeBase64(bytes, B64_URL, false);
}

/**
 * Decodes base64 or base64url, padded or not. Returns `undefined` for any character outside both
 * alphabets, misplaced padding, or an impossible length, so callers can turn bad input into a
 * protocol error instead of an exception.
 */
export function base64Decode(text: string): Uint8Array | undefined {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 61 /* = */) end--;
  if (text.length - end > 2) return undefined;
  if (end % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((end * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_DECODE[c]! : -1;
    if (v < 0) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  return out;
}

/**
 * UTF-8 encoding of a JS string (lone surrogates become U+FFFD, as TextEncoder does).
 * Two passes (measure, then write) so the hot path allocates only its result.
 */
export function utf8Encode(text: string): Uint8Array {
  const n = text.length;
  let size = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) size += 1;
    else if (c < 0x800) size += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
      size += 4;
      i++;
    } else size += 3;
  }
  const out = new Uint8Array(size);
  if (size === n) {
    for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i);
    return out;
  }
  let o = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[o++] = c;
      continue;
    }
    if (c < 0x800) {
      out[o++] = 0xc0 | (c >>> 6);
      out[o++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n && isLowSurrogate(text.charCodeAt(i + 1))) {
      c = 0x10000 + ((c - 0xd800) << 10) + (text.charCodeAt(++i) - 0xdc00);
      out[o++] = 0xf0 | (c >>> 18);
      out[o++] = 0x80 | ((c >>> 12) & 63);
      out[o++] = 0x80 | ((c >>> 6) & 63);
      out[o++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    out[o++] = 0xe0 | (c >>> 12);
    out[o++] = 0x80 | ((c >>> 6) & 63);
    out[o++] = 0x80 | (c & 63);
  }
  return out;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function isContinuation(b: number | undefined): boolean {
  return b !== undefined && (b & 0xc0) === 0x80;
}

/**
 * UTF-8 decoding; every invalid or truncated sequence becomes one U+FFFD. Never throws, whatever
 * the bytes (they may come from a decoded ILP packet sent by anyone).
 */
export function utf8Decode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i]!;
    let cp = 0xfffd;
    let len = 1;
    if (b < 0x80) cp = b;
    else if (b >= 0xc2 && b < 0xe0 && isContinuation(bytes[i + 1])) {
      cp = ((b & 31) << 6) | (bytes[i + 1]! & 63);
      len = 2;
    } else if (b >= 0xe0 && b < 0xf0 && isContinuation(bytes[i + 1]) && isContinuation(bytes[i + 2])) {
      const v = ((b & 15) << 12) | ((bytes[i + 1]! & 63) << 6) | (bytes[i + 2]! & 63);
      if (v >= 0x800 && (v < 0xd800 || v > 0xdfff)) {
        cp = v;
        len = 3;
      }
    } else if (
      b >= 0xf0 &&
      b < 0xf5 &&
      isContinuation(bytes[i + 1]) &&
      isContinuation(bytes[i + 2]) &&
      isContinuation(bytes[i + 3])
    ) {
      const v =
        ((b & 7) << 18) | ((bytes[i + 1]! & 63) << 12) | ((bytes[i + 2]! & 63) << 6) | (bytes[i + 3]! & 63);
      if (v >= 0x10000 && v <= 0x10ffff) {
        cp = v;
        len = 4;
      }
    }
    out += String.fromCodePoint(cp);
    i += len;
  }
  return out;
}

/**
 * The string whose char codes are the bytes (Latin-1 view), built in chunks: spreading a large
 * array into `String.fromCharCode` overflows the call stack (ILP data may be tens of KB).
 */
export function bytesToLatin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192) as unknown as number[]);
  }
  return out;
}

/** ASCII bytes of a string known to be ASCII (base64 text, ILP addresses, timestamps). */
export function asciiBytes(text: string): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

const HEX_BYTE: readonly string[] = Array.from(
  { length: 256 },
  (_, b) => (b < 16 ? '0' : '') + b.toString(16),
);

/**
 * Lower-case hex of bytes (one table lookup per byte: trace ids are made per transfer).
 * Shaped for Sobek, where it runs per iteration (measured in k6 2.2 on 24 bytes: 19.5 µs → 6 µs):
 * a typed array's `.length` is a slow property read there, so it is read once, and each `+=` onto
 * the growing result costs more than joining four short strings first.
 */
export function hexEncode(bytes: Uint8Array): string {
  const n = bytes.length;
  let out = '';
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    out +=
      HEX_BYTE[bytes[i]!]! + HEX_BYTE[bytes[i + 1]!]! + HEX_BYTE[bytes[i + 2]!]! + HEX_BYTE[bytes[i + 3]!]!;
  }
  for (; i < n; i++) out += HEX_BYTE[bytes[i]!]!;
  return out;
}

/**
 * One byte per UTF-16 code unit, its low byte: what Node's Buffer writes for the 'ascii' and
 * 'latin1' encodings (`ilp-packet` writes ILP addresses so). Equals `asciiBytes` on ASCII text.
 */
export function latin1Bytes(text: string): Uint8Array {
  const n = text.length;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}
