/**
 * Per-operation cost of the protocol core: what one iteration spends building a transfer (ids,
 * trace context, headers, ILP material, body text) and reading its outcome.
 *
 * `npx tsx bench/protocol.ts` or `npm run bench -- protocol`; about 10 s in Node. With `K6` naming
 * a k6 binary, the same operations are then timed inside k6 (bundled, k6 crypto provider), about
 * 6 s more: k6's Sobek interpreter is one to two orders of magnitude slower than V8 on JS loops,
 * so those are the figures that size k6 runners. Machines are noisy: compare rows, not runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { K6_BUILD_OPTIONS } from '../build/esbuild-options.ts';
import { fspiopHeaders } from '../lib/protocol/headers.ts';
import { ulid, uuidV4 } from '../lib/protocol/ids.ts';
import { buildIlpV4, fulfilmentFromIlpPacket, ilpSecretKey } from '../lib/protocol/ilp.ts';
import { buildIlpV1, ilpV1Address } from '../lib/protocol/ilp-v1.ts';
import { interpretPostTransferResponse, interpretTransferCallback } from '../lib/protocol/interpret.ts';
import { isoTransfersPostBody } from '../lib/protocol/iso20022.ts';
import { transferMaterialBuilder } from '../lib/protocol/material.ts';
import { fspiopDateTime } from '../lib/protocol/patterns.ts';
import { newTraceContext } from '../lib/protocol/trace.ts';
import { transactionJson } from '../lib/protocol/transaction.ts';
import { nodeCrypto } from '../node/crypto.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The benchmarked operations, written once as source text so the very same code runs in Node
 * (through `new Function`) and in k6 (bundled). `P` holds the prepared inputs, `i` the iteration.
 */
const OPS: ReadonlyArray<[name: string, body: string]> = [
  ['ULID id', 'return ulid(P.now + i, 3, C)'],
  ['UUID v4 id', 'return uuidV4(3, C)'],
  ['traceparent + tracestate', 'return newTraceContext(P.now + i, C).traceparent'],
  ['headers (per request, with trace parts)', 'return P.headers(P.now + i, P.parts)'],
  ['transaction JSON (sorted keys)', 'return transactionJson(P.sample.transaction)'],
  ['ILP v4 packet + condition (HMAC, SHA-256, OER)', 'return buildIlpV4(P.ilpInput, P.key, C).condition'],
  ['ILP v1 packet + condition (OER, HMAC, SHA-256)', 'return buildIlpV1(P.ilpInputV1, P.key, C).condition'],
  ['transfer material, per-transfer ILP v4 (incl. ULID)', 'return P.perTransfer(P.spec(i)).condition'],
  ['transfer material, per-transfer ILP v1 (incl. ULID)', 'return P.perTransferV1(P.spec(i)).condition'],
  ['transfer material, fixed packet v4 (incl. ULID)', 'return P.fixed(P.spec(i)).condition'],
  ['transfer material, fixed packet v1 (incl. ULID)', 'return P.fixedV1(P.spec(i)).condition'],
  ['body serialisation (JSON.stringify)', 'return JSON.stringify(P.sample.body)'],
  [
    'ISO 20022 pacs.008 map + stringify',
    'return JSON.stringify(isoTransfersPostBody(P.sample.body, P.isoHeader))',
  ],
  [
    'full iteration: ids, trace, headers, material, body text',
    'const t = newTraceContext(P.now + i, C); const m = P.perTransfer(P.spec(i)); const h = P.headers(P.now + i, { traceparent: t.traceparent, tracestate: t.tracestate }); return JSON.stringify(m.body).length + h.Date.length',
  ],
  [
    'full iteration, per-transfer ILP v1',
    'const t = newTraceContext(P.now + i, C); const m = P.perTransferV1(P.spec(i)); const h = P.headers(P.now + i, { traceparent: t.traceparent, tracestate: t.tracestate }); return JSON.stringify(m.body).length + h.Date.length',
  ],
  [
    'full iteration, fixed packet',
    'const t = newTraceContext(P.now + i, C); const m = P.fixed(P.spec(i)); const h = P.headers(P.now + i, { traceparent: t.traceparent, tracestate: t.tracestate }); return JSON.stringify(m.body).length + h.Date.length',
  ],
  [
    'interpret PUT /transfers callback (parse + classify)',
    'return interpretTransferCallback(P.callback).kind',
  ],
  ['interpret POST 202', 'return interpretPostTransferResponse(P.accepted).kind'],
  [
    'payee: fulfilment from v4 packet (decode + HMAC)',
    'return fulfilmentFromIlpPacket(P.sample.ilpPacket, P.key, C).ok',
  ],
  [
    'payee: fulfilment from v1 packet (decode + HMAC)',
    'return fulfilmentFromIlpPacket(P.sampleV1.ilpPacket, P.key, C).ok',
  ],
];

