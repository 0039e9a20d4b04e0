/**
 * On a real k6 (only when `K6` names a binary): the protocol core bundled for k6 and run with the
 * k6 crypto provider (k6/crypto + the k6/encoding fast paths) must produce byte-identical ILP
 * material, canonical JSON, headers and outcomes to the Node run with node:crypto, and k6's
 * WebCrypto must sign FSPIOP JWS (RS256) exactly as node:crypto does. This is the check that the
 * Sobek-specific paths (native UTF-8/base64, BigInt, typed-array `apply`, `crypto.subtle`) agree.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { K6_BUILD_OPTIONS } from '../../../build/esbuild-options.ts';
import { canonicalJson } from '../../../lib/protocol/canonical-json.ts';
import { fspiopHeaders } from '../../../lib/protocol/headers.ts';
import { fulfilmentFromIlpPacket, ilpSecretKey } from '../../../lib/protocol/ilp.ts';
import { interpretTransferCallback } from '../../../lib/protocol/interpret.ts';
import { signFspiop } from '../../../lib/protocol/jws.ts';
import { type TransferSpec, transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { createNodeJwsSigner } from '../../../node/jws-signer.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const K6 = process.env.K6;
const hasK6 = K6 !== undefined && K6 !== '' && existsSync(K6);

const SPECS: TransferSpec[] = [
  {
    transferId: '01JBVM14S6SC453EY9XB9GXQB5',
    payerFsp: 'payerfsp',
    payeeFsp: 'payeefsp',
    payerMsisdn: '27710000001',
    payeeMsisdn: '27720000001',
    amount: '10.5',
    currency: 'USD',
    expiration: '2030-01-01T00:00:00.123Z',
  },
  {
    transferId: '01JBVM14S6SC453EY9XB9GXQB6',
    payerFsp: 'a',
    payeeFsp: 'b',
    amount: '999999999999999',
    currency: 'XXX',
    expiration: '9999-12-31T23:59:59.999Z',
    note: 'ünïcödé ✓ 🚀 "quoted"',
  },
  {
    transferId: 'b51ec534-ee48-4575-b6a9-ead2955b8069',
    payerFsp: 'x'.repeat(32),
    payeeFsp: 'y',
    amount: '1844674407370955',
    currency: 'JPY',
    expiration: '2026-11-28T10:00:00.000+02:00',
    note: 'x'.repeat(300),
  },
  {
    transferId: '01JBVM14S6SC453EY9XB9GXQB7',
    payerFsp: 'p',
    payeeFsp: 'q',
    amount: '0.001',
    currency: 'BHD',
    expiration: '2030-06-30T12:34:56.789Z',
  },
];
const CALLBACKS: Array<[string, boolean]> = [
  ['{"transferState":"COMMITTED","fulfilment":"V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0"}', false],
  ['{"transferState":"RESERVED"}', false],
  ['{"errorInformation":{"errorCode":"3303","errorDescription":"Transfer expired"}}', true],
  ['{"GrpHdr":{},"TxInfAndSts":{"TxSts":"COMM"}}', false],
  ['{not json', false],
];

function nodeResults(): unknown {
  const per = transferMaterialBuilder({ crypto: nodeCrypto });
  const fixed = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed' });
  const key = ilpSecretKey('mojaloop-sdk');
  const headers = fspiopHeaders({
    resource: 'transfers',
    version: '2.0',
    source: 'payerfsp',
    destination: 'payeefsp',
  });
  return {
    material: SPECS.map((s) => {
      const m = per(s);
      return {
        body: JSON.stringify(m.body),
        fulfilment: m.fulfilment,
        derived: fulfilmentFromIlpPacket(m.ilpPacket, key, nodeCrypto),
      };
    }),
    fixed: JSON.stringify(fixed(SPECS[0]!)),
    canonical: canonicalJson({ z: [1, { b: 2, a: 'é' }], a: null, m: { y: 1, x: 2 } }),
    headers: headers(1_764_324_000_999, { traceparent: 't', tracestate: 's' }),
    outcomes: CALLBACKS.map(([b, e]) => interpretTransferCallback(b, e)),
  };
}

const JWS_HEADER = {
  uri: '/transfers',
  method: 'POST' as const,
  source: 'payerfsp',
  destination: 'payeefsp',
  date: 'Sat, 28 Nov 2026 10:00:00 GMT',
};
const JWS_BODY = JSON.stringify({ transferId: '01JBVM14S6SC453EY9XB9GXQB5', note: 'ünïcödé ✓ 🚀' });
/** Generated only when the k6 test runs (RSA key generation is not free). */
let PEM = '';

