/**
 * Fuzz: at least 10 000 randomized malformed requests (seeded, reproducible) against every surface
 * of the all-in-one simulator over real HTTP, plus malformed HTTP on raw sockets. Asserts the
 * process stays up, no handler or task ever failed, memory stays bounded, and every answer is well
 * formed: a 2xx, or JSON `errorInformation` with a four-digit code and a 1..128-character description.
 * Set FUZZ_REQUESTS / FUZZ_SEED to run more or another sequence.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpMethod } from '../../lib/protocol/http.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { uniformSource as rng } from '../../node/prng.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  client,
  headers,
  json,
  ledger,
  newTransfer,
  postTransfer,
  request,
  startSim,
  waitOutcome,
} from './helpers.ts';

const N = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);
const CONCURRENCY = 32;

interface Health {
  errors: { handlers: number; tasks: number };
  process: { heapUsedBytes: number; rssBytes: number };
}

let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await startSim({
    maxBodyBytes: 32 * 1024,
    outboundTimeoutMs: 200,
    transferRetention: { ttlMs: 300_000, max: 5000 },
    relay: { ttlMs: 300_000, max: 5000, maxWaiters: 500 },
  });
});

afterAll(async () => {
  await sim.close();
});

function generator(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const chance = (p: number) => r() < p;
  const str = (n: number, alphabet = 'abcXYZ019-_.~%/?#&=+ {}[]":,\\\u00e9\u4e2d\ud83d\ude00'): string => {
    let s = '';
    const len = Math.floor(r() * n);
    for (let i = 0; i < len; i++) s += alphabet[Math.floor(r() * alphabet.length)];
    return s;
  };
  // Cheap ids and one precomputed transfer body: the client must not be the bottleneck.
  const id = () => ulid(Date.now(), 900, nodeCrypto);
  const baseTransfer = newTransfer({ runner: 900 }).body;
  const junkValue = (): unknown =>
    pick([
      null,
      true,
      0,
      -1,
      1e308,
      '',
      str(20),
      str(300),
      [],
      {},
      [1, 'a', null],
      { a: { b: { c: [] } } },
      '2030-01-01T00:00:00.000Z',
      'NaN',
    ]);

  /** A valid-looking body, then broken in one or more ways. */
  const mutatedBody = (): string => {
    const base: Record<string, unknown> = pick([
      () => ({ ...baseTransfer, transferId: id() }),
      () => ({
        fulfilment: 'A'.repeat(43),
        completedTimestamp: new Date().toISOString(),
        transferState: pick(['COMMITTED', 'RESERVED', 'ABORTED', 'X']),
      }),
      () => ({
        errorInformation: {
          errorCode: pick(['5100', '9999', '12', 'abcd', 3100]),
          errorDescription: str(200),
        },
      }),
      () => ({
        quoteId: id(),
        transactionId: id(),
        payer: {},
        payee: { partyIdInfo: { fspId: 'payeefsp' } },
        amountType: 'SEND',
        amount: { currency: 'XXX', amount: '1' },
        transactionType: {},
      }),
      () => ({ party: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: str(10) } } }),
      () => ({ fspId: 'payeefsp', transfersPostRequest: { transferId: id() } }),
      () => ({
        GrpHdr: { MsgId: str(40), CreDtTm: 'x' },
        CdtTrfTxInf: { PmtId: { TxId: id() }, VrfctnOfTerms: { IlpV4PrepPacket: str(50) } },
      }),
    ])();
    const keys = Object.keys(base);
    const edits = 1 + Math.floor(r() * 3);
    for (let i = 0; i < edits; i++) {
      const k = pick(keys);
      switch (Math.floor(r() * 4)) {
        case 0:
          delete base[k];
          break;
        case 1:
          base[k] = junkValue();
          break;
        case 2:
          base[str(8) || 'extra'] = junkValue();
          break;
        default:
          base[k] = str(60);
      }
    }
    const text = JSON.stringify(base);
    return pick([
      () => text,
      () => text.slice(0, Math.floor(r() * text.length)),
      () => `${text}}`,
      () => '[' + text + ']',
      () => str(200),
      () => '{"a":'.repeat(2000),
      () => '',
      () => 'null',
      () => JSON.stringify(str(100)),
      () => '\u0000\u0001\u00ff',
    ])();
  };

  const path = (): string =>
    pick([
      () => '/transfers',
      () => `/transfers/${pick([id(), str(30), '', '..', '%zz', id().toLowerCase()])}`,
      () => `/transfers/${id()}/error`,
      () => `/transfers/${id()}/${str(10)}`,
      () =>
        `/parties/${pick(['MSISDN', 'EMAIL', 'XX', '', str(5)])}/${str(12) || 'x'}${chance(0.3) ? `/${str(5)}` : ''}${chance(0.3) ? '/error' : ''}`,
      () => `/quotes${chance(0.5) ? `/${pick([id(), str(10)])}` : ''}${chance(0.3) ? '/error' : ''}`,
      () =>
        `/dfsp/${pick(['payerfsp', 'payeefsp', 'ghost', str(6)])}/${pick(['transfers', 'parties/MSISDN/1', 'quotes', `transfers/${id()}`, `transfers/${id()}/error`, str(10)])}`,
      () =>
        `/dfsp/payerfsp/outbound/${pick(['transfers', 'quotes', 'simpleTransfers', 'parties/MSISDN/1', 'parties/XX/1', str(10)])}`,
      // Long-polls are legitimate waits: keep their timeouts short (or malformed) so the fuzz stays fast.
      () =>
        `/relay/${pick(['outcomes', 'stats', str(8)])}?${pick([
          `runner=${pick(['1', '-1', '99999', 'x', ''])}&max=${pick(['0', '5', 'x', '100000'])}&cursor=${str(10)}&waitMs=${pick(['0', 'x', '-5', '10'])}`,
          str(20),
        ])}`,
      () =>
        `/relay/${pick([`wait/${id()}`, `wait/${str(80)}`, `phase/parties/${str(5)}`, `phase/quotes/${id()}`, `phase/${str(4)}/x`])}?${str(10)}&timeoutMs=${pick(['0', '20', 'x', '-1', '99999999'])}`,
      () =>
        `/admin/${pick(['ledger', 'faults', 'participants', 'oracle', `ledger/transfers/${str(10)}`, str(8)])}`,
      () => `/${str(40)}`,
      () => `/${'a/'.repeat(200)}`,
    ])();

  const method = (): HttpMethod => pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const);

  const hdrs = (p: string): Record<string, string> => {
    const resource = p.split('/')[1] === 'dfsp' ? 'transfers' : (p.split('/')[1] ?? 'transfers');
    const h = headers({
      resource: /^[a-z]+$/.test(resource) ? resource : 'transfers',
      version: pick(['1.0', '1.1', '2.0', '3.0', '1', 'x']),
      api: chance(0.15) ? 'iso20022' : 'fspiop',
      source: pick(['payerfsp', 'payeefsp', 'ghost', '']),
      destination: pick(['payeefsp', 'payerfsp', 'ghost']),
    });
    for (const k of Object.keys(h)) {
      if (chance(0.12)) delete h[k];
      else if (chance(0.08)) h[k] = str(40, 'abc;=,/+ 019');
    }
    if (chance(0.05)) h['content-type'] = 'application/vnd.interoperability.transfers+json ; version=1.1';
    return h;
  };

  return (): { method: HttpMethod; path: string; headers: Record<string, string>; body?: string } => {
    const p = path();
    const m = method();
    const body = m === 'GET' || m === 'DELETE' ? (chance(0.1) ? mutatedBody() : undefined) : mutatedBody();
    // Never send a syntactically valid admin change: the fuzz must not switch faults or reset the ledger.
    const safeBody = p.startsWith('/admin/') && m !== 'GET' && body !== undefined ? `{${body}` : body;
    // '#' starts a URL fragment, which never goes on the wire: encode it so the path is sent whole.
    return { method: m, path: p.replace(/#/g, '%23'), headers: hdrs(p), body: safeBody };
  };
}

/**
 * A 2xx, or JSON errorInformation with a four-digit code. The DFSP outbound API (not FSPIOP) answers
 * its own errors in the sdk-scheme-adapter shape `{message, statusCode}` (timeouts 500/504), which
 * is accepted for /outbound/ paths.
 */
function wellFormed(status: number, body: string | null, path = ''): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status === 0) return 'no response';
  if (body === null) return `HTTP ${status} without a body`;
  let v: unknown;
  try {
    v = JSON.parse(body);
  } catch {
    return `HTTP ${status} body is not JSON: ${body.slice(0, 80)}`;
  }
  if (path.includes('/outbound/')) {
    const sdk = v as { message?: unknown; statusCode?: unknown };
    if (typeof sdk.message === 'string' && typeof sdk.statusCode === 'string') return undefined;
  }
  const info = (v as { errorInformation?: { errorCode?: unknown; errorDescription?: unknown } })
    .errorInformation;
  if (!info) return `HTTP ${status} without errorInformation: ${body.slice(0, 120)}`;
  if (typeof info.errorCode !== 'string' || !/^[1-9]\d{3}$/.test(info.errorCode))
    return `bad errorCode ${String(info.errorCode)}`;
  if (
    typeof info.errorDescription !== 'string' ||
    info.errorDescription.length < 1 ||
    info.errorDescription.length > 128
  ) {
    return `bad errorDescription ${JSON.stringify(info.errorDescription)}`;
  }
  if (status >= 500 && info.errorCode === '2001') return `internal error: ${info.errorDescription}`;
  return undefined;
}

