/**
 * The FSPIOP JWS signer for Node (simulator, tests, benches), over node:crypto. The algorithm
 * follows the key: RSA keys sign RS256 (RSASSA-PKCS1-v1_5, SHA-256), P-256 keys ES256 with the raw
 * r||s signature JWS requires.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import type { JwsAlg, JwsSigner } from '../lib/protocol/jws.ts';

export interface NodeJwsSigner {
  alg: JwsAlg;
  sign: JwsSigner;
}

/** Accepts a PEM (PKCS#1 or PKCS#8) or a KeyObject; throws naming what is wrong with the key. */
export function createNodeJwsSigner(privateKey: string | KeyObject): NodeJwsSigner {
  let key: KeyObject;
  try {
    key = typeof privateKey === 'string' ? createPrivateKey(privateKey) : privateKey;
  } catch (e) {
    throw new Error(`jws key: expected a PEM private key: ${(e as Error).message}`);
  }
  if (key.type !== 'private') throw new Error(`jws key: expected a private key, got a ${key.type} key`);
  if (key.asymmetricKeyType === 'rsa') {
    return {
      alg: 'RS256',
      sign: async (input) => sign('sha256', Buffer.from(input, 'ascii'), key).toString('base64url'),
    };
  }
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return {
      alg: 'ES256',
      sign: async (input) =>
        sign('sha256', Buffer.from(input, 'ascii'), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url'),
    };
  }
  throw new Error(
    `jws key: expected an RSA or P-256 EC key, got ${key.asymmetricKeyType}${key.asymmetricKeyDetails?.namedCurve ? ` (${key.asymmetricKeyDetails.namedCurve})` : ''}`,
  );
}
