/**
 * The separate-services shape: hub, payer DFSP (+ relay) and payee DFSP on their own ports with real
 * HTTP between them; and the DFSP side alone next to another hub (here a second simulator playing
 * the "real" hub), wired through participant endpoints and --hub-url.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  addParticipants,
  json,
  ledger,
  newTransfer,
  postTransfer,
  request,
  startSim,
  waitOutcome,
} from './helpers.ts';

describe('separate services (hub, payer + relay, payee on three ports)', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSim({ shape: 'separate', hubPort: 0, payerPort: 0, payeePort: 0 });
  });
  afterAll(async () => {
    await sim.close();
  });

  it('listens on three different ports with their own health', async () => {
    const { hub, payer, payee } = sim.urls;
    expect(new Set([hub, payer, payee]).size).toBe(3);
    for (const [url, service] of [
      [hub, 'hub'],
      [payer, 'payer'],
      [payee, 'payee'],
    ] as const) {
      expect(json(await request('GET', `${url}/health`))).toMatchObject({ status: 'ok', service });
    }
    expect(sim.relayUrl).toBe(`${payer}/relay`);
    expect(sim.startupLine).toContain(`hub ${hub}`);
    expect(sim.startupLine).toContain(`payee DFSP payeefsp ${payee}`);
  });

  it('a transfer commits over real HTTP between the services', async () => {
    const t = newTransfer();
    expect((await postTransfer(sim, t.body)).status).toBe(202);
    expect((await waitOutcome(sim, t.id))?.state).toBe('COMMITTED');
    const l = await ledger(sim);
    expect(l.transfers.final.COMMITTED).toBeGreaterThanOrEqual(1);
    expect(l.positions.payeefsp!.XXX!.position).toBe('-10');
    expect(
      (l as unknown as { callbacks: { transport: { inProcess: number } } }).callbacks.transport.inProcess,
    ).toBe(0);
  });

  it('the outbound API of the payer service drives the hub over HTTP', async () => {
    const res = await request(
      'POST',
      `${sim.outboundUrl('payerfsp')}/transfers`,
      { 'content-type': 'application/json' },
      JSON.stringify({
        homeTransactionId: 'h',
        from: { idType: 'MSISDN', idValue: '1' },
        to: { idType: 'MSISDN', idValue: '2' },
        amountType: 'SEND',
        currency: 'XXX',
        amount: '3',
        transactionType: 'TRANSFER',
      }),
    );
    expect(res.status).toBe(200);
    expect(json(res)).toMatchObject({
      currentState: 'COMPLETED',
      fulfil: { body: { transferState: 'COMMITTED' } },
    });
  });
});

describe('the DFSP side next to another hub', () => {
  let hubSim: SimulatorHandle;
  let dfsps: SimulatorHandle;
  beforeAll(async () => {
    hubSim = await startSim({ shape: 'separate', services: ['hub'], hubPort: 0, participants: [] });
    dfsps = await startSim({
      shape: 'separate',
      services: ['payer', 'payee'],
      payerPort: 0,
      payeePort: 0,
      hubUrl: hubSim.urls.hub,
    });
    const reg = await addParticipants(hubSim, [
      { fspId: 'payerfsp', endpoint: `${dfsps.urls.payer}/dfsp/payerfsp` },
      { fspId: 'payeefsp', endpoint: `${dfsps.urls.payee}/dfsp/payeefsp` },
    ]);
    expect(reg.status).toBe(201);
  });
  afterAll(async () => {
    await dfsps.close();
    await hubSim.close();
  });

  it('registered endpoints are used and the relay of the DFSP side gets the outcome', async () => {
    const list = json<{
      participants: Array<{ fspId: string; callbackBaseUrl: string; simulated: boolean }>;
    }>(await request('GET', `${hubSim.url}/admin/participants`));
    expect(list.participants.find((p) => p.fspId === 'payeefsp')).toMatchObject({
      simulated: false,
      callbackBaseUrl: `${dfsps.urls.payee}/dfsp/payeefsp`,
    });
    const t = newTransfer();
    expect((await postTransfer(hubSim, t.body)).status).toBe(202);
    expect((await waitOutcome(dfsps, t.id))?.state).toBe('COMMITTED');
  });

  it('a hub alone warns about simulated participants nobody hosts', async () => {
    const lines: string[] = [];
    const lonely = await startSim({
      shape: 'separate',
      services: ['hub'],
      hubPort: 0,
      log: (l) => lines.push(l),
    });
    try {
      expect(lines.join('\n')).toContain('no callback endpoint for payerfsp, payeefsp');
    } finally {
      await lonely.close();
    }
  });

  it('participant registration is validated', async () => {
    const bad = await addParticipants(hubSim, { fspId: 'x y', endpoint: 'ftp://nope' });
    expect(bad.status).toBe(400);
    expect(
      json<{ errorInformation: { errorDescription: string } }>(bad).errorInformation.errorDescription,
    ).toContain('participant.fspId');
    const bad2 = await addParticipants(hubSim, [
      { fspId: 'ok', currencies: [{ currency: 'XXX', liquidity: 'lots' }] },
    ]);
    expect(
      json<{ errorInformation: { errorDescription: string } }>(bad2).errorInformation.errorDescription,
    ).toContain('participants[0].currencies[0].liquidity');
  });
});
