/** FSPIOP-Signature: pure parts, the Node signer and the WebCrypto signer, verified with node:crypto. */
import { generateKeyPairSync, type KeyObject, verify, webcrypto } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createSubtleJwsSigner,
  encodeProtectedHeader,
  fspiopSignatureHeader,
  fspiopUri,
  jwsSigningInput,
  pemToDer,
  protectedHeaderJson,
  type SubtleLike,
  signFspiop,
} from '../../../lib/protocol/jws.ts';
import { createNodeJwsSigner } from '../../../node/jws-signer.ts';

const BODY = JSON.stringify({
  transferId: '01JBVM14S6SC453EY9XB9GXQB5',
  payeeFsp: 'payeefsp',
  payerFsp: 'payerfsp',
  amount: { currency: 'XXX', amount: '2' },
  note: 'ünïcödé ✓',
});
const HEADER = {
  uri: '/transfers',
  method: 'POST' as const,
  source: 'payerfsp',
  destination: 'payeefsp',
  date: 'Sat, 28 Nov 2026 10:00:00 GMT',
};

let rsa: { privateKey: KeyObject; publicKey: KeyObject };
let ec: { privateKey: KeyObject; publicKey: KeyObject };
beforeAll(() => {
  rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
});

/** What a verifier (the SDK's jwsValidator) does with the header and the parsed body. */
function verifyFspiop(
  headerValue: string,
  body: string,
  publicKey: KeyObject,
  alg: 'RS256' | 'ES256',
): boolean {
  const { signature, protectedHeader } = JSON.parse(headerValue) as {
    signature: string;
    protectedHeader: string;
  };
  const payload = Buffer.from(JSON.stringify(JSON.parse(body)), 'utf8').toString('base64url');
  const input = Buffer.from(`${protectedHeader}.${payload}`, 'ascii');
  const sig = Buffer.from(signature, 'base64url');
  return alg === 'RS256'
    ? verify('sha256', input, publicKey, sig)
    : verify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig);
}

describe('pure JWS parts', () => {
  it('protected header: SDK key order, optional Destination and Date', () => {
    expect(protectedHeaderJson(HEADER)).toBe(
      '{"alg":"RS256","FSPIOP-URI":"/transfers","FSPIOP-HTTP-Method":"POST","FSPIOP-Source":"payerfsp","FSPIOP-Destination":"payeefsp","Date":"Sat, 28 Nov 2026 10:00:00 GMT"}',
    );
    expect(JSON.parse(protectedHeaderJson({ uri: '/parties/MSISDN/1', method: 'GET', source: 'a' }))).toEqual(
      {
        alg: 'RS256',
        'FSPIOP-URI': '/parties/MSISDN/1',
        'FSPIOP-HTTP-Method': 'GET',
        'FSPIOP-Source': 'a',
      },
    );
    const ph = encodeProtectedHeader(HEADER);
    expect(JSON.parse(Buffer.from(ph, 'base64url').toString('utf8'))['FSPIOP-Source']).toBe('payerfsp');
    expect(jwsSigningInput(ph, BODY)).toBe(`${ph}.${Buffer.from(BODY, 'utf8').toString('base64url')}`);
    expect(JSON.parse(fspiopSignatureHeader('sig', ph))).toEqual({ signature: 'sig', protectedHeader: ph });
  });

  it('fspiopUri takes the path from the resource on', () => {
    expect(fspiopUri('http://127.0.0.1:4300/transfers')).toBe('/transfers');
    expect(fspiopUri('http://hub/base/transfers/01JBVM14S6SC453EY9XB9GXQB5/error')).toBe(
      '/transfers/01JBVM14S6SC453EY9XB9GXQB5/error',
    );
    expect(fspiopUri('/parties/MSISDN/123?x=1')).toBe('/parties/MSISDN/123');
    expect(fspiopUri('http://hub/health')).toBeUndefined();
  });

  it('pemToDer', () => {
    const pem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expect(Buffer.from(pemToDer(pem)!).equals(rsa.privateKey.export({ type: 'pkcs8', format: 'der' }))).toBe(
      true,
    );
    expect(pemToDer('no pem here')).toBeUndefined();
  });
});

describe('signers', () => {
  it('Node RS256 signer: verifies with node:crypto; a changed body or header does not', async () => {
    const signer = createNodeJwsSigner(rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string);
    expect(signer.alg).toBe('RS256');
    const header = await signFspiop(HEADER, BODY, signer.sign);
    expect(verifyFspiop(header, BODY, rsa.publicKey, 'RS256')).toBe(true);
    expect(verifyFspiop(header, BODY.replace('"2"', '"3"'), rsa.publicKey, 'RS256')).toBe(false);
    const other = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(verifyFspiop(header, BODY, other, 'RS256')).toBe(false);
    const parsed = JSON.parse(header) as { signature: string; protectedHeader: string };
    const forged = fspiopSignatureHeader(
      parsed.signature,
      encodeProtectedHeader({ ...HEADER, source: 'evil' }),
    );
    expect(verifyFspiop(forged, BODY, rsa.publicKey, 'RS256')).toBe(false);
  });

  it('Node ES256 signer (raw r||s signature)', async () => {
    const signer = createNodeJwsSigner(ec.privateKey);
    expect(signer.alg).toBe('ES256');
    const header = await signFspiop({ ...HEADER, alg: 'ES256' }, BODY, signer.sign);
    expect(Buffer.from(JSON.parse(header).signature, 'base64url')).toHaveLength(64);
    expect(verifyFspiop(header, BODY, ec.publicKey, 'ES256')).toBe(true);
  });

  it('WebCrypto signer (the k6 path) with Node webcrypto: RS256 and ES256 verify with node:crypto', async () => {
    const subtle = webcrypto.subtle as unknown as SubtleLike;
    const rs = createSubtleJwsSigner(
      subtle,
      rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    );
    const rsHeader = await signFspiop(HEADER, BODY, rs);
    expect(verifyFspiop(rsHeader, BODY, rsa.publicKey, 'RS256')).toBe(true);
    // RSASSA-PKCS1-v1_5 is deterministic: same bytes as the Node signer.
    const nodeHeader = await signFspiop(HEADER, BODY, createNodeJwsSigner(rsa.privateKey).sign);
    expect(rsHeader).toBe(nodeHeader);
    const es = createSubtleJwsSigner(
      subtle,
      ec.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      'ES256',
    );
    const esHeader = await signFspiop({ ...HEADER, alg: 'ES256' }, BODY, es);
    expect(verifyFspiop(esHeader, BODY, ec.publicKey, 'ES256')).toBe(true);
  });

  it('refuses unusable keys with a clear error', () => {
    expect(() => createNodeJwsSigner('not a key')).toThrow(/^jws key: expected a PEM private key/);
    expect(() => createNodeJwsSigner(rsa.publicKey)).toThrow(/expected a private key/);
    const ed = generateKeyPairSync('ed25519').privateKey;
    expect(() => createNodeJwsSigner(ed)).toThrow(/RSA or P-256/);
    expect(() =>
      createSubtleJwsSigner(
        webcrypto.subtle as unknown as SubtleLike,
        rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
      ),
    ).toThrow(/PKCS#8/);
  });
});
