/**
 * Account lookup and quoting over real HTTP: the hub's pass-through routing (oracle, destination,
 * 3204/3201), the simulated payee's answers, relay phase waits (the e2e flow), and a quote whose
 * ILP packet a transfer then fulfils.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { party, quotesPostBody } from '../../lib/protocol/bodies.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import {
  conditionFromFulfilment,
  fulfilmentFromIlpPacket,
  ilpSecretKey,
  ilpVersionOfPacket,
  transactionJsonOfPacket,
} from '../../lib/protocol/ilp.ts';
import { interpretRelayPhaseWait, relayPhaseWaitRequest } from '../../lib/protocol/relay.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { validateFspiopBody } from '../../sim/hub/schemas.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import { CaptureServer, client, headers, postTransfer, request, startSim, waitOutcome } from './helpers.ts';

let sim: SimulatorHandle;
let payer: CaptureServer;

beforeAll(async () => {
  payer = await new CaptureServer().start();
  sim = await startSim({
    participants: [
      { fspId: 'payerfsp', placement: 'payer' },
      { fspId: 'payeefsp' },
      { fspId: 'testpayer', endpoint: payer.url },
    ],
  });
});

afterAll(async () => {
  await sim.close();
  await payer.close();
});

function quote(payeeFsp = 'payeefsp', amount = '25') {
  const quoteId = ulid(Date.now(), 2, nodeCrypto);
  return quotesPostBody({
    quoteId,
    transactionId: ulid(Date.now(), 2, nodeCrypto),
    payer: party({ idValue: '44123456789', fspId: 'testpayer' }),
    payee: party({ idValue: '44987654321', fspId: payeeFsp }),
    amount,
    currency: 'XXX',
  });
}

describe('parties', () => {
  it('GET /parties/MSISDN/{ID} -> 202, oracle finds payeefsp, the party comes back to the payer', async () => {
    const res = await request(
      'GET',
      `${sim.url}/parties/MSISDN/44987654321`,
      headers({ resource: 'parties', source: 'testpayer' }),
    );
    expect(res.status).toBe(202);
    const cb = await payer.waitFor((c) => c.path === '/parties/MSISDN/44987654321');
    expect(cb.method).toBe('PUT');
    expect(cb.headers['fspiop-source']).toBe('payeefsp');
    expect(cb.headers['fspiop-destination']).toBe('testpayer');
    const body = JSON.parse(cb.body);
    expect(validateFspiopBody('PartiesTypeIDPutResponse', body)).toBeUndefined();
    expect(body.party.partyIdInfo).toEqual({
      partyIdType: 'MSISDN',
      partyIdentifier: '44987654321',
      fspId: 'payeefsp',
    });
  });

  it('with a SubId', async () => {
    await request(
      'GET',
      `${sim.url}/parties/ACCOUNT_ID/1234/sub1`,
      headers({ resource: 'parties', source: 'testpayer' }),
    );
    const cb = await payer.waitFor((c) => c.path === '/parties/ACCOUNT_ID/1234/sub1');
    expect(JSON.parse(cb.body).party.partyIdInfo.partySubIdOrType).toBe('sub1');
  });

  it('a party no oracle rule covers -> 3204 from Hub; an unknown destination -> 3201', async () => {
    await request(
      'GET',
      `${sim.url}/parties/EMAIL/a@b.c`,
      headers({ resource: 'parties', source: 'testpayer' }),
    );
    const e1 = await payer.waitFor((c) => c.path === '/parties/EMAIL/a@b.c/error');
    expect(e1.headers['fspiop-source']).toBe('Hub');
    expect(e1.headers['content-type']).toBe('application/vnd.interoperability.parties+json;version=2.0');
    expect(JSON.parse(e1.body).errorInformation.errorCode).toBe('3204');
    await request(
      'GET',
      `${sim.url}/parties/MSISDN/555`,
      headers({ resource: 'parties', source: 'testpayer', destination: 'ghostfsp' }),
    );
    const e2 = await payer.waitFor((c) => c.path === '/parties/MSISDN/555/error');
    expect(JSON.parse(e2.body).errorInformation.errorCode).toBe('3201');
  });

  it('the oracle can be changed at run time', async () => {
    const put = await request(
      'PUT',
      `${sim.url}/admin/oracle`,
      { 'content-type': 'application/json' },
      JSON.stringify({ rules: [{ type: 'EMAIL', prefix: 'x', fspId: 'payeefsp' }] }),
    );
    expect(put.status).toBe(200);
    await request(
      'GET',
      `${sim.url}/parties/EMAIL/xy`,
      headers({ resource: 'parties', source: 'testpayer' }),
    );
    expect((await payer.waitFor((c) => c.path === '/parties/EMAIL/xy')).method).toBe('PUT');
    const bad = await request(
      'PUT',
      `${sim.url}/admin/oracle`,
      { 'content-type': 'application/json' },
      JSON.stringify({ rules: [{ type: 'EMAIL' }] }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body!).errorInformation.errorDescription).toContain('oracle[0].fspId');
    await request(
      'PUT',
      `${sim.url}/admin/oracle`,
      { 'content-type': 'application/json' },
      JSON.stringify([{ type: 'MSISDN', prefix: '', fspId: 'payeefsp' }]),
    );
  });

  it('an unsupported party id type is refused synchronously', async () => {
    const res = await request(
      'GET',
      `${sim.url}/parties/PHONE/1`,
      headers({ resource: 'parties', source: 'testpayer' }),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body!).errorInformation.errorCode).toBe('3100');
  });

  it('reaches a simulated payer through the relay phase wait (e2e flow)', async () => {
    await request(
      'GET',
      `${sim.url}/parties/MSISDN/123`,
      headers({ resource: 'parties', source: 'payerfsp' }),
    );
    const r = interpretRelayPhaseWait(
      await client.request(relayPhaseWaitRequest(sim.relayUrl!, 'parties', 'MSISDN/123', 3000)),
    );
    expect(r.kind).toBe('callback');
    if (r.kind !== 'callback') return;
    expect(r.callback.errorPath).toBe(false);
    expect((r.callback.body as { party: { partyIdInfo: { fspId: string } } }).party.partyIdInfo.fspId).toBe(
      'payeefsp',
    );
    // Taken: a second wait for the same key finds nothing new.
    const again = interpretRelayPhaseWait(
      await client.request(relayPhaseWaitRequest(sim.relayUrl!, 'parties', 'MSISDN/123', 0)),
    );
    expect(again.kind).toBe('pending');
  });
});

describe('quotes', () => {
  it('POST /quotes -> 202, forwarded as sent, PUT /quotes/{ID} with an ILP v1 packet (the SDK default) the payee can fulfil', async () => {
    const q = quote();
    const text = JSON.stringify(q);
    const res = await request(
      'POST',
      `${sim.url}/quotes`,
      headers({ resource: 'quotes', source: 'testpayer', destination: 'payeefsp' }),
      text,
    );
    expect(res.status).toBe(202);
    const cb = await payer.waitFor((c) => c.path === `/quotes/${q.quoteId}`);
    const body = JSON.parse(cb.body);
    expect(validateFspiopBody('QuotesIDPutResponse', body)).toBeUndefined();
    expect(body.transferAmount).toEqual({ currency: 'XXX', amount: '25' });
    const f = fulfilmentFromIlpPacket(body.ilpPacket, ilpSecretKey('mojaloop-sdk'), nodeCrypto);
    expect(f.ok && conditionFromFulfilment(f.value, nodeCrypto)).toBe(body.condition);
    const tx = transactionJsonOfPacket(body.ilpPacket);
    expect(tx.ok && JSON.parse(tx.value)).toMatchObject({
      quoteId: q.quoteId,
      transactionId: q.transactionId,
      amount: { amount: '25', currency: 'XXX' },
    });
    expect(ilpVersionOfPacket(body.ilpPacket)).toBe('v1');
  });

  it('--ilp-version v4: quotes carry ILP v4 packets, and a transfer on one commits', async () => {
    const v4 = await startSim({ ilpVersion: 'v4' });
    try {
      const q = quote('payeefsp', '3');
      await request(
        'POST',
        `${v4.url}/quotes`,
        headers({ resource: 'quotes', source: 'payerfsp', destination: 'payeefsp' }),
        JSON.stringify(q),
      );
      const r = interpretRelayPhaseWait(
        await client.request(relayPhaseWaitRequest(v4.relayUrl!, 'quotes', q.quoteId, 3000)),
      );
      if (r.kind !== 'callback') throw new Error(`no quote callback: ${JSON.stringify(r)}`);
      const qb = r.callback.body as { ilpPacket: string; condition: string; expiration: string };
      expect(ilpVersionOfPacket(qb.ilpPacket)).toBe('v4');
      const transferId = ulid(Date.now(), 2, nodeCrypto);
      await postTransfer(v4, {
        transferId,
        payeeFsp: 'payeefsp',
        payerFsp: 'payerfsp',
        amount: { amount: '3', currency: 'XXX' },
        ilpPacket: qb.ilpPacket,
        condition: qb.condition,
        expiration: qb.expiration,
      });
      expect((await waitOutcome(v4, transferId))?.state).toBe('COMMITTED');
    } finally {
      await v4.close();
    }
  });

  it('a transfer with the quote terms commits (the payee derives the fulfilment from the packet)', async () => {
    const q = quote('payeefsp', '7');
    await request(
      'POST',
      `${sim.url}/quotes`,
      headers({ resource: 'quotes', source: 'payerfsp', destination: 'payeefsp' }),
      JSON.stringify(q),
    );
    const r = interpretRelayPhaseWait(
      await client.request(relayPhaseWaitRequest(sim.relayUrl!, 'quotes', q.quoteId, 3000)),
    );
    if (r.kind !== 'callback') throw new Error(`no quote callback: ${JSON.stringify(r)}`);
    const qb = r.callback.body as {
      ilpPacket: string;
      condition: string;
      transferAmount: { amount: string; currency: string };
      expiration: string;
    };
    const transferId = ulid(Date.now(), 2, nodeCrypto);
    await postTransfer(sim, {
      transferId,
      payeeFsp: 'payeefsp',
      payerFsp: 'payerfsp',
      amount: qb.transferAmount,
      ilpPacket: qb.ilpPacket,
      condition: qb.condition,
      expiration: qb.expiration,
    });
    expect((await waitOutcome(sim, transferId))?.state).toBe('COMMITTED');
  });

  it('unknown destination FSP -> 3201 from Hub to the sender', async () => {
    const q = quote('ghostfsp');
    await request(
      'POST',
      `${sim.url}/quotes`,
      headers({ resource: 'quotes', source: 'testpayer', destination: 'ghostfsp' }),
      JSON.stringify(q),
    );
    const e = await payer.waitFor((c) => c.path === `/quotes/${q.quoteId}/error`);
    expect(JSON.parse(e.body).errorInformation.errorCode).toBe('3201');
    expect(e.headers['fspiop-source']).toBe('Hub');
  });

  it('schema errors are synchronous', async () => {
    const { amountType: _a, ...q } = quote();
    const res = await request(
      'POST',
      `${sim.url}/quotes`,
      headers({ resource: 'quotes', source: 'testpayer', destination: 'payeefsp' }),
      JSON.stringify(q),
    );
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body!).errorInformation.errorCode).toBe('3102');
  });

  it('a payee quote error reaches the payer through the hub', async () => {
    const q = quote();
    const err = JSON.stringify({
      errorInformation: { errorCode: '5101', errorDescription: 'Payee rejected quote' },
    });
    const res = await request(
      'PUT',
      `${sim.url}/quotes/${q.quoteId}/error`,
      headers({ resource: 'quotes', source: 'payeefsp', destination: 'testpayer', accept: false }),
      err,
    );
    expect(res.status).toBe(200);
    const cb = await payer.waitFor((c) => c.path === `/quotes/${q.quoteId}/error`);
    expect(cb.body).toBe(err);
  });
});
