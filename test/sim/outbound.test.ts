/**
 * The DFSP outbound synchronous API (sdk-scheme-adapter shape): the thin wrappers, the blocking
 * POST /transfers, the SDK's "error callback answered 200" trap, and timeouts — each read with the
 * protocol core's interpreters, as the k6 client will read them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { party, quotesPostBody } from '../../lib/protocol/bodies.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import {
  interpretOutboundPhaseResponse,
  interpretOutboundTransferResponse,
} from '../../lib/protocol/interpret.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import { json, newTransfer, request, startSim, waitOutcome } from './helpers.ts';

let sim: SimulatorHandle;
let base: string;
const JSON_CT = { 'content-type': 'application/json' };

beforeAll(async () => {
  sim = await startSim({
    participants: [
      { fspId: 'payerfsp', placement: 'payer' },
      { fspId: 'payeefsp' },
      { fspId: 'poorfsp', currencies: [{ currency: 'XXX', liquidity: '1' }], placement: 'payer' },
    ],
  });
  base = sim.outboundUrl('payerfsp')!;
});

afterAll(async () => {
  await sim.close();
});

function transferRequest(extra: Record<string, unknown> = {}) {
  return {
    homeTransactionId: 'home-1',
    from: { idType: 'MSISDN', idValue: '44123456789', displayName: 'Payer' },
    to: { idType: 'MSISDN', idValue: '44987654321' },
    amountType: 'SEND',
    currency: 'XXX',
    amount: '15',
    transactionType: 'TRANSFER',
    ...extra,
  };
}

describe('thin async-to-sync wrappers', () => {
  it('GET /parties -> 200 {party:{body, headers}, currentState:COMPLETED}', async () => {
    const res = await request('GET', `${base}/parties/MSISDN/44987654321`);
    expect(res.status).toBe(200);
    const b = json<{
      party: { body: { partyIdInfo: { fspId: string } }; headers: Record<string, string> };
      currentState: string;
    }>(res);
    expect(b.currentState).toBe('COMPLETED');
    expect(b.party.body.partyIdInfo.fspId).toBe('payeefsp');
    expect(b.party.headers['fspiop-source']).toBe('payeefsp');
    expect(interpretOutboundPhaseResponse(res, 'parties').ok).toBe(true);
  });

  it('GET /parties for an unknown party -> 404 with errorInformation', async () => {
    const res = await request('GET', `${base}/parties/EMAIL/nobody@example.com`);
    expect(res.status).toBe(404);
    expect(json(res)).toMatchObject({
      errorInformation: { errorCode: '3204' },
      currentState: 'ERROR_OCCURRED',
    });
    const r = interpretOutboundPhaseResponse(res, 'parties');
    expect(!r.ok && r.outcome).toMatchObject({ kind: 'rejected', errorCode: '3204' });
  });

  it('POST /quotes -> 200 with the quote; an error callback ALSO answers 200 (the SDK trap)', async () => {
    const q = quotesPostBody({
      quoteId: ulid(Date.now(), 0, nodeCrypto),
      transactionId: ulid(Date.now(), 0, nodeCrypto),
      payer: party({ idValue: '1', fspId: 'payerfsp' }),
      payee: party({ idValue: '2', fspId: 'payeefsp' }),
      amount: '5',
      currency: 'XXX',
    });
    const ok = await request(
      'POST',
      `${base}/quotes`,
      JSON_CT,
      JSON.stringify({ fspId: 'payeefsp', quotesPostRequest: q }),
    );
    expect(ok.status).toBe(200);
    const okr = interpretOutboundPhaseResponse(ok, 'quotes');
    expect(okr.ok && typeof okr.value.ilpPacket).toBe('string');

    const q2 = { ...q, quoteId: ulid(Date.now(), 0, nodeCrypto) };
    const trap = await request(
      'POST',
      `${base}/quotes`,
      JSON_CT,
      JSON.stringify({ fspId: 'ghostfsp', quotesPostRequest: q2 }),
    );
    expect(trap.status).toBe(200);
    expect(json(trap)).toMatchObject({
      currentState: 'COMPLETED',
      quotes: { body: { errorInformation: { errorCode: '3201' } } },
    });
    const tr = interpretOutboundPhaseResponse(trap, 'quotes');
    expect(!tr.ok && tr.outcome).toMatchObject({ kind: 'rejected', errorCode: '3201' });
  });

  it('POST /simpleTransfers -> 200 COMMITTED; a rejected transfer is ALSO 200 with errorInformation', async () => {
    const t = newTransfer();
    const ok = await request(
      'POST',
      `${base}/simpleTransfers`,
      JSON_CT,
      JSON.stringify({ fspId: 'payeefsp', transfersPostRequest: t.body }),
    );
    expect(ok.status).toBe(200);
    expect(json(ok)).toMatchObject({
      currentState: 'COMPLETED',
      transfer: { body: { transferState: 'COMMITTED', fulfilment: t.fulfilment } },
    });
    expect(interpretOutboundTransferResponse(ok)).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
    // The relay sees it too (the callback reached the payer DFSP).
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');

    const poor = newTransfer({ payerFsp: 'poorfsp' });
    const rejected = await request(
      'POST',
      `${sim.outboundUrl('poorfsp')}/simpleTransfers`,
      JSON_CT,
      JSON.stringify({ fspId: 'payeefsp', transfersPostRequest: poor.body }),
    );
    expect(rejected.status).toBe(200);
    expect(json(rejected)).toMatchObject({ transfer: { body: { errorInformation: { errorCode: '4001' } } } });
    expect(interpretOutboundTransferResponse(rejected)).toMatchObject({
      kind: 'rejected',
      errorCode: '4001',
    });
  });

  it('a synchronous hub refusal comes back as 500 with lastError.mojaloopError', async () => {
    const t = newTransfer();
    const res = await request(
      'POST',
      `${base}/simpleTransfers`,
      JSON_CT,
      JSON.stringify({
        fspId: 'payeefsp',
        transfersPostRequest: { ...t.body, amount: { currency: 'XXX', amount: '1.00' } },
      }),
    );
    expect(res.status).toBe(500);
    expect(json(res)).toMatchObject({
      statusCode: '3100',
      lastError: { httpStatusCode: 400, mojaloopError: { errorInformation: { errorCode: '3100' } } },
    });
    expect(interpretOutboundTransferResponse(res)).toMatchObject({ kind: 'rejected', errorCode: '3100' });
  });

  it('malformed outbound requests -> 400 naming the field', async () => {
    const r1 = await request('POST', `${base}/quotes`, JSON_CT, '{nope');
    expect(r1.status).toBe(400);
    const r2 = await request(
      'POST',
      `${base}/simpleTransfers`,
      JSON_CT,
      JSON.stringify({ fspId: 'payeefsp' }),
    );
    expect(json<{ message: string }>(r2).message).toContain('transfersPostRequest');
    const r3 = await request(
      'POST',
      `${base}/transfers`,
      JSON_CT,
      JSON.stringify(transferRequest({ amount: '1.50' })),
    );
    expect(json<{ message: string }>(r3).message).toContain('amount');
    const r4 = await request('GET', `${base}/nothing`);
    expect(r4.status).toBe(404);
  });
});

describe('POST /transfers (parties -> quote -> transfer, auto-accepted)', () => {
  it('blocks through all three phases and answers 200 COMPLETED', async () => {
    const res = await request('POST', `${base}/transfers`, JSON_CT, JSON.stringify(transferRequest()));
    expect(res.status).toBe(200);
    const b = json<Record<string, unknown>>(res);
    expect(b).toMatchObject({
      currentState: 'COMPLETED',
      homeTransactionId: 'home-1',
      to: { fspId: 'payeefsp' },
      getPartiesResponse: { body: { party: { partyIdInfo: { fspId: 'payeefsp' } } } },
      quoteResponse: { body: { transferAmount: { amount: '15', currency: 'XXX' } } },
      fulfil: { body: { transferState: 'COMMITTED' } },
    });
    expect(b.transferId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(interpretOutboundTransferResponse(res)).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
  });

  it('a party lookup failure -> 500 with transferState.lastError', async () => {
    const res = await request(
      'POST',
      `${base}/transfers`,
      JSON_CT,
      JSON.stringify(transferRequest({ to: { idType: 'EMAIL', idValue: 'x@y.z' } })),
    );
    expect(res.status).toBe(500);
    expect(json(res)).toMatchObject({
      transferState: {
        currentState: 'ERROR_OCCURRED',
        lastError: { mojaloopError: { errorInformation: { errorCode: '3204' } } },
      },
    });
    expect(interpretOutboundTransferResponse(res)).toMatchObject({ kind: 'rejected', errorCode: '3204' });
  });
});

describe('timeouts', () => {
  it('thin wrapper -> 500 {statusCode:"500"}; POST /transfers -> 504 (read as a timeout)', async () => {
    const s2 = await startSim({ outboundTimeoutMs: 300, faults: { callbackLoss: { rate: 1, to: 'any' } } });
    try {
      const b2 = s2.outboundUrl('payerfsp')!;
      const t = newTransfer();
      const r1 = await request(
        'POST',
        `${b2}/simpleTransfers`,
        JSON_CT,
        JSON.stringify({ fspId: 'payeefsp', transfersPostRequest: t.body }),
      );
      expect(r1.status).toBe(500);
      expect(json(r1)).toMatchObject({ statusCode: '500' });
      const r2 = await request(
        'POST',
        `${b2}/transfers`,
        JSON_CT,
        JSON.stringify(
          transferRequest({
            to: { idType: 'MSISDN', idValue: '1', fspId: 'payeefsp' },
            skipPartyLookup: true,
          }),
        ),
      );
      expect(r2.status).toBe(504);
      expect(interpretOutboundTransferResponse(r2).kind).toBe('timeout');
    } finally {
      await s2.close();
    }
  });
});
