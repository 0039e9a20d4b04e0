/**
 * Random bytes drawn in blocks. Each transfer needs ~40 random bytes (ULID, trace context); in k6
 * every `randomBytes` call crosses into Go and back (~20 µs in Sobek), so drawing 4 KiB at a time
 * and handing out slices saves two bridge crossings per transfer. Slices are views of the block:
 * callers own them (the protocol core may overwrite bits in place, as uuidV4 does), and a byte is
 * never handed out twice.
 */
import type { CryptoProvider } from '../protocol/crypto.ts';

export function pooledRandom(base: CryptoProvider, blockSize = 4096): CryptoProvider {
  let block: Uint8Array = new Uint8Array(0);
  // The block's length, kept as a number: reading a typed array's `.length` is slow in Sobek.
  let blockLength = 0;
  let offset = 0;
  // Everything but randomBytes is the base's own (the optional native encoders included: without
  // them the ILP path falls back to per-byte JS loops).
  return {
    ...base,
    randomBytes(n: number): Uint8Array {
      if (n > blockSize) return base.randomBytes(n);
      if (offset + n > blockLength) {
        block = base.randomBytes(blockSize);
        blockLength = block.length;
        offset = 0;
      }
      const out = block.subarray(offset, offset + n);
      offset += n;
      return out;
    },
  };
}
