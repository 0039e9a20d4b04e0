/**
 * Who may use the simulator (sim/runtime/auth.ts), over real HTTP: with a shared secret the admin
 * API, the relay and the DFSP callbacks refuse clients without the right credential, and the
 * refusal has no effect; a runner credential reaches only its own runner's outcomes; the hub still
 * reaches its DFSPs (all-in-one and over HTTP). Without a secret: callbacks for transfers the hub
 * never saw are counted and not delivered, and participant names are never object keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  interpretRelayCollect,
  interpretRelayStats,
  interpretRelayWait,
  type RelayBatch,
  relayCollectRequest,
  relayRunnerCredential,
  relayStatsRequest,
  relayWaitRequest,
} from '../../lib/protocol/relay.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  CaptureServer,
  client,
  eventually,
  headers,
  json,
  newTransfer,
  postTransfer,
  request,
  sleep,
  startSim,
} from './helpers.ts';

const TOKEN = 'test-secret-0123456789abcdef';
const bearer = (c: string) => ({ authorization: `Bearer ${c}` });
const runnerCred = (n: number) => relayRunnerCredential(TOKEN, n, nodeCrypto);
const JSON_CT = { 'content-type': 'application/json' };

interface ErrorBody {
  errorInformation: { errorCode: string; errorDescription: string };
}

function expectRefused(
  res: { status: number; body: string | null; headers: Record<string, string> },
  status: 401 | 403,
  text: string,
  what: string,
): void {
  expect(res.status, what).toBe(status);
  const b = JSON.parse(res.body ?? 'null') as ErrorBody;
  expect(b.errorInformation.errorCode, what).toBe('3000');
  expect(b.errorInformation.errorDescription, what).toContain(text);
  if (status === 401) expect(res.headers['www-authenticate'], what).toMatch(/^Bearer /);
}

async function collect(
  s: SimulatorHandle,
  runner: number,
  auth: string | undefined,
  cursor = '',
): Promise<RelayBatch> {
  const r = interpretRelayCollect(
    await client.request(relayCollectRequest(s.relayUrl!, { runner, cursor, max: 1000, auth })),
  );
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

async function send(s: SimulatorHandle, runner: number, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const t = newTransfer({ runner });
    ids.push(t.id);
    expect((await postTransfer(s, t.body)).status).toBe(202);
  }
  return ids;
}

async function stats(s: SimulatorHandle, auth?: string) {
  const r = interpretRelayStats(await client.request(relayStatsRequest(s.relayUrl!, auth)));
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('startSimulator refuses to listen beyond loopback without credentials', () => {
  it('names the flag; a token lets it start, and requests then need it', async () => {
    await expect(startSim({ host: '0.0.0.0' })).rejects.toThrow(/--host 0\.0\.0\.0: .*--auth-token <secret>/);
    const s = await startSim({ host: '0.0.0.0', authToken: TOKEN });
    try {
      const url = s.url.replace('0.0.0.0', '127.0.0.1');
      expect((await request('GET', `${url}/health`)).status).toBe(200);
      expect((await request('GET', `${url}/admin/ledger`)).status).toBe(401);
      expect((await request('GET', `${url}/admin/ledger`, bearer(TOKEN))).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('with a shared secret (all-in-one)', () => {
  let sim: SimulatorHandle;
  let capture: CaptureServer;
  beforeAll(async () => {
    sim = await startSim({ authToken: TOKEN });
    capture = await new CaptureServer().start();
  });
  afterAll(async () => {
    await sim.close();
    await capture.close();
  });

  it('the admin API: no credential 401, a wrong one 401, a runner credential or the callback key 403', async () => {
    const endpoints: Array<['GET' | 'POST' | 'PUT', string, string | undefined]> = [
      ['GET', '/admin/ledger', undefined],
      ['GET', '/admin/ledger/transfers/01ARZ3NDEKTSV4RRFFQ69G5FAV', undefined],
      ['GET', '/admin/participants', undefined],
      ['POST', '/admin/participants', JSON.stringify({ fspId: 'evil', endpoint: capture.url })],
      ['GET', '/admin/oracle', undefined],
      ['PUT', '/admin/oracle', '[]'],
      ['GET', '/admin/faults', undefined],
      ['PUT', '/admin/faults', '"errors"'],
      ['POST', '/admin/reset', undefined],
    ];
    const callbackKey = new URL(sim.callbackUrl('payerfsp')!).pathname.split('/')[2]!;
    for (const [m, path, body] of endpoints) {
      const what = `${m} ${path}`;
      expectRefused(
        await request(m, `${sim.url}${path}`, JSON_CT, body),
        401,
        'authentication required',
        what,
      );
      expectRefused(
        await request(m, `${sim.url}${path}`, { ...JSON_CT, ...bearer(`${TOKEN}x`) }, body),
        401,
        '--auth-token',
        what,
      );
      expectRefused(
        await request(m, `${sim.url}${path}`, { ...JSON_CT, ...bearer(runnerCred(1)) }, body),
        403,
        'operator credential',
        what,
      );
      expectRefused(
        await request(m, `${sim.url}${path}`, { ...JSON_CT, ...bearer(callbackKey) }, body),
        403,
        'operator credential',
        what,
      );
      expectRefused(
        await request(m, `${sim.url}${path}`, { ...JSON_CT, authorization: `Basic ${TOKEN}` }, body),
        401,
        'authentication required',
        what,
      );
    }
    // None of it had an effect: the participant was never registered (nor called), no faults.
    const list = json<{ participants: Array<{ fspId: string }> }>(
      await request('GET', `${sim.url}/admin/participants`, bearer(TOKEN)),
    );
    expect(list.participants.map((p) => p.fspId)).toEqual(['payerfsp', 'payeefsp']);
    const faults = json<{ profile: { name: string } }>(
      await request('GET', `${sim.url}/admin/faults`, bearer(TOKEN)),
    );
    expect(faults.profile.name).toBe('none');
    expect(capture.requests).toHaveLength(0);
  });

  it('an unauthenticated reset changes nothing; the operator token resets', async () => {
    const [id] = await send(sim, 2, 1);
    await eventually(async () => ((await stats(sim, TOKEN)).totals.received >= 1 ? true : undefined));
    expect((await request('POST', `${sim.url}/admin/reset`)).status).toBe(401);
    const ledger = json<{ transfers: { received: number } }>(
      await request('GET', `${sim.url}/admin/ledger`, bearer(TOKEN)),
    );
    expect(ledger.transfers.received).toBeGreaterThanOrEqual(1);
    expect((await collect(sim, 2, runnerCred(2))).outcomes.map((o) => o.transferId)).toContain(id);
    expect(json(await request('POST', `${sim.url}/admin/reset`, bearer(TOKEN)))).toEqual({ reset: true });
    expect(
      json<{ transfers: { received: number } }>(
        await request('GET', `${sim.url}/admin/ledger`, bearer(TOKEN)),
      ).transfers.received,
    ).toBe(0);
  });

  it('the relay: a runner credential collects and waits only for its own runner; the token for any', async () => {
    const ids = await send(sim, 6, 3);
    // No credential, a wrong one, the callback key: refused.
    expectRefused(
      await request('GET', `${sim.relayUrl}/outcomes?runner=6`),
      401,
      'runner credential',
      'none',
    );
    expectRefused(
      await request('GET', `${sim.relayUrl}/stats`, bearer('r6.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')),
      401,
      'authentication required',
      'forged runner credential',
    );
    // Another runner's credential: 403 naming both, for collect (any cursor) and for wait.
    for (const cursor of ['', 'served', 'zz.999999999']) {
      const r = await request(
        'GET',
        `${sim.relayUrl}/outcomes?runner=6&cursor=${cursor}`,
        bearer(runnerCred(5)),
      );
      expectRefused(r, 403, "this credential is runner 5's; runner 6's outcomes need runner 6's", cursor);
    }
    const w = await client.request(relayWaitRequest(sim.relayUrl!, ids[0]!, 0, runnerCred(5)));
    expectRefused(w, 403, "the transfer is runner 6's; this credential is runner 5's", 'wait');
    // Stats: any runner credential.
    expect((await stats(sim, runnerCred(5))).totals.received).toBeGreaterThanOrEqual(0);
    // Runner 6 gets all three, none acknowledged by the refused attempts.
    const got: string[] = [];
    let cursor = '';
    await eventually(async () => {
      const b = await collect(sim, 6, runnerCred(6), cursor);
      cursor = b.cursor;
      got.push(...b.outcomes.map((o) => o.transferId));
      return got.length >= 3 ? true : undefined;
    });
    expect(got.sort()).toEqual([...ids].sort());
    const waited = interpretRelayWait(
      await client.request(relayWaitRequest(sim.relayUrl!, ids[1]!, 0, TOKEN)),
    );
    expect(waited.kind).toBe('outcome');
  });

  it('a cursor never acknowledges what the relay has not handed out yet (far-future cursor)', async () => {
    const first = await send(sim, 7, 2);
    let b = await eventually(async () => {
      const x = await collect(sim, 7, runnerCred(7));
      return x.outcomes.length >= 2 ? x : undefined;
    });
    expect(b.outcomes.map((o) => o.transferId).sort()).toEqual([...first].sort());
    const epoch = b.cursor.slice(0, b.cursor.indexOf('.'));
    const later = await send(sim, 7, 2);
    await eventually(async () => ((await stats(sim, TOKEN)).runners['7']!.received >= 4 ? true : undefined));
    // Acknowledge "everything up to seq 999999": only what was handed out counts.
    b = await collect(sim, 7, runnerCred(7), `${epoch}.999999`);
    expect(b.outcomes.map((o) => o.transferId).sort()).toEqual([...later].sort());
    // `served` still works for the runner itself (teardown's drain after an early stop).
    expect((await collect(sim, 7, runnerCred(7), 'served')).outcomes).toHaveLength(0);
    expect((await stats(sim, TOKEN)).runners['7']).toMatchObject({ received: 4, delivered: 4, pending: 0 });
  });

  it('DFSP callback endpoints: no credential 401; the callback key (header or path) or the token 200; outbound stays open', async () => {
    const t = newTransfer({ runner: 8 });
    const put = (url: string, h: Record<string, string> = {}) =>
      request(
        'PUT',
        url,
        { ...headers({ source: 'payeefsp', destination: 'payerfsp', accept: false }), ...h },
        JSON.stringify({ transferState: 'COMMITTED', completedTimestamp: new Date().toISOString() }),
      );
    const callbackBase = sim.callbackUrl('payerfsp')!;
    expect(callbackBase).toMatch(/\/cb\/[A-Za-z0-9_-]{43}\/dfsp\/payerfsp$/);
    const key = callbackBase.split('/cb/')[1]!.split('/')[0]!;
    expectRefused(
      await put(`${sim.url}/dfsp/payerfsp/transfers/${t.id}`),
      401,
      'callback key',
      'no credential',
    );
    expectRefused(
      await put(`${sim.url}/cb/${key.slice(0, -1)}A/dfsp/payerfsp/transfers/${t.id}`),
      401,
      'callback key',
      'wrong path key',
    );
    expectRefused(
      await put(`${sim.url}/dfsp/payerfsp/transfers/${t.id}`, bearer(runnerCred(8))),
      403,
      'only reaches the relay',
      'runner credential',
    );
    expectRefused(
      await request('GET', `${sim.url}/relay/stats`, bearer(key)),
      403,
      'does not reach the relay',
      'callback key on the relay',
    );
    expect((await put(`${callbackBase}/transfers/${t.id}`)).status).toBe(200);
    expect((await put(`${sim.url}/dfsp/payerfsp/transfers/${t.id}`, bearer(key))).status).toBe(200);
    expect((await put(`${sim.url}/dfsp/payerfsp/transfers/${t.id}`, bearer(TOKEN))).status).toBe(200);
    // Not a path to anything else.
    expect((await request('GET', `${sim.url}/cb/${key}/admin/ledger`)).status).toBe(404);
    // The outbound API is the DFSP's client API: open, like the hub's FSPIOP API.
    const ob = await request('POST', `${sim.url}/dfsp/payerfsp/outbound/quotes`, JSON_CT, '{}');
    expect(ob.status).toBe(400);
    // And the accepted callbacks were for a transfer the hub never saw: counted, not delivered.
    expect((await stats(sim, TOKEN)).unknownTransfers).toBeGreaterThanOrEqual(3);
  });

  it('transfers still commit end to end (the hub calls its DFSPs with the callback key)', async () => {
    const ids = await send(sim, 9, 5);
    const got = new Set<string>();
    await eventually(async () => {
      for (const o of (await collect(sim, 9, runnerCred(9))).outcomes)
        if (o.state === 'COMMITTED') got.add(o.transferId);
      return got.size >= 5 ? true : undefined;
    });
    expect([...got].sort()).toEqual([...ids].sort());
  });
});

describe('with a shared secret (separate shape: hub -> DFSP hops over HTTP)', () => {
  it('commits, and each listener refuses unauthenticated admin, relay and callback requests', async () => {
    const sim = await startSim({
      shape: 'separate',
      hubPort: 0,
      payerPort: 0,
      payeePort: 0,
      authToken: TOKEN,
    });
    try {
      const t = newTransfer({ runner: 4 });
      expect((await postTransfer(sim, t.body)).status).toBe(202);
      const outcome = await eventually(async () => {
        const r = interpretRelayWait(
          await client.request(relayWaitRequest(sim.relayUrl!, t.id, 1000, runnerCred(4))),
        );
        return r.kind === 'outcome' ? r.outcome : undefined;
      });
      expect(outcome.state).toBe('COMMITTED');
      expect((await request('GET', `${sim.urls.hub}/admin/ledger`)).status).toBe(401);
      expect((await request('GET', `${sim.relayUrl}/stats`)).status).toBe(401);
      expect((await request('POST', `${sim.urls.payee}/dfsp/payeefsp/transfers`, JSON_CT, '{}')).status).toBe(
        401,
      );
      expect(sim.callbackUrl('payeefsp')).toMatch(
        new RegExp(`^${sim.urls.payee}/cb/[^/]{43}/dfsp/payeefsp$`),
      );
    } finally {
      await sim.close();
    }
  });

  it('the DFSP side alone next to a real hub prints the callback URLs to register', async () => {
    const lines: string[] = [];
    const sim = await startSim({
      shape: 'separate',
      services: ['payer', 'payee'],
      payerPort: 0,
      payeePort: 0,
      hubUrl: 'http://127.0.0.1:9',
      authToken: TOKEN,
      log: (l) => lines.push(l),
    });
    try {
      expect(sim.startupLine).toContain(`payerfsp ${sim.callbackUrl('payerfsp')}`);
      expect(sim.startupLine).toContain(`payeefsp ${sim.callbackUrl('payeefsp')}`);
    } finally {
      await sim.close();
    }
  });
});

describe('without a secret (loopback)', () => {
  let sim: SimulatorHandle;
  beforeAll(async () => {
    sim = await startSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('callbacks for transfers the hub never saw are counted and not delivered', async () => {
    const forged = Array.from({ length: 5 }, () => newTransfer({ runner: 21 }).id);
    const before = await stats(sim);
    for (const [i, id] of forged.entries()) {
      const path = i % 2 === 0 ? `/transfers/${id}` : `/transfers/${id}/error`;
      const body =
        i % 2 === 0
          ? { transferState: 'COMMITTED', completedTimestamp: new Date().toISOString() }
          : { errorInformation: { errorCode: '5100', errorDescription: 'forged' } };
      const r = await request(
        'PUT',
        `${sim.url}/dfsp/payerfsp${path}`,
        headers({ source: 'payeefsp', destination: 'payerfsp', accept: false }),
        JSON.stringify(body),
      );
      expect(r.status).toBe(200);
    }
    const real = await send(sim, 21, 2);
    const got: string[] = [];
    let cursor = '';
    await eventually(async () => {
      const b = await collect(sim, 21, undefined, cursor);
      cursor = b.cursor;
      got.push(...b.outcomes.map((o) => o.transferId));
      return got.length >= 2 ? true : undefined;
    });
    await sleep(50);
    got.push(...(await collect(sim, 21, undefined, cursor)).outcomes.map((o) => o.transferId));
    expect(got.sort()).toEqual([...real].sort());
    const after = await stats(sim);
    expect(after.unknownTransfers! - before.unknownTransfers!).toBe(5);
    expect(after.runners['21']).toMatchObject({ received: 2 });
    const w = interpretRelayWait(await client.request(relayWaitRequest(sim.relayUrl!, forged[0]!, 0)));
    expect(w.kind).toBe('pending');
    const l = json<{ relay: { unknownTransfers: number } }>(await request('GET', `${sim.url}/admin/ledger`));
    expect(l.relay.unknownTransfers).toBe(after.unknownTransfers);
  });

  it('participants named like Object.prototype members are listed everywhere like any other', async () => {
    const names = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];
    const r = await request(
      'POST',
      `${sim.url}/admin/participants`,
      JSON_CT,
      JSON.stringify(names.map((fspId) => ({ fspId, currencies: [{ currency: 'XXX', liquidity: '7' }] }))),
    );
    expect(r.status).toBe(201);
    const l = await request('GET', `${sim.url}/admin/ledger`);
    const ledger = JSON.parse(l.body!) as {
      positions: Record<string, Record<string, { liquidity: string }>>;
      dfsps: Record<string, unknown>;
    };
    for (const n of names) {
      expect(Object.hasOwn(ledger.positions, n), `positions.${n}`).toBe(true);
      expect(ledger.positions[n]!.XXX!.liquidity, n).toBe('7');
      expect(Object.hasOwn(ledger.dfsps, n), `dfsps.${n}`).toBe(true);
    }
    const list = json<{ participants: Array<{ fspId: string }> }>(
      await request('GET', `${sim.url}/admin/participants`),
    );
    expect(list.participants.map((p) => p.fspId)).toEqual(expect.arrayContaining(names));
    // Query names too: `__proto__` is just a parameter.
    const q = await request('GET', `${sim.relayUrl}/outcomes?__proto__=1&constructor=2&runner=3`);
    expect(q.status).toBe(200);
  });
});
