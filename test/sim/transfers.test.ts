/**
 * Transfer flows over real HTTP: simulated payer and payee end to end (outcome via the relay and the
 * ledger), and an external payee/payer (capture servers) to check exactly what the hub forwards and
 * originates: exact bytes, headers, tracing, fulfil checks, RESERVED, /error, duplicates, GET and
 * expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  CaptureServer,
  eventually,
  headers,
  json,
  ledger,
  newTransfer,
  payeeHeaders,
  postTransfer,
  request,
  setFaults,
  startSim,
  TRACE_ID,
  transferRecord,
  waitOutcome,
} from './helpers.ts';

let sim: SimulatorHandle;
let payee: CaptureServer;
let payer: CaptureServer;

beforeAll(async () => {
  payee = await new CaptureServer().start();
  payer = await new CaptureServer().start();
  sim = await startSim({
    participants: [
      { fspId: 'payerfsp', placement: 'payer' },
      { fspId: 'payeefsp' },
      { fspId: 'testpayee', endpoint: payee.url },
      { fspId: 'testpayer', endpoint: payer.url },
      { fspId: 'other', endpoint: payer.url },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await payee.close();
  await payer.close();
});

const at =
  (id: string, suffix = '') =>
  (c: { path: string }) =>
    c.path === `/transfers/${id}${suffix}`;
const now = () => new Date().toISOString();

/** Posts a transfer from the simulated payer to the external payee and returns what the payee got. */
async function prepareToTestPayee(
  opts: { expiresInMs?: number; body?: (b: Record<string, unknown>) => string } = {},
) {
  const t = newTransfer({ payeeFsp: 'testpayee', expiresInMs: opts.expiresInMs });
  const text = opts.body ? opts.body(t.body as unknown as Record<string, unknown>) : JSON.stringify(t.body);
  const res = await postTransfer(sim, text, {
    destination: 'testpayee',
    extra: { 'fspiop-signature': '{"signature":"abc","protectedHeader":"def"}' },
  });
  expect(res.status).toBe(202);
  expect(res.body).toBeNull();
  const fwd = await payee.waitFor(
    (c) => c.method === 'POST' && c.path === '/transfers' && c.body.includes(t.id),
  );
  return { t, text, fwd };
}

function fulfil(id: string, body: unknown, h = payeeHeaders()) {
  return request(
    'PUT',
    `${sim.url}/transfers/${id}`,
    h,
    typeof body === 'string' ? body : JSON.stringify(body),
  );
}

