import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { CryptoProvider } from '../lib/protocol/crypto.ts';

/** The protocol core's crypto seam implemented with `node:crypto`, for the simulator, tests and benches. */
export const nodeCrypto: CryptoProvider = {
  sha256: (data) => new Uint8Array(createHash('sha256').update(data).digest()),
  hmacSha256: (key, data) => new Uint8Array(createHmac('sha256', key).update(data).digest()),
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
};