/** Source of the input preparation, shared by both runtimes (C is the crypto provider). */
const PREPARE = `
  const now = Date.UTC(2026, 10, 28, 10, 0, 0);
  const expiration = fspiopDateTime(now + 60000);
  const perTransfer = transferMaterialBuilder({ crypto: C, ilpVersion: 'v4' });
  const perTransferV1 = transferMaterialBuilder({ crypto: C, ilpVersion: 'v1' });
  const spec = (i) => ({ transferId: ulid(now + i, 3, C), payerFsp: 'payerfsp', payeeFsp: 'payeefsp',
    payerMsisdn: '27710000001', payeeMsisdn: '27720000001', amount: '10.5', currency: 'XXX', expiration });
  const sample = perTransfer(spec(0));
  const sampleV1 = perTransferV1(spec(0));
  const P = {
    now, spec, sample, sampleV1, perTransfer, perTransferV1,
    fixed: transferMaterialBuilder({ crypto: C, ilp: 'fixed', ilpVersion: 'v4' }),
    fixedV1: transferMaterialBuilder({ crypto: C, ilp: 'fixed', ilpVersion: 'v1' }),
    headers: fspiopHeaders({ resource: 'transfers', version: '1.1', source: 'payerfsp', destination: 'payeefsp' }),
    parts: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'tx_end2end_start_ts=1' },
    key: ilpSecretKey('mojaloop-sdk'),
    ilpInput: { transactionJson: transactionJson(sample.transaction), amount: '10.5', currency: 'XXX', expiration },
    ilpInputV1: { transactionJson: transactionJson(sample.transaction), amount: '10.5', currency: 'XXX', account: ilpV1Address(sample.transaction.payee.partyIdInfo) },
    isoHeader: { msgId: sample.body.transferId, createdAt: expiration },
    callback: JSON.stringify({ completedTimestamp: expiration, transferState: 'COMMITTED', fulfilment: sample.fulfilment }),
    accepted: { status: 202, headers: {}, body: null, durationMs: 1 },
  };
`;

const IMPORTS: Record<string, string[]> = {
  'lib/protocol/headers.ts': ['fspiopHeaders'],
  'lib/protocol/ids.ts': ['ulid', 'uuidV4'],
  'lib/protocol/ilp.ts': ['buildIlpV4', 'fulfilmentFromIlpPacket', 'ilpSecretKey'],
  'lib/protocol/ilp-v1.ts': ['buildIlpV1', 'ilpV1Address'],
  'lib/protocol/interpret.ts': ['interpretPostTransferResponse', 'interpretTransferCallback'],
  'lib/protocol/iso20022.ts': ['isoTransfersPostBody'],
  'lib/protocol/material.ts': ['transferMaterialBuilder'],
  'lib/protocol/patterns.ts': ['fspiopDateTime'],
  'lib/protocol/trace.ts': ['newTraceContext'],
  'lib/protocol/transaction.ts': ['transactionJson'],
};

interface Row {
  name: string;
  nsPerOp: number;
}

function runNode(): Row[] {
  const scope = {
    fspiopHeaders,
    ulid,
    uuidV4,
    buildIlpV4,
    buildIlpV1,
    ilpV1Address,
    fulfilmentFromIlpPacket,
    ilpSecretKey,
    interpretPostTransferResponse,
    interpretTransferCallback,
    isoTransfersPostBody,
    transferMaterialBuilder,
    fspiopDateTime,
    newTraceContext,
    transactionJson,
    C: nodeCrypto,
  };
  const names = Object.keys(scope);
  const P = new Function(...names, `${PREPARE}; return P;`)(...Object.values(scope));
  const rows: Row[] = [];
  for (const [name, body] of OPS) {
    const fn = new Function(...names, 'P', `return (i) => { ${body} };`)(...Object.values(scope), P) as (
      i: number,
    ) => unknown;
    rows.push({ name, nsPerOp: measureNode(fn) });
  }
  return rows;
}