describe('end to end with the simulated DFSPs', () => {
  it('commits: 202, COMMITTED outcome via the relay with the send time, ledger and positions', async () => {
    const before = await ledger(sim);
    const t = newTransfer({ amount: '12.5' });
    const sentAt = Date.now();
    const res = await postTransfer(sim, t.body, { tracestate: `tx_end2end_start_ts=${sentAt}` });
    expect(res.status).toBe(202);
    const o = await waitOutcome(sim, t.id);
    expect(o).toMatchObject({ transferId: t.id, state: 'COMMITTED', sentAtMs: sentAt, runner: 1 });
    expect(o!.arrivedAtMs).toBeGreaterThanOrEqual(sentAt);
    const rec = await transferRecord(sim, t.id);
    expect(rec).toMatchObject({
      state: 'COMMITTED',
      fulfilment: t.fulfilment,
      payerFsp: 'payerfsp',
      payeeFsp: 'payeefsp',
    });
    const after = await ledger(sim);
    expect(after.transfers.final.COMMITTED).toBe(before.transfers.final.COMMITTED + 1);
    const pos = (l: typeof after, fsp: string) => Number(l.positions[fsp]!.XXX!.position);
    expect(pos(after, 'payerfsp') - pos(before, 'payerfsp')).toBeCloseTo(12.5);
    expect(pos(after, 'payeefsp') - pos(before, 'payeefsp')).toBeCloseTo(-12.5);
  });

  it('ILP v1 packets: the payee fulfils in v1 and the hub commits; a condition not of the packet is refused', async () => {
    const t = newTransfer({ ilpVersion: 'v1' });
    expect(t.ilpPacket.startsWith('A')).toBe(true); // type byte 1
    await postTransfer(sim, t.body);
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'COMMITTED' });
    expect(await transferRecord(sim, t.id)).toMatchObject({ fulfilment: t.fulfilment });
    // The condition of another packet: the payee (CHECK_ILP) answers 3100, the transfer aborts.
    const u = newTransfer({ ilpVersion: 'v1' });
    await postTransfer(sim, { ...u.body, condition: t.condition });
    expect(await waitOutcome(sim, u.id)).toMatchObject({ state: 'ABORTED', errorCode: '3100' });
  });

  it('an outcome without tracestate falls back to the ULID time', async () => {
    const t = newTransfer();
    await postTransfer(sim, t.body, { omit: ['tracestate'] });
    const o = await waitOutcome(sim, t.id);
    expect(o?.state).toBe('COMMITTED');
    expect(Math.abs(o!.sentAtMs! - Date.now())).toBeLessThan(60_000);
  });

  it('RESERVED from the simulated payee commits with a PATCH (separate simulator with --reserve)', async () => {
    const s2 = await startSim({ reserveNotification: true });
    try {
      const t = newTransfer();
      await postTransfer(s2, t.body);
      const o = await waitOutcome(s2, t.id);
      expect(o?.state).toBe('COMMITTED');
      expect(await transferRecord(s2, t.id)).toMatchObject({ state: 'COMMITTED', reserveNotification: true });
      const l = await ledger(s2);
      expect(
        (l as unknown as { dfsps: Record<string, { payeeNotifications: number }> }).dfsps.payeefsp!
          .payeeNotifications,
      ).toBe(1);
    } finally {
      await s2.close();
    }
  });
});