const SCRIPT = (specs: string, callbacks: string) => `
import { k6Crypto } from './lib/k6/crypto.ts';
import { canonicalJson } from './lib/protocol/canonical-json.ts';
import { fspiopHeaders } from './lib/protocol/headers.ts';
import { fulfilmentFromIlpPacket, ilpSecretKey } from './lib/protocol/ilp.ts';
import { interpretTransferCallback } from './lib/protocol/interpret.ts';
import { createSubtleJwsSigner, signFspiop } from './lib/protocol/jws.ts';
import { transferMaterialBuilder } from './lib/protocol/material.ts';
export const options = { iterations: 1, vus: 1 };
const JWS_HEADER = ${JSON.stringify(JWS_HEADER)};
const PEM = ${JSON.stringify(PEM)};
const JWS_BODY = ${JSON.stringify(JWS_BODY)};
const SPECS = ${specs};
const CALLBACKS = ${callbacks};
export default async function () {
  const per = transferMaterialBuilder({ crypto: k6Crypto });
  const fixed = transferMaterialBuilder({ crypto: k6Crypto, ilp: 'fixed' });
  const key = ilpSecretKey('mojaloop-sdk');
  const headers = fspiopHeaders({ resource: 'transfers', version: '2.0', source: 'payerfsp', destination: 'payeefsp' });
  const out = {
    material: SPECS.map((s) => {
      const m = per(s);
      return { body: JSON.stringify(m.body), fulfilment: m.fulfilment, derived: fulfilmentFromIlpPacket(m.ilpPacket, key, k6Crypto) };
    }),
    fixed: JSON.stringify(fixed(SPECS[0])),
    canonical: canonicalJson({ z: [1, { b: 2, a: 'é' }], a: null, m: { y: 1, x: 2 } }),
    headers: headers(1764324000999, { traceparent: 't', tracestate: 's' }),
    outcomes: CALLBACKS.map(([b, e]) => interpretTransferCallback(b, e)),
    // RSASSA-PKCS1-v1_5 is deterministic: k6's WebCrypto must give Node's exact signature.
    signature: await signFspiop(JWS_HEADER, JWS_BODY, createSubtleJwsSigner(crypto.subtle, PEM)),
  };
  console.log('RESULT ' + JSON.stringify(out));
}
`;

const dir = mkdtempSync(path.join(tmpdir(), 'protocol-k6-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!hasK6)(`protocol core on a real k6 (${K6})`, () => {
  it('produces the same material, JSON, headers, outcomes and JWS signature as Node', async () => {
    PEM = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({
      type: 'pkcs8',
      format: 'pem',
    }) as string;
    // Bundled from stdin with the repo as resolve root: no temporary file inside the working tree.
    const r = await build({
      ...K6_BUILD_OPTIONS,
      stdin: {
        contents: SCRIPT(JSON.stringify(SPECS), JSON.stringify(CALLBACKS)),
        resolveDir: ROOT,
        loader: 'ts',
        sourcefile: 'parity.ts',
      },
      absWorkingDir: ROOT,
    });
    const bundle = r.outputFiles![0]!.text;
    const file = path.join(dir, 'parity.js');
    writeFileSync(file, bundle);
    const run = spawnSync(K6!, ['run', '--quiet', '--log-format=json', file], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = `${run.stdout}\n${run.stderr}`
      .split('\n')
      .map((l) => {
        try {
          return (JSON.parse(l) as { msg?: string }).msg;
        } catch {
          return undefined;
        }
      })
      .find((m) => m?.startsWith('RESULT '));
    expect(line, `k6 printed no RESULT line:\n${run.stderr}`).toBeDefined();
    const k6 = JSON.parse(line!.slice('RESULT '.length));
    const node = JSON.parse(JSON.stringify(nodeResults())) as Record<string, unknown>;
    node.signature = await signFspiop(JWS_HEADER, JWS_BODY, createNodeJwsSigner(PEM).sign);
    expect(k6).toEqual(node);
  });
});

describe.skipIf(hasK6)('protocol core on a real k6', () => {
  it('skipped: set K6 to a k6 binary (e.g. K6=/work/k6bin/k6) to compare the k6 and Node outputs', () => {});
});