const WARMUP_MS = 100;
const MEASURE_MS = 500;

/** Runs `fn` in growing batches until MEASURE_MS has elapsed; a sink keeps results observable. */
function measureNode(fn: (i: number) => unknown): number {
  let sink = 0;
  let i = 0;
  const warmEnd = performance.now() + WARMUP_MS;
  while (performance.now() < warmEnd) for (let k = 0; k < 32; k++) sink ^= fn(i++) ? 1 : 0;
  let ops = 0;
  let batch = 32;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < MEASURE_MS) {
    for (let k = 0; k < batch; k++) sink ^= fn(i++) ? 1 : 0;
    ops += batch;
    elapsed = performance.now() - start;
    if (elapsed < MEASURE_MS / 10) batch *= 2;
  }
  if (sink === 2) console.log('');
  return (elapsed * 1e6) / ops;
}

/** The k6 script: same preparation and operations, timed with Date.now over a time budget. */
function k6Script(): string {
  const imports = Object.entries(IMPORTS)
    .map(([file, names]) => `import { ${names.join(', ')} } from './${file}';`)
    .join('\n');
  const ops = OPS.map(([name, body]) => `[${JSON.stringify(name)}, (i) => { ${body} }]`).join(',\n');
  return `${imports}
import { k6Crypto as C } from './lib/k6/crypto.ts';
export const options = { iterations: 1, vus: 1 };
export default function () {
  ${PREPARE}
  const OPS = [${ops}];
  const out = [];
  for (const [name, fn] of OPS) {
    let i = 0;
    const warm = Date.now() + 50;
    while (Date.now() < warm) fn(i++);
    let n = 0;
    const start = Date.now();
    let elapsed = 0;
    while (elapsed < 300) { for (let k = 0; k < 8; k++) fn(i++); n += 8; elapsed = Date.now() - start; }
    out.push({ name, nsPerOp: (elapsed * 1e6) / n });
  }
  console.log('BENCH ' + JSON.stringify(out));
}
`;
}

async function runK6(k6: string): Promise<Row[] | string> {
  const r = await build({
    ...K6_BUILD_OPTIONS,
    stdin: { contents: k6Script(), resolveDir: ROOT, loader: 'ts', sourcefile: 'bench-protocol.ts' },
    absWorkingDir: ROOT,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-protocol-'));
  try {
    const file = path.join(dir, 'bench.js');
    writeFileSync(file, r.outputFiles![0]!.text);
    const run = spawnSync(k6, ['run', '--quiet', '--log-format=json', file], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    for (const line of `${run.stdout}\n${run.stderr}`.split('\n')) {
      try {
        const msg = (JSON.parse(line) as { msg?: string }).msg;
        if (msg?.startsWith('BENCH ')) return JSON.parse(msg.slice(6)) as Row[];
      } catch {
        // not a JSON log line
      }
    }
    return `k6 printed no result (exit ${run.status}): ${run.stderr.slice(0, 500)}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function fmt(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

function table(title: string, rows: Row[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  console.log(`\n${title}`);
  console.log(`${'operation'.padEnd(w)}  ${'ns/op'.padStart(11)}  ${'ops/s'.padStart(11)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(w)}  ${fmt(r.nsPerOp).padStart(11)}  ${fmt(1e9 / r.nsPerOp).padStart(11)}`);
  }
}

export async function run(): Promise<void> {
  table(`protocol core in Node ${process.version} (node:crypto provider)`, runNode());
  const k6 = process.env.K6;
  if (k6 === undefined || k6 === '' || !existsSync(k6)) {
    console.log(
      '\nk6 figures skipped: set K6 to a k6 binary (e.g. K6=/work/k6bin/k6) to time the same operations in k6.',
    );
    return;
  }
  const rows = await runK6(k6);
  if (typeof rows === 'string') console.log(`\nk6 figures unavailable: ${rows}`);
  else table(`protocol core in k6 (${k6}, k6/crypto provider with k6/encoding fast paths)`, rows);
}

const invokedDirectly = (() => {
  try {
    return (
      process.argv[1] !== undefined &&
      realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url))
    );
  } catch {
    return false;
  }
})();
if (invokedDirectly) await run();