describe('what the hub forwards and originates (external payee)', () => {
  it('forwards the exact body bytes and the payer headers with Destination/URI/Method set and the trace continued', async () => {
    const { t, text, fwd } = await prepareToTestPayee({ body: (b) => JSON.stringify(b, null, 3) });
    expect(fwd.body).toBe(text);
    expect(fwd.headers['fspiop-source']).toBe('payerfsp');
    expect(fwd.headers['fspiop-destination']).toBe('testpayee');
    expect(fwd.headers['fspiop-uri']).toBe('/transfers');
    expect(fwd.headers['fspiop-http-method']).toBe('POST');
    expect(fwd.headers['content-type']).toBe('application/vnd.interoperability.transfers+json;version=1.1');
    expect(fwd.headers.accept).toBe('application/vnd.interoperability.transfers+json;version=1.1');
    expect(fwd.headers['fspiop-signature']).toBe('{"signature":"abc","protectedHeader":"def"}');
    const [, traceId, parentId] = fwd.headers.traceparent!.split('-');
    expect(traceId).toBe(TRACE_ID);
    expect(parentId).not.toBe('00f067aa0ba902b7');
    expect(fwd.headers.tracestate).toMatch(/^acmevendor=[A-Za-z0-9_-]+,tx_end2end_start_ts=\d+$/);
    expect(
      JSON.parse(
        Buffer.from(
          fwd.headers.tracestate!.split(',')[0]!.slice('acmevendor='.length),
          'base64url',
        ).toString(),
      ),
    ).toMatchObject({
      spanId: parentId,
    });
    expect((await transferRecord(sim, t.id))!.state).toBe('RESERVED');
  });

  it('a valid fulfil commits: payer gets the payee body, payee gets a Hub confirmation', async () => {
    const { t } = await prepareToTestPayee();
    const body = { fulfilment: t.fulfilment, completedTimestamp: now(), transferState: 'COMMITTED' };
    const text = JSON.stringify(body);
    expect((await fulfil(t.id, text)).status).toBe(200);
    const o = await waitOutcome(sim, t.id);
    expect(o?.state).toBe('COMMITTED');
    const conf = await payee.waitFor((c) => c.method === 'PUT' && at(t.id)(c));
    expect(conf.body).toBe(text);
    expect(conf.headers['fspiop-source']).toBe('Hub');
    expect(conf.headers['fspiop-destination']).toBe('testpayee');
    expect(conf.headers['content-type']).toBe('application/vnd.interoperability.transfers+json;version=2.0');
    expect(conf.headers.accept).toBeUndefined();
    expect(conf.headers['fspiop-uri']).toBe(`/transfers/${t.id}`);
    expect(conf.headers['fspiop-http-method']).toBe('PUT');
    expect((await transferRecord(sim, t.id))!.state).toBe('COMMITTED');
  });

  it('RESERVED fulfil: Hub-generated COMMITTED to the payer, PATCH without fulfilment to the payee', async () => {
    const { t } = await prepareToTestPayee();
    const ts = now();
    expect(
      (await fulfil(t.id, { fulfilment: t.fulfilment, completedTimestamp: ts, transferState: 'RESERVED' }))
        .status,
    ).toBe(200);
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
    const patch = await payee.waitFor((c) => c.method === 'PATCH' && at(t.id)(c));
    expect(JSON.parse(patch.body)).toEqual({ completedTimestamp: ts, transferState: 'COMMITTED' });
    expect(patch.headers['fspiop-source']).toBe('Hub');
    expect(patch.headers['fspiop-http-method']).toBe('PATCH');
  });

  it('RESERVED sent with content version 1.0 is dropped silently and the transfer later expires', async () => {
    const { t } = await prepareToTestPayee({ expiresInMs: 1000 });
    const before = await ledger(sim);
    const res = await fulfil(
      t.id,
      { fulfilment: t.fulfilment, completedTimestamp: now(), transferState: 'RESERVED' },
      payeeHeaders({ version: '1.0' }),
    );
    expect(res.status).toBe(200);
    expect((await ledger(sim)).transfers.reservedV10Dropped).toBe(before.transfers.reservedV10Dropped + 1);
    const o = await waitOutcome(sim, t.id, 5000);
    expect(o).toMatchObject({ state: 'ABORTED', errorCode: '3303' });
  });

  it('invalid fulfilment aborts with 3100 to payer and payee, releasing the position', async () => {
    const before = await ledger(sim);
    const { t } = await prepareToTestPayee();
    const wrong = `${t.fulfilment.slice(0, -2)}${t.fulfilment.endsWith('AA') ? 'BA' : 'AA'}`;
    expect(
      (await fulfil(t.id, { fulfilment: wrong, completedTimestamp: now(), transferState: 'COMMITTED' }))
        .status,
    ).toBe(200);
    expect(await waitOutcome(sim, t.id)).toMatchObject({
      state: 'ABORTED',
      errorCode: '3100',
      errorDescription: 'Generic validation error - invalid fulfilment',
    });
    const err = await payee.waitFor(at(t.id, '/error'));
    expect(JSON.parse(err.body).errorInformation.errorCode).toBe('3100');
    const after = await ledger(sim);
    expect(after.positions.payerfsp!.XXX!.position).toBe(before.positions.payerfsp!.XXX!.position);
  });

  it('FSPIOP-Source/Destination not matching payee/payer aborts with 3100', async () => {
    const { t } = await prepareToTestPayee();
    const res = await fulfil(
      t.id,
      { fulfilment: t.fulfilment, completedTimestamp: now(), transferState: 'COMMITTED' },
      payeeHeaders({ source: 'other' }),
    );
    expect(res.status).toBe(200);
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'ABORTED', errorCode: '3100' });
    const toSender = await payer.waitFor(at(t.id, '/error'));
    expect(JSON.parse(toSender.body).errorInformation.errorDescription).toContain('do not match');
  });

  it('completedTimestamp outside +200 ms / -300 s is refused synchronously with 3100', async () => {
    const { t } = await prepareToTestPayee();
    const ahead = await fulfil(t.id, {
      fulfilment: t.fulfilment,
      completedTimestamp: new Date(Date.now() + 5000).toISOString(),
      transferState: 'COMMITTED',
    });
    expect(ahead.status).toBe(400);
    expect(json(ahead)).toMatchObject({ errorInformation: { errorCode: '3100' } });
    const old = await fulfil(t.id, {
      fulfilment: t.fulfilment,
      completedTimestamp: new Date(Date.now() - 301_000).toISOString(),
      transferState: 'COMMITTED',
    });
    expect(old.status).toBe(400);
    expect((await transferRecord(sim, t.id))!.state).toBe('RESERVED');
  });

  it('ABORTED through PUT is ignored (REJECT) and the transfer expires to payer and payee', async () => {
    const { t } = await prepareToTestPayee({ expiresInMs: 1500 });
    const before = await ledger(sim);
    expect((await fulfil(t.id, { completedTimestamp: now(), transferState: 'ABORTED' })).status).toBe(200);
    await eventually(async () =>
      (await ledger(sim)).transfers.rejectIgnored > before.transfers.rejectIgnored ? true : undefined,
    );
    expect((await transferRecord(sim, t.id))!.state).toBe('RESERVED');
    const o = await waitOutcome(sim, t.id, 5000);
    expect(o).toMatchObject({ state: 'ABORTED', errorCode: '3303' });
    const toPayee = await payee.waitFor(at(t.id, '/error'));
    expect(JSON.parse(toPayee.body)).toEqual({
      errorInformation: { errorCode: '3303', errorDescription: 'Transfer expired' },
    });
    // Timeout callbacks come from a new span: a new trace-id.
    expect(toPayee.headers.traceparent!.split('-')[1]).not.toBe(TRACE_ID);
  });

  it('payee /error with a spec code is forwarded to the payer as sent, with a Hub copy to the payee', async () => {
    const { t } = await prepareToTestPayee();
    const text = JSON.stringify({
      errorInformation: { errorCode: '5100', errorDescription: 'Generic Payee rejection - no' },
    });
    expect((await request('PUT', `${sim.url}/transfers/${t.id}/error`, payeeHeaders(), text)).status).toBe(
      200,
    );
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'ABORTED', errorCode: '5100' });
    const copy = await payee.waitFor(at(t.id, '/error'));
    expect(copy.headers['fspiop-source']).toBe('Hub');
    expect(JSON.parse(copy.body).errorInformation.errorCode).toBe('5100');
  });

  it('payee /error with a non-spec code reaches the payer as 3100', async () => {
    const { t } = await prepareToTestPayee();
    const text = JSON.stringify({ errorInformation: { errorCode: '9999', errorDescription: 'whatever' } });
    await request('PUT', `${sim.url}/transfers/${t.id}/error`, payeeHeaders(), text);
    expect(await waitOutcome(sim, t.id)).toMatchObject({
      state: 'ABORTED',
      errorCode: '3100',
      errorDescription: 'Generic validation error - API specification undefined errorCode',
    });
  });

  it('fulfil for an unknown transfer gets 2001; a fulfil after expiry gets 3100 non-RESERVED', async () => {
    const ghost = newTransfer().id;
    await fulfil(ghost, {
      fulfilment: 'A'.repeat(43),
      completedTimestamp: now(),
      transferState: 'COMMITTED',
    });
    const err = await payee.waitFor(at(ghost, '/error'));
    expect(JSON.parse(err.body).errorInformation.errorCode).toBe('2001');

    const { t } = await prepareToTestPayee({ expiresInMs: 1000 });
    expect(await waitOutcome(sim, t.id, 5000)).toMatchObject({ state: 'ABORTED', errorCode: '3303' });
    await fulfil(t.id, { fulfilment: t.fulfilment, completedTimestamp: now(), transferState: 'COMMITTED' });
    const late = await payee.waitFor((c) => at(t.id, '/error')(c) && c.body.includes('not RESERVED'));
    expect(JSON.parse(late.body).errorInformation.errorDescription).toBe(
      'Generic validation error - transfer is ABORTED, not RESERVED',
    );
  });
});

