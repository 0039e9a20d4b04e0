/**
 * The hub's synchronous checks (headers, body schema, paths, methods, body cap) and asynchronous
 * prepare checks (3100 reasons, liquidity 4001, NDC 4200), over real HTTP, with the exact codes,
 * HTTP statuses and error-description format of the reference hub.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  CaptureServer,
  headers,
  json,
  ledger,
  newTransfer,
  postTransfer,
  request,
  startSim,
  TRACE_ID,
} from './helpers.ts';

type ErrorBody = {
  errorInformation: {
    errorCode: string;
    errorDescription: string;
    extensionList?: { extension: Array<{ key: string; value: string }> };
  };
};

let sim: SimulatorHandle;
let payer: CaptureServer;

beforeAll(async () => {
  payer = await new CaptureServer().start();
  sim = await startSim({
    maxBodyBytes: 64 * 1024,
    participants: [
      { fspId: 'payerfsp', placement: 'payer' },
      { fspId: 'payeefsp' },
      { fspId: 'testpayer', endpoint: payer.url, currencies: ['XXX'] },
      { fspId: 'poorpayer', endpoint: payer.url, currencies: [{ currency: 'XXX', liquidity: '5' }] },
      {
        fspId: 'cappedpayer',
        endpoint: payer.url,
        currencies: [{ currency: 'XXX', liquidity: '100', ndc: '5' }],
      },
      { fspId: 'inactive', endpoint: payer.url, active: false },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await payer.close();
});

function expectError(res: { status: number; body: string | null }, status: number, code: string): ErrorBody {
  expect(res.status).toBe(status);
  const b = JSON.parse(res.body ?? '') as ErrorBody;
  expect(b.errorInformation.errorCode).toBe(code);
  expect(b.errorInformation.errorDescription.length).toBeLessThanOrEqual(128);
  return b;
}

describe('synchronous header validation', () => {
  const ct = (r: string, v: string) => `application/vnd.interoperability.${r}+json;version=${v}`;
  const cases: Array<{
    name: string;
    h: Record<string, string | undefined>;
    status: number;
    code: string;
    prefix: string;
  }> = [
    {
      name: 'missing Accept on POST',
      h: { accept: undefined },
      status: 400,
      code: '3102',
      prefix: 'Missing mandatory element - ',
    },
    {
      name: 'Accept naming another resource',
      h: { accept: ct('quotes', '1.1') },
      status: 400,
      code: '3101',
      prefix: 'Malformed syntax - ',
    },
    {
      name: 'unsupported Accept version',
      h: { accept: ct('transfers', '3') },
      status: 406,
      code: '3001',
      prefix: 'Unacceptable version requested - ',
    },
    {
      name: 'missing Content-Type',
      h: { 'content-type': undefined },
      status: 400,
      code: '3102',
      prefix: 'Missing mandatory element - ',
    },
    {
      name: 'Content-Type naming another resource',
      h: { 'content-type': ct('quotes', '1.1') },
      status: 400,
      code: '3101',
      prefix: 'Malformed syntax - ',
    },
    {
      name: 'Content-Type version without minor',
      h: { 'content-type': 'application/vnd.interoperability.transfers+json;version=1' },
      status: 400,
      code: '3101',
      prefix: 'Malformed syntax - ',
    },
    {
      name: 'unsupported Content-Type version',
      h: { 'content-type': ct('transfers', '3.0') },
      status: 406,
      code: '3001',
      prefix: 'Unacceptable version requested - ',
    },
    {
      name: 'plain JSON Content-Type',
      h: { 'content-type': 'application/json' },
      status: 400,
      code: '3101',
      prefix: 'Malformed syntax - ',
    },
    {
      name: 'missing Date',
      h: { date: undefined },
      status: 400,
      code: '3102',
      prefix: 'Missing mandatory element - ',
    },
    {
      name: 'Date not IMF-fixdate',
      h: { date: '2026-11-28T10:00:00Z' },
      status: 400,
      code: '3101',
      prefix: 'Malformed syntax - ',
    },
    {
      name: 'missing FSPIOP-Source',
      h: { 'fspiop-source': undefined },
      status: 400,
      code: '3102',
      prefix: 'Missing mandatory element - ',
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.status} ${c.code}`, async () => {
      const t = newTransfer();
      const h = headers({ destination: 'payeefsp' });
      for (const [k, v] of Object.entries(c.h)) {
        if (v === undefined) delete h[k];
        else h[k] = v;
      }
      const res = await request('POST', `${sim.url}/transfers`, h, JSON.stringify(t.body));
      const b = expectError(res, c.status, c.code);
      expect(b.errorInformation.errorDescription.startsWith(c.prefix)).toBe(true);
      if (c.code === '3001') {
        expect(b.errorInformation.extensionList?.extension).toEqual([
          { key: '1', value: '0' },
          { key: '1', value: '1' },
          { key: '2', value: '0' },
        ]);
      }
    });
  }

  it('accepts a comma list of Accept values with one supported version', async () => {
    const t = newTransfer();
    const res = await postTransfer(sim, t.body, {
      accept: `${'application/vnd.interoperability.transfers+json;version=9.0'},application/vnd.interoperability.transfers+json;version=1`,
    });
    expect(res.status).toBe(202);
  });

  it('requires Content-Type (and Accept) even on GET', async () => {
    const t = newTransfer();
    const noCt = await request('GET', `${sim.url}/transfers/${t.id}`, headers({ omit: ['content-type'] }));
    expectError(noCt, 400, '3102');
    const noAccept = await request('GET', `${sim.url}/transfers/${t.id}`, headers({ accept: false }));
    expectError(noAccept, 400, '3102');
  });

  it('does not require Accept on PUT callbacks', async () => {
    const t = newTransfer();
    const res = await request(
      'PUT',
      `${sim.url}/transfers/${t.id}/error`,
      headers({ source: 'payeefsp', destination: 'payerfsp', accept: false }),
      JSON.stringify({ errorInformation: { errorCode: '5100', errorDescription: 'x' } }),
    );
    expect(res.status).toBe(200);
  });
});

describe('synchronous body validation (FSPIOP v2.0 schema, ajv keyword -> code)', () => {
  it('malformed JSON -> 400 3101', async () => {
    const res = await postTransfer(sim, '{"transferId": ');
    const b = expectError(res, 400, '3101');
    expect(b.errorInformation.errorDescription).toMatch(/^Malformed syntax - body is not valid JSON/);
  });

  it('missing required property -> 3102 naming it', async () => {
    const { ilpPacket: _drop, ...body } = newTransfer().body;
    const b = expectError(await postTransfer(sim, body), 400, '3102');
    expect(b.errorInformation.errorDescription).toBe(
      "Missing mandatory element - body must have required property 'ilpPacket'",
    );
  });

  it('additional property -> 3103', async () => {
    const b = expectError(await postTransfer(sim, { ...newTransfer().body, surprise: 1 }), 400, '3103');
    expect(b.errorInformation.errorDescription).toContain("'surprise'");
  });

  it('wrong type -> 3101; numeric amount is coerced like the hub (accepted)', async () => {
    const t = newTransfer();
    expectError(await postTransfer(sim, { ...t.body, amount: 'ten' }), 400, '3101');
    const coerced = await postTransfer(sim, { ...t.body, amount: { currency: 'XXX', amount: 10 } });
    expect(coerced.status).toBe(202);
  });

  it('pattern and enum violations -> 3100', async () => {
    const t = newTransfer();
    expectError(await postTransfer(sim, { ...t.body, transferId: 'not-an-id' }), 400, '3100');
    expectError(
      await postTransfer(sim, { ...t.body, amount: { currency: 'XXX', amount: '10.50' } }),
      400,
      '3100',
    );
    expectError(
      await postTransfer(sim, { ...t.body, amount: { currency: 'ZZZ', amount: '10' } }),
      400,
      '3100',
    );
    expectError(await postTransfer(sim, { ...t.body, expiration: '2030-01-01T00:00:00Z' }), 400, '3100');
    expectError(await postTransfer(sim, { ...t.body, condition: 'short' }), 400, '3100');
  });

  it('long details are cut to 128 characters', async () => {
    const t = newTransfer();
    const res = await postTransfer(sim, { ...t.body, [`k${'x'.repeat(300)}`]: 1 });
    const b = expectError(res, 400, '3103');
    expect(b.errorInformation.errorDescription.length).toBe(128);
  });

  it('oversized body -> 413 3104 (declared and streamed)', async () => {
    const big = JSON.stringify({ ...newTransfer().body, ilpPacket: 'A'.repeat(70 * 1024) });
    expectError(await postTransfer(sim, big), 413, '3104');
    const health = await request('GET', `${sim.url}/health`);
    expect(health.status).toBe(200);
  });
});

describe('paths and methods', () => {
  it('PATCH /transfers/{ID} from a DFSP -> 501 2002', async () => {
    const t = newTransfer();
    const res = await request('PATCH', `${sim.url}/transfers/${t.id}`, headers({ accept: false }), '{}');
    expectError(res, 501, '2002');
  });

  it('wrong method -> 405 3000; unknown path -> 404 3002; bad path id -> 400 3100', async () => {
    expectError(await request('DELETE', `${sim.url}/transfers`, headers()), 405, '3000');
    expectError(await request('GET', `${sim.url}/transfers`, headers()), 405, '3000');
    expectError(await request('GET', `${sim.url}/nothing/here`, headers()), 404, '3002');
    expectError(await request('GET', `${sim.url}/transfers/abc/def/ghi`, headers()), 404, '3002');
    expectError(
      await request('PUT', `${sim.url}/transfers/NOT-AN-ID`, headers({ accept: false }), '{}'),
      400,
      '3100',
    );
  });

  it('counts synchronous rejections by code in the ledger', async () => {
    const l = await ledger(sim);
    expect(l.transfers.syncRejected['3101']).toBeGreaterThan(0);
    expect(l.transfers.syncRejected['3102']).toBeGreaterThan(0);
    expect(l.transfers.syncRejected['3001']).toBeGreaterThan(0);
  });
});

describe('asynchronous prepare checks (3100 from Hub to the requester)', () => {
  async function abortedWith(
    payerFsp: string,
    mutate: (b: Record<string, unknown>) => void,
    h: Parameters<typeof postTransfer>[2] = {},
  ) {
    const t = newTransfer({ payerFsp });
    const body = { ...t.body } as Record<string, unknown>;
    mutate(body);
    const res = await postTransfer(sim, body, { source: payerFsp, ...h });
    expect(res.status).toBe(202);
    const cb = await payer.waitFor((c) => c.path === `/transfers/${t.id}/error`);
    expect(cb.method).toBe('PUT');
    expect(cb.headers['fspiop-source']).toBe('Hub');
    expect(cb.headers['content-type']).toBe('application/vnd.interoperability.transfers+json;version=2.0');
    expect(cb.headers.accept).toBeUndefined();
    expect(cb.headers['fspiop-uri']).toBe(`/transfers/${t.id}/error`);
    expect(cb.headers['fspiop-http-method']).toBe('PUT');
    expect(cb.headers.traceparent?.split('-')[1]).toBe(TRACE_ID);
    return { id: t.id, error: (JSON.parse(cb.body) as ErrorBody).errorInformation };
  }

  it('FSPIOP-Source differing from payerFsp', async () => {
    const { error } = await abortedWith('testpayer', (b) => (b.payerFsp = 'payerfsp'));
    expect(error.errorCode).toBe('3100');
    expect(error.errorDescription).toBe(
      'Generic validation error - FSPIOP-Source testpayer does not match payerFsp payerfsp',
    );
  });

  it('unknown payee, inactive payee, on-us, expired, missing currency account', async () => {
    expect(
      (await abortedWith('testpayer', (b) => (b.payeeFsp = 'ghostfsp'))).error.errorDescription,
    ).toContain('payee participant ghostfsp not found');
    expect(
      (await abortedWith('testpayer', (b) => (b.payeeFsp = 'inactive'))).error.errorDescription,
    ).toContain('is inactive');
    expect(
      (await abortedWith('testpayer', (b) => (b.payeeFsp = 'testpayer'))).error.errorDescription,
    ).toContain('on-us');
    expect(
      (await abortedWith('testpayer', (b) => (b.expiration = new Date(Date.now() - 1000).toISOString())))
        .error.errorDescription,
    ).toContain('already in the past');
    expect(
      (await abortedWith('testpayer', (b) => (b.amount = { currency: 'USD', amount: '1' }))).error
        .errorDescription,
    ).toContain('has no USD account');
  });

  it('insufficient liquidity -> 4001, net debit cap -> 4200, positions untouched', async () => {
    const before = await ledger(sim);
    const liq = await abortedWith('poorpayer', () => {});
    expect(liq.error.errorCode).toBe('4001');
    expect(liq.error.errorDescription.startsWith('Payer FSP insufficient liquidity')).toBe(true);
    const ndc = await abortedWith('cappedpayer', () => {});
    expect(ndc.error.errorCode).toBe('4200');
    const after = await ledger(sim);
    expect(after.positions.poorpayer!.XXX!.position).toBe('0');
    expect(after.positions.cappedpayer!.XXX!.position).toBe('0');
    expect(after.transfers.abortedByCode['4001']).toBe((before.transfers.abortedByCode['4001'] ?? 0) + 1);
    expect(after.transfers.abortedByCode['4200']).toBe((before.transfers.abortedByCode['4200'] ?? 0) + 1);
  });

  it('an unknown FSPIOP-Source cannot be answered and is counted undeliverable', async () => {
    const before = await ledger(sim);
    const t = newTransfer({ payerFsp: 'nobody' });
    expect((await postTransfer(sim, t.body, { source: 'nobody' })).status).toBe(202);
    const rec = await (async () => {
      for (let i = 0; i < 100; i++) {
        const l = await ledger(sim);
        if (l.callbacks.undeliverable > before.callbacks.undeliverable) return l;
        await new Promise((r) => setTimeout(r, 20));
      }
      return undefined;
    })();
    expect(rec).toBeDefined();
    const r = await request('GET', `${sim.url}/admin/ledger/transfers/${t.id}`);
    expect(json(r).state).toBe('ABORTED');
    expect(json(r).errorCode).toBe('3100');
  });
});
