import { createHash, createHmac, randomFillSync } from 'node:crypto';
import type { CryptoProvider } from '../lib/protocol/crypto.ts';

/**
 * Random bytes are served from an 8 KiB pool refilled with one `randomFillSync`: a separate
 * `randomBytes(16)` call per id costs ~5 µs on a small VM, the pooled copy ~0.1 µs. Each pooled
 * byte is handed out once, so the output is as random as direct calls.
 */
const POOL_SIZE = 8192;
const pool = new Uint8Array(POOL_SIZE);
let poolPos = POOL_SIZE;

function randomBytes(n: number): Uint8Array {
  if (n > POOL_SIZE / 4) return randomFillSync(new Uint8Array(n));
  if (poolPos + n > POOL_SIZE) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const out = pool.slice(poolPos, poolPos + n);
  poolPos += n;
  return out;
}

/** The protocol core's crypto seam implemented with `node:crypto`, for the simulator, tests and benches. */
export const nodeCrypto: CryptoProvider = {
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  randomBytes,
  encodeUtf8: (text) => Buffer.from(text, 'utf8'),
  encodeBase64: (bytes, variant) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString(
      variant === 'std' ? 'base64' : 'base64url',
    ),
};