describe('duplicates (hash of JSON.stringify(parsed body))', () => {
  it('same prepare after commit -> Hub state PUT to the payer (a relay duplicate); changed body -> 3106', async () => {
    const t = newTransfer({ payerFsp: 'testpayer' });
    await postTransfer(sim, t.body, { source: 'testpayer' });
    await eventually(async () =>
      (await transferRecord(sim, t.id))?.state === 'COMMITTED' ? true : undefined,
    );
    const first = await payer.waitFor((c) => c.method === 'PUT' && at(t.id)(c));
    expect(first.headers['fspiop-source']).toBe('payeefsp');

    await postTransfer(sim, t.body, { source: 'testpayer' });
    const resent = await payer.waitFor(
      (c) => c.method === 'PUT' && at(t.id)(c) && c.headers['fspiop-source'] === 'Hub',
    );
    expect(JSON.parse(resent.body)).toMatchObject({ transferState: 'COMMITTED', fulfilment: t.fulfilment });

    // Same content, keys reordered: a different hash, so "modified".
    const { transferId, ...rest } = t.body;
    await postTransfer(sim, JSON.stringify({ ...rest, transferId }), { source: 'testpayer' });
    const modified = await payer.waitFor(at(t.id, '/error'));
    expect(JSON.parse(modified.body).errorInformation.errorCode).toBe('3106');
    const l = await ledger(sim);
    expect(l.transfers.duplicatePrepare.resent).toBeGreaterThanOrEqual(1);
    expect(l.transfers.duplicatePrepare.modified).toBeGreaterThanOrEqual(1);
  });

  it('a duplicate while still RECEIVED is ignored', async () => {
    await setFaults(sim, { latency: { prepare: { dist: 'fixed', ms: 300 } } });
    try {
      const before = await ledger(sim);
      const t = newTransfer();
      await postTransfer(sim, t.body);
      await postTransfer(sim, t.body);
      expect((await ledger(sim)).transfers.duplicatePrepare.ignored).toBe(
        before.transfers.duplicatePrepare.ignored + 1,
      );
      expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
    } finally {
      await setFaults(sim, 'none');
    }
  });

  it('a repeated fulfil after commit is resent to the payee; a changed fulfil gets 3106', async () => {
    const { t } = await prepareToTestPayee();
    const body = JSON.stringify({
      fulfilment: t.fulfilment,
      completedTimestamp: now(),
      transferState: 'COMMITTED',
    });
    await fulfil(t.id, body);
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
    await fulfil(t.id, body);
    const resent = await payee.waitFor(
      (c) =>
        c.method === 'PUT' &&
        at(t.id)(c) &&
        c.body.includes('"transferState":"COMMITTED"') &&
        c.headers['fspiop-uri'] === `/transfers/${t.id}` &&
        c !== payee.requests.find((x) => x.method === 'PUT' && at(t.id)(x)),
    );
    expect(resent.headers['fspiop-source']).toBe('Hub');
    await fulfil(t.id, {
      fulfilment: t.fulfilment,
      completedTimestamp: now(),
      transferState: 'COMMITTED',
      extensionList: { extension: [{ key: 'a', value: 'b' }] },
    });
    const modified = await payee.waitFor(at(t.id, '/error'));
    expect(JSON.parse(modified.body).errorInformation.errorCode).toBe('3106');
  });
});

