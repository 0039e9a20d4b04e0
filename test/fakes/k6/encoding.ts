/** Fake `k6/encoding`: b64encode / b64decode with k6's four alphabets. */
type Enc = 'std' | 'rawstd' | 'url' | 'rawurl';

function buf(input: string | ArrayBuffer | Uint8Array): Buffer {
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  return Buffer.from(input instanceof ArrayBuffer ? new Uint8Array(input) : input);
}

export function b64encode(input: string | ArrayBuffer | Uint8Array, enc: Enc = 'std'): string {
  const b = buf(input);
  if (enc === 'rawurl') return b.toString('base64url');
  if (enc === 'url') return b.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
  if (enc === 'rawstd') return b.toString('base64').replace(/=+$/, '');
  return b.toString('base64');
}

export function b64decode(input: string, _enc: Enc = 'std', format?: 's'): string | ArrayBuffer {
  const b = Buffer.from(input.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (format === 's') return b.toString('utf8');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

export default { b64encode, b64decode };
