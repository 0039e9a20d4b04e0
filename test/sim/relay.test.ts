/**
 * The callback relay over real HTTP: runner partitions, cursor acknowledgement, errors on the same
 * channel, duplicates, bounded memory with counted evictions, long-polls and parameter errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  interpretRelayCollect,
  interpretRelayStats,
  type RelayBatch,
  relayCollectRequest,
  relayStatsRequest,
} from '../../lib/protocol/relay.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import {
  client,
  eventually,
  json,
  newTransfer,
  postTransfer,
  request,
  setFaults,
  sleep,
  startSim,
  waitOutcome,
} from './helpers.ts';

let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await startSim();
});

afterAll(async () => {
  await sim.close();
});

async function collect(
  s: SimulatorHandle,
  runner: number,
  cursor = '',
  max = 1000,
  waitMs = 0,
): Promise<RelayBatch> {
  const r = interpretRelayCollect(
    await client.request(relayCollectRequest(s.relayUrl!, { runner, cursor, max, waitMs })),
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

/** Collects runner `runner` until `n` outcomes arrived (acknowledging as it goes). */
async function collectN(
  s: SimulatorHandle,
  runner: number,
  n: number,
): Promise<{ outcomes: RelayBatch['outcomes']; cursor: string }> {
  let cursor = '';
  const outcomes: RelayBatch['outcomes'] = [];
  await eventually(async () => {
    const b = await collect(s, runner, cursor);
    cursor = b.cursor;
    outcomes.push(...b.outcomes);
    return outcomes.length >= n ? true : undefined;
  });
  return { outcomes, cursor };
}

describe('collect', () => {
  it('partitions by runner: each runner reads only its own transfers', async () => {
    const a = await send(sim, 11, 3);
    const b = await send(sim, 12, 2);
    const ra = await collectN(sim, 11, 3);
    const rb = await collectN(sim, 12, 2);
    expect(ra.outcomes.map((o) => o.transferId).sort()).toEqual([...a].sort());
    expect(rb.outcomes.map((o) => o.transferId).sort()).toEqual([...b].sort());
    expect(ra.outcomes.every((o) => o.runner === 11 && o.state === 'COMMITTED')).toBe(true);
  });

  it('returns unacknowledged outcomes again until the cursor acknowledges them; max bounds a batch', async () => {
    const ids = await send(sim, 13, 5);
    await Promise.all(ids.map((id) => waitOutcome(sim, id)));
    // waitOutcome delivered them via wait: collect skips delivered outcomes.
    expect((await collect(sim, 13)).outcomes).toHaveLength(0);

    const more = await send(sim, 14, 5);
    await eventually(async () => ((await collect(sim, 14)).outcomes.length === 5 ? true : undefined));
    const first = await collect(sim, 14, '', 2);
    expect(first.outcomes).toHaveLength(2);
    const again = await collect(sim, 14, '', 2);
    expect(again.outcomes.map((o) => o.transferId)).toEqual(first.outcomes.map((o) => o.transferId));
    const next = await collect(sim, 14, first.cursor, 10);
    expect(next.outcomes).toHaveLength(3);
    const done = await collect(sim, 14, next.cursor);
    expect(done.outcomes).toHaveLength(0);
    expect(new Set([...first.outcomes, ...next.outcomes].map((o) => o.transferId))).toEqual(new Set(more));
    const stats = interpretRelayStats(await client.request(relayStatsRequest(sim.relayUrl!)));
    expect(stats.ok && stats.value.runners['14']).toMatchObject({
      received: 5,
      delivered: 5,
      pending: 0,
      evictedUnread: 0,
    });
  });

  it('a cursor from another relay epoch starts from what is retained and not yet acknowledged', async () => {
    const [id] = await send(sim, 15, 1);
    await collectN(sim, 15, 1);
    const stale = await collect(sim, 15, 'zzzz.999');
    expect(stale.outcomes.map((o) => o.transferId)).toEqual([id]);
    expect((await collect(sim, 15, stale.cursor)).outcomes).toHaveLength(0);
    expect((await collect(sim, 15, 'zzzz.999')).outcomes).toHaveLength(0);
  });

  it('errors come on the same channel as commits', async () => {
    await setFaults(sim, { errors: [{ code: '4001', rate: 1, at: 'hub' }] });
    try {
      const ids = await send(sim, 16, 2);
      const r = await collectN(sim, 16, 2);
      expect(r.outcomes.map((o) => o.transferId).sort()).toEqual([...ids].sort());
      for (const o of r.outcomes) {
        expect(o).toMatchObject({ state: 'ABORTED', errorCode: '4001' });
        expect(o.errorDescription).toBe('Payer FSP insufficient liquidity - injected fault');
      }
    } finally {
      await setFaults(sim, 'none');
    }
  });

  it('long-poll: a collect with waitMs returns as soon as an outcome arrives', async () => {
    const started = Date.now();
    const pending = collect(sim, 17, '', 100, 10_000);
    await sleep(100);
    const [id] = await send(sim, 17, 1);
    const b = await pending;
    expect(b.outcomes.map((o) => o.transferId)).toEqual([id]);
    expect(Date.now() - started).toBeLessThan(9000);
  });
});

