import { hmac, randomBytes, sha256 } from 'k6/crypto';
import { b64decode, b64encode } from 'k6/encoding';
import type { CryptoProvider } from '../protocol/crypto.ts';

/**
 * The protocol core's crypto seam implemented with `k6/crypto` (synchronous, native Go).
 * k6 returns an ArrayBuffer for the 'binary' encoding and accepts ArrayBuffers as input.
 */
function buf(data: Uint8Array): ArrayBuffer {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength
    ? (data.buffer as ArrayBuffer)
    : (data.slice().buffer as ArrayBuffer);
}

export const k6Crypto: CryptoProvider = {
  sha256: (data) => new Uint8Array(sha256(buf(data), 'binary')),
  hmacSha256: (key, data) => new Uint8Array(hmac('sha256', buf(key), buf(data), 'binary')),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  // k6/encoding encodes a JS string as its UTF-8 bytes; decoding the base64 back yields those bytes
  // natively (TextEncoder only exists from k6 2.2). Two native calls beat a per-byte JS loop by ~100x.
  encodeUtf8: (text) => new Uint8Array(b64decode(b64encode(text, 'rawstd'), 'rawstd')),
  encodeBase64: (bytes, variant) => b64encode(buf(bytes), variant),
};