async function health(): Promise<Health> {
  return json<Health>(await request('GET', `${sim.url}/health`));
}

describe(`fuzz (${N} malformed requests, seed ${SEED})`, () => {
  it('every answer is well formed, nothing fails, memory stays bounded', async () => {
    const next = generator(SEED);
    const before = await health();
    const problems: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    const worker = async () => {
      while (sent < N) {
        sent++;
        const q = next();
        const res = await client.request({
          ...q,
          url: `${sim.url}${q.path}`,
          name: 'fuzz',
          wantBody: true,
          timeoutMs: 10_000,
        });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const bad = wellFormed(res.status, res.body, q.path);
        if (bad && problems.length < 20) problems.push(`${q.method} ${q.path.slice(0, 80)} -> ${bad}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect(problems).toEqual([]);
    expect(sent).toBeGreaterThanOrEqual(N);
    // The fuzz reached the deep paths, not just the router's 404.
    for (const s of [200, 202, 400, 404, 405, 406])
      expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);

    const after = await health();
    expect(after.errors).toEqual({ handlers: 0, tasks: 0 });
    expect(after.process.heapUsedBytes - before.process.heapUsedBytes).toBeLessThan(96 * 1024 * 1024);
    const l = await ledger(sim);
    expect(l.transfers.retained).toBeLessThanOrEqual(5000);

    // Still fully functional.
    const t = newTransfer();
    expect((await postTransfer(sim, t.body)).status).toBe(202);
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
  }, 120_000);

  it('malformed HTTP on raw sockets gets a 400 with errorInformation, and the server stays up', async () => {
    const url = new URL(sim.url);
    const r = rng(SEED + 1);
    const garbage = [
      'GARBAGE\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'POST /transfers HTTP/1.1\r\nContent-Length: abc\r\n\r\n',
      'POST /transfers HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'GET /transfers HTTP/1.1\r\nBad Header\r\n\r\n',
      `GET /${'x'.repeat(100_000)} HTTP/1.1\r\n\r\n`,
      `GET / HTTP/1.1\r\nX: ${'y'.repeat(20_000)}\r\n\r\n`,
    ];
    for (let i = 0; i < 40; i++) {
      const payload =
        i < garbage.length
          ? garbage[i]!
          : `${String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(r() * 256)))}\r\n\r\n`;
      const reply = await new Promise<string>((resolve) => {
        const sock = net.connect(Number(url.port), url.hostname);
        let data = '';
        sock.setTimeout(3000, () => sock.destroy());
        sock.on('data', (d) => (data += d.toString('latin1')));
        sock.on('error', () => resolve(data));
        sock.on('close', () => resolve(data));
        sock.write(payload, 'latin1');
      });
      if (reply === '') continue; // the peer may just close on some inputs
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(reply)?.[1]);
      expect(status, JSON.stringify(payload.slice(0, 40))).toBeGreaterThanOrEqual(400);
      const body = reply.slice(reply.indexOf('\r\n\r\n') + 4);
      if (status === 400) expect(wellFormed(status, body), payload.slice(0, 40)).toBeUndefined();
    }
    expect((await health()).errors.handlers).toBe(0);
  });
});