describe('duplicates and bounded memory', () => {
  it('later callbacks for a transfer are counted as duplicates, not delivered again', async () => {
    await setFaults(sim, { duplicateCallbacks: { rate: 1 } });
    try {
      const ids = await send(sim, 18, 3);
      const r = await collectN(sim, 18, 3);
      expect(r.outcomes).toHaveLength(3);
      const b = await eventually(async () => {
        const x = await collect(sim, 18, r.cursor);
        return x.duplicates >= 3 ? x : undefined;
      });
      expect(b.outcomes).toHaveLength(0);
      expect(b.duplicates).toBe(3);
      expect(ids).toHaveLength(3);
    } finally {
      await setFaults(sim, 'none');
    }
  });

  it('evicts beyond the cap and counts what was never read', async () => {
    const s2 = await startSim({ relay: { ttlMs: 300_000, max: 5, maxWaiters: 100 } });
    try {
      const ids = await send(s2, 3, 8);
      await eventually(async () => {
        const st = interpretRelayStats(await client.request(relayStatsRequest(s2.relayUrl!)));
        return st.ok && st.value.totals.received === 8 ? true : undefined;
      });
      const b = await collect(s2, 3);
      expect(b.evicted).toBe(3);
      expect(b.outcomes.map((o) => o.transferId)).toEqual(ids.slice(3));
      const ledgerRelay = json<{ relay: { totals: { evictedUnread: number } } }>(
        await request('GET', `${s2.url}/admin/ledger`),
      ).relay;
      expect(ledgerRelay.totals.evictedUnread).toBe(3);
    } finally {
      await s2.close();
    }
  });

  it('evicts after the TTL', async () => {
    const s2 = await startSim({ relay: { ttlMs: 100, max: 1000, maxWaiters: 100 } });
    try {
      await send(s2, 4, 2);
      const b = await eventually(
        async () => {
          const x = await collect(s2, 4);
          return x.evicted === 2 ? x : undefined;
        },
        5000,
        100,
      );
      expect(b.outcomes).toHaveLength(0);
    } finally {
      await s2.close();
    }
  });
});

describe('wait, stats and parameters', () => {
  it('wait answers 204 when nothing arrives in time', async () => {
    const res = await request('GET', `${sim.relayUrl}/wait/01ARZ3NDEKTSV4RRFFQ69G5FAV?timeoutMs=50`);
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it('bad parameters -> 400 with errorInformation naming the parameter', async () => {
    const cases: Array<[string, string]> = [
      ['/outcomes', 'runner: required'],
      ['/outcomes?runner=5000', 'runner: expected an integer 0..1023'],
      ['/outcomes?runner=1&max=0', 'max: expected'],
      ['/outcomes?runner=1&waitMs=abc', 'waitMs: expected'],
      ['/wait/x?timeoutMs=-1', 'timeoutMs: expected'],
      ['/phase/other/x', 'phase: expected'],
    ];
    for (const [path, text] of cases) {
      const res = await request('GET', `${sim.relayUrl}${path}`);
      expect(res.status, path).toBe(400);
      const b = json<{ errorInformation: { errorCode: string; errorDescription: string } }>(res);
      expect(b.errorInformation.errorCode).toBe('3100');
      expect(b.errorInformation.errorDescription).toContain(text);
    }
    expect((await request('POST', `${sim.relayUrl}/outcomes?runner=1`)).status).toBe(405);
    expect((await request('GET', `${sim.relayUrl}/nothing`)).status).toBe(404);
  });
});
