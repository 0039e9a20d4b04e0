/**
 * Optional FSPIOP-Signature (FSPIOP "Signature" spec v1.1; sdk-standard-components jwsSigner):
 * a JWS over the exact body text, detached, sent as the JSON header
 * `{"signature":"<b64url>","protectedHeader":"<b64url(JSON)>"}`. The protected header holds
 * `alg`, `FSPIOP-URI`, `FSPIOP-HTTP-Method`, `FSPIOP-Source` and, when those HTTP headers are sent,
 * `FSPIOP-Destination` and `Date` (the validator requires them to match the HTTP headers exactly).
 *
 * Verifiers rebuild the payload as base64url(JSON.stringify(parsed body)), so the body must be the
 * plain `JSON.stringify` text (no whitespace), which is what this kit sends.
 *
 * The signing itself is asynchronous and injected (`JwsSigner`): k6 uses WebCrypto
 * (`createSubtleJwsSigner` with the global `crypto.subtle`), Node uses node:crypto
 * (node/jws-signer.ts). Everything else here is pure.
 */

import { asciiBytes, base64Decode, base64UrlEncode, utf8Encode } from './bytes.ts';
import type { HttpMethod } from './http.ts';

export type JwsAlg = 'RS256' | 'ES256';

export interface ProtectedHeaderInput {
  /** Default RS256 (the FSPIOP spec's algorithm; the SDK validator also accepts ES256). */
  alg?: JwsAlg;
  /** Path from the resource on, e.g. `/transfers` or `/transfers/01J...` (see `fspiopUri`). */
  uri: string;
  method: HttpMethod;
  source: string;
  /** Include exactly when the FSPIOP-Destination HTTP header is sent. */
  destination?: string;
  /** Include exactly when the Date HTTP header is sent, with the same text. */
  date?: string;
}

/** Signs the ASCII signing input, resolving to the base64url (unpadded) signature. */
export type JwsSigner = (signingInput: string) => Promise<string>;

const RESOURCES =
  /\/(participants|parties|quotes|transfers|transactionRequests|authorizations|bulkQuotes|bulkTransfers|fxQuotes|fxTransfers)(\/[^?#]*)?(?:[?#].*)?$/;

/**
 * The FSPIOP-URI of a URL or path: the path from the resource segment on (`/transfers/{ID}`),
 * without query. Undefined when no FSPIOP resource appears in it.
 */
export function fspiopUri(urlOrPath: string): string | undefined {
  const m = RESOURCES.exec(urlOrPath);
  if (!m) return undefined;
  return `/${m[1]}${m[2] ?? ''}`;
}

/** The protected-header JSON text, keys in the SDK's order. */
export function protectedHeaderJson(h: ProtectedHeaderInput): string {
  const obj: Record<string, string> = {
    alg: h.alg ?? 'RS256',
    'FSPIOP-URI': h.uri,
    'FSPIOP-HTTP-Method': h.method,
    'FSPIOP-Source': h.source,
  };
  if (h.destination !== undefined) obj['FSPIOP-Destination'] = h.destination;
  if (h.date !== undefined) obj.Date = h.date;
  return JSON.stringify(obj);
}

/** base64url(UTF-8 of the protected-header JSON): the first JWS segment. */
export function encodeProtectedHeader(h: ProtectedHeaderInput): string {
  return base64UrlEncode(utf8Encode(protectedHeaderJson(h)));
}

/** `protectedHeaderB64 + '.' + base64url(UTF-8 body)`: the bytes the signature covers. */
export function jwsSigningInput(protectedHeaderB64: string, body: string): string {
  return `${protectedHeaderB64}.${base64UrlEncode(utf8Encode(body))}`;
}

/** The FSPIOP-Signature header value. */
export function fspiopSignatureHeader(signatureB64: string, protectedHeaderB64: string): string {
  return JSON.stringify({ signature: signatureB64, protectedHeader: protectedHeaderB64 });
}

/** Builds the protected header, signs the body with `signer` and returns the header value. */
export async function signFspiop(h: ProtectedHeaderInput, body: string, signer: JwsSigner): Promise<string> {
  const ph = encodeProtectedHeader(h);
  const signature = await signer(jwsSigningInput(ph, body));
  return fspiopSignatureHeader(signature, ph);
}

/** DER bytes of the first PEM block (`-----BEGIN ...-----`), or undefined when there is none. */
export function pemToDer(pem: string): Uint8Array | undefined {
  const m = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/.exec(pem);
  if (!m) return undefined;
  return base64Decode(m[1]!.replace(/\s+/g, ''));
}

/**
 * The slice of WebCrypto `SubtleCrypto` this module needs, typed structurally so the k6 side
 * (which has no DOM types) can pass the global `crypto.subtle`.
 */
export interface SubtleLike {
  importKey(
    format: 'pkcs8',
    keyData: ArrayBuffer,
    algorithm: { name: string; hash?: string; namedCurve?: string },
    extractable: boolean,
    usages: string[],
  ): Promise<unknown>;
  sign(algorithm: { name: string; hash?: string }, key: unknown, data: ArrayBuffer): Promise<ArrayBuffer>;
}

/**
 * A `JwsSigner` over WebCrypto for a PKCS#8 private key (PEM `BEGIN PRIVATE KEY`): RS256 is
 * RSASSA-PKCS1-v1_5 with SHA-256; ES256 is ECDSA P-256 with SHA-256, whose WebCrypto signature is
 * already the raw r||s form JWS wants. The key is imported once, on the first signature.
 */
export function createSubtleJwsSigner(
  subtle: SubtleLike,
  pkcs8Pem: string,
  alg: JwsAlg = 'RS256',
): JwsSigner {
  if (!/BEGIN PRIVATE KEY/.test(pkcs8Pem)) {
    throw new Error('jws key: expected a PKCS#8 PEM private key ("-----BEGIN PRIVATE KEY-----")');
  }
  const der = pemToDer(pkcs8Pem);
  if (!der) throw new Error('jws key: the PEM block is not valid base64');
  const keyData = der.slice().buffer as ArrayBuffer;
  const importAlg =
    alg === 'RS256' ? { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } : { name: 'ECDSA', namedCurve: 'P-256' };
  const signAlg = alg === 'RS256' ? { name: 'RSASSA-PKCS1-v1_5' } : { name: 'ECDSA', hash: 'SHA-256' };
  let key: Promise<unknown> | undefined;
  return async (signingInput) => {
    key ??= subtle.importKey('pkcs8', keyData, importAlg, false, ['sign']);
    const sig = await subtle.sign(signAlg, await key, asciiBytes(signingInput).buffer as ArrayBuffer);
    return base64UrlEncode(new Uint8Array(sig));
  };
}
