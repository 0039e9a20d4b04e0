/**
 * The one seam through which the sans-IO protocol core reaches hashing, HMAC and randomness.
 *
 * k6 implements it with `k6/crypto` (lib/k6/crypto.ts); Node with `node:crypto` (node/crypto.ts).
 * Everything is synchronous on purpose: k6's WebCrypto `subtle` is promise-based and would
 * lengthen every iteration, while `k6/crypto` runs natively and returns at once.
 */
export interface CryptoProvider {
  /** SHA-256 digest of `data` (32 bytes). */
  sha256(data: Uint8Array): Uint8Array;
  /** HMAC-SHA256 of `data` under `key` (32 bytes). */
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** `n` cryptographically random bytes. */
  randomBytes(n: number): Uint8Array;
  /**
   * Optional native UTF-8 encoding (same result as `utf8Encode` in bytes.ts). The per-transfer ILP
   * path uses it when present: k6's interpreter pays about a microsecond per byte in a JS loop,
   * a native call a few microseconds in all.
   */
  encodeUtf8?(text: string): Uint8Array;
  /** Optional native base64: `std` is padded RFC 4648 §4, `rawurl` unpadded §5. Same reason. */
  encodeBase64?(bytes: Uint8Array, variant: 'std' | 'rawurl'): string;
}