describe('GET /transfers/{ID}', () => {
  it('answers 202 then the state from Hub; 3208 for unknown ids; 3000 for a non-party', async () => {
    const t = newTransfer({ payerFsp: 'testpayer' });
    await postTransfer(sim, t.body, { source: 'testpayer' });
    await eventually(async () =>
      (await transferRecord(sim, t.id))?.state === 'COMMITTED' ? true : undefined,
    );
    const get = await request('GET', `${sim.url}/transfers/${t.id}`, headers({ source: 'testpayer' }));
    expect(get.status).toBe(202);
    const state = await payer.waitFor(
      (c) =>
        at(t.id)(c) &&
        c.headers['fspiop-source'] === 'Hub' &&
        c.headers['fspiop-uri'] === `/transfers/${t.id}`,
    );
    expect(JSON.parse(state.body)).toMatchObject({ transferState: 'COMMITTED', fulfilment: t.fulfilment });

    const ghost = newTransfer().id;
    await request('GET', `${sim.url}/transfers/${ghost}`, headers({ source: 'testpayer' }));
    expect(JSON.parse((await payer.waitFor(at(ghost, '/error'))).body).errorInformation.errorCode).toBe(
      '3208',
    );

    await request('GET', `${sim.url}/transfers/${t.id}`, headers({ source: 'other' }));
    const notParty = await payer.waitFor(
      (c) => at(t.id, '/error')(c) && c.headers['fspiop-destination'] === 'other',
    );
    expect(JSON.parse(notParty.body).errorInformation.errorCode).toBe('3000');
  });
});

