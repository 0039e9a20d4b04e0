/**
 * ISO 20022 mode (FSPIOP v2.0 ISO media types) over real HTTP: pacs.008 prepare with the condition
 * taken from the ILP v4 packet, pacs.002 fulfil, PacsError errors, and Hub-originated ISO bodies
 * checked against the api-snippets ISO schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '../../lib/protocol/ids.ts';
import {
  isoTransferErrorBody,
  isoTransferFulfilBody,
  isoTransfersPostBody,
} from '../../lib/protocol/iso20022.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { validateIsoBody } from '../../sim/hub/schemas.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  CaptureServer,
  headers,
  newTransfer,
  payeeHeaders,
  postTransfer,
  request,
  startSim,
  waitOutcome,
} from './helpers.ts';

const ISO_CT = 'application/vnd.interoperability.iso20022.transfers+json;version=2.0';
let sim: SimulatorHandle;
let payee: CaptureServer;
let payer: CaptureServer;

beforeAll(async () => {
  payee = await new CaptureServer().start();
  payer = await new CaptureServer().start();
  sim = await startSim({
    warmIso: true,
    participants: [
      { fspId: 'payerfsp', placement: 'payer' },
      { fspId: 'payeefsp' },
      { fspId: 'testpayee', endpoint: payee.url },
      { fspId: 'poorpayer', endpoint: payer.url, currencies: [{ currency: 'XXX', liquidity: '1' }] },
    ],
  });
}, 60_000);

afterAll(async () => {
  await sim.close();
  await payee.close();
  await payer.close();
});

function isoTransfer(o: { payerFsp?: string; payeeFsp?: string; expiresInMs?: number } = {}) {
  const t = newTransfer(o);
  const body = isoTransfersPostBody(t.body, {
    msgId: ulid(Date.now(), 0, nodeCrypto),
    createdAt: new Date().toISOString(),
  });
  return { t, body, text: JSON.stringify(body) };
}

const iso = { api: 'iso20022' as const };

describe('ISO 20022 transfers', () => {
  it('pacs.008 commits end to end with the simulated DFSPs', async () => {
    const { t, text } = isoTransfer();
    const res = await postTransfer(sim, text, iso);
    expect(res.status).toBe(202);
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'COMMITTED', transferId: t.id });
  });

  it('the payee gets the exact pacs.008 bytes; its pacs.002 fulfil commits; Hub bodies are schema-valid', async () => {
    const { t, text } = isoTransfer({ payeeFsp: 'testpayee' });
    await postTransfer(sim, text, { ...iso, destination: 'testpayee' });
    const fwd = await payee.waitFor((c) => c.method === 'POST' && c.body.includes(t.id));
    expect(fwd.body).toBe(text);
    expect(fwd.headers['content-type']).toBe(ISO_CT);
    const ts = new Date().toISOString();
    const pacs002 = isoTransferFulfilBody({
      msgId: ulid(Date.now(), 0, nodeCrypto),
      createdAt: ts,
      fulfilment: t.fulfilment,
      completedTimestamp: ts,
      transferState: 'RESERVED',
    });
    const res = await request(
      'PUT',
      `${sim.url}/transfers/${t.id}`,
      payeeHeaders({ api: 'iso20022' }),
      JSON.stringify(pacs002),
    );
    expect(res.status).toBe(200);
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
    const patch = await payee.waitFor((c) => c.method === 'PATCH' && c.path === `/transfers/${t.id}`);
    expect(patch.headers['content-type']).toBe(ISO_CT);
    const body = JSON.parse(patch.body);
    expect(validateIsoBody('PacsStatus_FIToFIPaymentStatusReportV15', body)).toBeUndefined();
    expect(body.TxInfAndSts).toEqual({ PrcgDt: { DtTm: ts }, TxSts: 'COMM' });
  });

  it('a wrong ExctnConf aborts with a PacsError 3100', async () => {
    const { t, text } = isoTransfer({ payeeFsp: 'testpayee' });
    await postTransfer(sim, text, { ...iso, destination: 'testpayee' });
    await payee.waitFor((c) => c.method === 'POST' && c.body.includes(t.id));
    const ts = new Date().toISOString();
    const bad = isoTransferFulfilBody({
      msgId: 'm1',
      createdAt: ts,
      fulfilment: 'A'.repeat(43),
      completedTimestamp: ts,
      transferState: 'COMMITTED',
    });
    await request(
      'PUT',
      `${sim.url}/transfers/${t.id}`,
      payeeHeaders({ api: 'iso20022' }),
      JSON.stringify(bad),
    );
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'ABORTED', errorCode: '3100' });
    const err = await payee.waitFor((c) => c.path === `/transfers/${t.id}/error`);
    const body = JSON.parse(err.body);
    expect(validateIsoBody('PacsError_FIToFIPaymentStatusReportV15', body)).toBeUndefined();
    expect(body.TxInfAndSts.StsRsnInf.Rsn.Prtry).toBe('3100');
    expect(body.TxInfAndSts.StsRsnInf.AddtlInf.length).toBeLessThanOrEqual(105);
  });

  it('a Hub-originated ISO error (liquidity) is a valid PacsError', async () => {
    const { t, text } = isoTransfer({ payerFsp: 'poorpayer' });
    await postTransfer(sim, text, { ...iso, source: 'poorpayer' });
    const err = await payer.waitFor((c) => c.path === `/transfers/${t.id}/error`);
    expect(err.headers['content-type']).toBe(ISO_CT);
    const body = JSON.parse(err.body);
    expect(validateIsoBody('PacsError_FIToFIPaymentStatusReportV15', body)).toBeUndefined();
    expect(body.TxInfAndSts.StsRsnInf.Rsn.Prtry).toBe('4001');
  });

  it('synchronous ISO errors: bad packet 3100, missing element 3102, ISO on version 1.1 3001', async () => {
    const { body } = isoTransfer();
    const badPacket = structuredClone(body) as {
      CdtTrfTxInf: { VrfctnOfTerms: { IlpV4PrepPacket: string } };
    };
    badPacket.CdtTrfTxInf.VrfctnOfTerms.IlpV4PrepPacket = 'AAAA';
    const r1 = await postTransfer(sim, badPacket, iso);
    expect(r1.status).toBe(400);
    expect(JSON.parse(r1.body!).errorInformation.errorCode).toBe('3100');
    // An ILP v1 packet carries no condition: ISO 20022 needs v4.
    badPacket.CdtTrfTxInf.VrfctnOfTerms.IlpV4PrepPacket = newTransfer({ ilpVersion: 'v1' }).ilpPacket;
    const r1b = await postTransfer(sim, badPacket, iso);
    expect(r1b.status).toBe(400);
    expect(JSON.parse(r1b.body!).errorInformation).toMatchObject({ errorCode: '3100' });
    expect(JSON.parse(r1b.body!).errorInformation.errorDescription).toMatch(/not Prepare/);
    const { CdtTrfTxInf: _c, ...noTx } = body;
    const r2 = await postTransfer(sim, noTx, iso);
    expect(JSON.parse(r2.body!).errorInformation.errorCode).toBe('3102');
    const r3 = await request(
      'POST',
      `${sim.url}/transfers`,
      headers({ api: 'iso20022', version: '1.1', destination: 'payeefsp' }),
      JSON.stringify(body),
    );
    expect(r3.status).toBe(406);
    expect(JSON.parse(r3.body!).errorInformation.errorCode).toBe('3001');
  });

  it('a payee rejection travels as PacsError through the hub (schema-checked there)', async () => {
    const put = await request(
      'PUT',
      `${sim.url}/admin/faults`,
      { 'content-type': 'application/json' },
      JSON.stringify({ errors: [{ code: '5100', rate: 1 }] }),
    );
    expect(put.status).toBe(200);
    try {
      const { t, text } = isoTransfer();
      await postTransfer(sim, text, iso);
      expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'ABORTED', errorCode: '5100' });
    } finally {
      await request('PUT', `${sim.url}/admin/faults`, { 'content-type': 'application/json' }, '"none"');
    }
  });

  it.each([
    ['Prtry', { Prtry: '5104' }, 200, '5104'],
    ['Cd (as the Testing Toolkit sends it)', { Cd: '5105' }, 200, '5105'],
    ['neither', {}, 400, undefined],
  ] as const)('a payee PacsError with the code in %s', async (_, rsn, status, code) => {
    const { t, text } = isoTransfer({ payeeFsp: 'testpayee' });
    await postTransfer(sim, text, { ...iso, destination: 'testpayee' });
    await payee.waitFor((c) => c.method === 'POST' && c.body.includes(t.id));
    const body = isoTransferErrorBody({
      msgId: ulid(Date.now(), 0, nodeCrypto),
      createdAt: new Date().toISOString(),
      errorCode: '5100',
      errorDescription: 'payee says no',
    });
    (body.TxInfAndSts!.StsRsnInf as { Rsn: unknown }).Rsn = rsn;
    const res = await request(
      'PUT',
      `${sim.url}/transfers/${t.id}/error`,
      payeeHeaders({ api: 'iso20022' }),
      JSON.stringify(body),
    );
    expect(res.status).toBe(status);
    if (code === undefined) {
      expect(JSON.parse(res.body!).errorInformation).toMatchObject({ errorCode: '3102' });
      return;
    }
    expect(await waitOutcome(sim, t.id)).toMatchObject({ state: 'ABORTED', errorCode: code });
  });

  it('ISO media types are refused on resources the simulator only serves in FSPIOP', async () => {
    const r = await request(
      'GET',
      `${sim.url}/parties/MSISDN/1`,
      headers({ api: 'iso20022', resource: 'parties' }),
    );
    expect(r.status).toBe(406);
  });
});
