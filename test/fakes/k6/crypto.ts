/** Fake `k6/crypto` on node:crypto, for the parts the kit uses: sha256, hmac, randomBytes. */
import nodeCrypto from 'node:crypto';

type Input = string | ArrayBuffer | Uint8Array;
type Encoding = 'binary' | 'hex' | 'base64' | 'base64url' | 'base64rawurl';

function bytes(input: Input): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.from(input instanceof ArrayBuffer ? new Uint8Array(input) : input);
}

function encode(digest: Buffer, enc: Encoding): string | ArrayBuffer {
  switch (enc) {
    case 'binary':
      return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength) as ArrayBuffer;
    case 'hex':
      return digest.toString('hex');
    case 'base64':
      return digest.toString('base64');
    case 'base64url':
      return digest.toString('base64url') + '='.repeat((4 - (digest.toString('base64url').length % 4)) % 4);
    case 'base64rawurl':
      return digest.toString('base64url');
  }
}

export function sha256(input: Input, enc: Encoding): string | ArrayBuffer {
  return encode(nodeCrypto.createHash('sha256').update(bytes(input)).digest(), enc);
}

export function hmac(alg: string, key: Input, data: Input, enc: Encoding): string | ArrayBuffer {
  return encode(nodeCrypto.createHmac(alg, bytes(key)).update(bytes(data)).digest(), enc);
}

export function randomBytes(n: number): ArrayBuffer {
  const b = nodeCrypto.randomBytes(n);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export default { sha256, hmac, randomBytes };
