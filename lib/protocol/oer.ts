/**
 * The OER (Octet Encoding Rules) pieces both ILP packet versions are made of: variable-length
 * prefixes, unsigned 64-bit amounts and a bounds-checked reader. Shared by `ilp.ts` (v4 Prepare)
 * and `ilp-v1.ts` (v1 Payment); pure, k6-safe.
 *
 * A length below 128 is one byte; from 128 on it is `0x80 | n` followed by the n big-endian
 * bytes of the length (n minimal). Readers accept n = 1..4.
 */

/** The outcome of a decoder: the value, or why the bytes are not one. Decoders never throw. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: string };

const UINT64_MAX = 18446744073709551615n;

/** Bytes of an OER length prefix: 1 when < 128, else 1 + the minimal big-endian length bytes. */
export function prefixSize(length: number): number {
  if (length < 128) return 1;
  let n = 1;
  for (let l = length; l > 0; l = Math.floor(l / 256)) n++;
  return n;
}

/** Writes the length prefix at `o`; returns the position after it. */
export function writePrefix(out: Uint8Array, o: number, length: number): number {
  if (length < 128) {
    out[o] = length;
    return o + 1;
  }
  const size = prefixSize(length) - 1;
  out[o] = 0x80 | size;
  for (let i = size, l = length; i >= 1; i--, l = Math.floor(l / 256)) out[o + i] = l & 0xff;
  return o + 1 + size;
}

/** Amounts of up to 15 digits (< 2^53) take the Number path: BigInt steps are slow in k6. */
const SAFE_DIGITS = /^\d{1,15}$/;

/** Throws unless `amount` is the decimal string of an unsigned 64-bit integer. */
export function checkUint64(amount: string): void {
  if (!/^\d{1,20}$/.test(amount) || (amount.length > 15 && BigInt(amount) > UINT64_MAX)) {
    throw new Error(`ilp amount: expected an unsigned 64-bit integer string, got ${JSON.stringify(amount)}`);
  }
}

/** Writes a checked uint64 decimal string as 8 big-endian bytes at `o`. */
export function writeUint64(out: Uint8Array, o: number, amount: string): void {
  if (SAFE_DIGITS.test(amount)) {
    const n = Number(amount);
    const hi = Math.floor(n / 4294967296);
    const lo = n % 4294967296;
    out[o] = hi >>> 24;
    out[o + 1] = (hi >>> 16) & 0xff;
    out[o + 2] = (hi >>> 8) & 0xff;
    out[o + 3] = hi & 0xff;
    out[o + 4] = lo >>> 24;
    out[o + 5] = (lo >>> 16) & 0xff;
    out[o + 6] = (lo >>> 8) & 0xff;
    out[o + 7] = lo & 0xff;
    return;
  }
  let big = BigInt(amount);
  for (let i = 7; i >= 0; i--) {
    out[o + i] = Number(big & 0xffn);
    big >>= 8n;
  }
}

/** Sequential reads over a byte array; every read past the end throws `truncated`. */
export class OerReader {
  pos = 0;
  constructor(private readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.bytes.length) throw new Error('truncated');
    return this.bytes[this.pos++]!;
  }
  take(n: number): Uint8Array {
    if (this.pos + n > this.bytes.length) throw new Error('truncated');
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  varLength(): number {
    const first = this.byte();
    if (first < 128) return first;
    const n = first & 0x7f;
    if (n === 0 || n > 4) throw new Error('bad length prefix');
    let len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + this.byte();
    return len;
  }
  varOctets(): Uint8Array {
    return this.take(this.varLength());
  }
  /** The next 8 bytes as an unsigned big-endian integer, in decimal. */
  uint64(): string {
    let amount = 0n;
    for (const b of this.take(8)) amount = (amount << 8n) | BigInt(b);
    return amount.toString();
  }
}