describe('expiry', () => {
  it('expired while RECEIVED: 3303 to the payer only, the payee never hears of it', async () => {
    await setFaults(sim, { latency: { prepare: { dist: 'fixed', ms: 1500 } } });
    try {
      const t = newTransfer({ payeeFsp: 'testpayee', expiresInMs: 400 });
      await postTransfer(sim, t.body, { destination: 'testpayee' });
      expect(await waitOutcome(sim, t.id, 5000)).toMatchObject({ state: 'ABORTED', errorCode: '3303' });
      await new Promise((r) => setTimeout(r, 1300));
      expect(payee.matching((c) => c.body.includes(t.id) || c.path.includes(t.id))).toHaveLength(0);
    } finally {
      await setFaults(sim, 'none');
    }
  });

  it('expired while RESERVED: 3303 to payer and payee, position released', async () => {
    const before = await ledger(sim);
    const { t } = await prepareToTestPayee({ expiresInMs: 1000 });
    expect(await waitOutcome(sim, t.id, 5000)).toMatchObject({ state: 'ABORTED', errorCode: '3303' });
    expect(JSON.parse((await payee.waitFor(at(t.id, '/error'))).body).errorInformation.errorCode).toBe(
      '3303',
    );
    const after = await ledger(sim);
    expect(after.positions.payerfsp!.XXX!.position).toBe(before.positions.payerfsp!.XXX!.position);
    expect(after.transfers.abortedByCode['3303']).toBeGreaterThan(
      before.transfers.abortedByCode['3303'] ?? 0,
    );
  });
});

describe('ledger retention', () => {
  it('evicts beyond the cap, counts in-flight evictions and frees their reservations', async () => {
    const s2 = await startSim({
      transferRetention: { ttlMs: 300_000, max: 2 },
      faults: { callbackLoss: { rate: 1, to: 'payee' } },
    });
    try {
      for (let i = 0; i < 4; i++)
        expect((await postTransfer(s2, newTransfer({ amount: '5' }).body)).status).toBe(202);
      const l = await eventually(async () => {
        const x = await ledger(s2);
        return x.transfers.evicted === 2 && x.positions.payerfsp!.XXX!.position === '10' ? x : undefined;
      });
      expect(l.transfers).toMatchObject({
        received: 4,
        retained: 2,
        evicted: 2,
        evictedInFlight: 2,
        inFlight: 2,
      });
    } finally {
      await s2.close();
    }
  });
});
