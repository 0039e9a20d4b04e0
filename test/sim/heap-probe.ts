/**
 * A child process for the simulator's memory tests (test/sim/memory.test.ts): runs the simulator
 * in-process, measures the live heap after a forced GC, sends one hostile load, measures again, and
 * prints one JSON line `{scenario, beforeBytes, afterBytes, growthBytes, health}`.
 *
 * Run with `node --expose-gc --import tsx test/sim/heap-probe.ts <scenario> [count]`. Not a test
 * file itself (vitest only collects `*.test.ts`). Scenarios:
 *
 * - `collect-waiters`: collect long-polls that expire (`waitMs=1`) and others the client aborts.
 * - `phase-bodies`: 250 KB `PUT /dfsp/payerfsp/quotes/<id>` callbacks nobody waits for, against a
 *   relay whose phase store has an 8 MiB byte budget.
 * - `relay-outcomes`: forged `PUT /dfsp/payerfsp/transfers/<id>/error` callbacks with 200 KB error
 *   descriptions, on a payer-only simulator (no local hub, so no ledger to check ids against).
 */
import net from 'node:net';
import { ulid } from '../../lib/protocol/ids.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { NodeHttpClient } from '../../node/http.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('heap-probe: run node with --expose-gc');
  process.exit(2);
}

async function settledHeap(): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 50));
  gc!();
  return process.memoryUsage().heapUsed;
}

const client = new NodeHttpClient({ maxSockets: 64, timeoutMs: 30_000 });

async function pool(n: number, concurrency: number, one: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await one(next++);
    }),
  );
}

/** Sends a request on its own socket, waits `holdMs`, then destroys the socket (an aborted poll). */
function abortedRequest(origin: URL, path: string, holdMs: number): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(Number(origin.port), origin.hostname);
    s.on('error', () => resolve());
    s.on('close', () => resolve());
    s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    setTimeout(() => s.destroy(), holdMs);
  });
}

const CT = 'application/vnd.interoperability.quotes+json;version=1.1';

async function load(scenario: string, sim: SimulatorHandle, count: number): Promise<void> {
  const base = new URL(sim.url);
  if (scenario === 'collect-waiters') {
    // Polls that expire normally...
    await pool(count, 32, async (i) => {
      await client.request({
        method: 'GET',
        url: `${sim.relayUrl}/outcomes?runner=${i % 1024}&waitMs=1`,
        headers: {},
        name: 'collect',
      });
    });
    // ... and polls the client gives up on while they are parked.
    const aborted = Math.floor(count / 4);
    for (let done = 0; done < aborted; done += 200) {
      await Promise.all(
        Array.from({ length: Math.min(200, aborted - done) }, (_, i) =>
          abortedRequest(base, `/relay/outcomes?runner=${(done + i) % 1024}&waitMs=60000`, 100),
        ),
      );
    }
    return;
  }
  if (scenario === 'phase-bodies') {
    const filler = 'x'.repeat(250_000);
    await pool(count, 8, async () => {
      const id = ulid(Date.now(), 1, nodeCrypto);
      await client.request({
        method: 'PUT',
        url: `${sim.url}/dfsp/payerfsp/quotes/${id}`,
        headers: { 'content-type': CT },
        body: JSON.stringify({ transferAmount: { amount: '1', currency: 'XXX' }, note: filler }),
        name: 'quote callback',
      });
    });
    return;
  }
  if (scenario === 'relay-outcomes') {
    const filler = 'd'.repeat(200_000);
    await pool(count, 8, async () => {
      const id = ulid(Date.now(), 2, nodeCrypto);
      await client.request({
        method: 'PUT',
        url: `${sim.urls.payer}/dfsp/payerfsp/transfers/${id}/error`,
        headers: { 'content-type': 'application/vnd.interoperability.transfers+json;version=1.1' },
        body: JSON.stringify({ errorInformation: { errorCode: '5100', errorDescription: filler } }),
        name: 'error callback',
      });
    });
    return;
  }
  throw new Error(`heap-probe: unknown scenario ${scenario}`);
}

async function main(): Promise<void> {
  const scenario = process.argv[2] ?? '';
  const count = Number(process.argv[3] ?? 1000);
  const common = { port: 0, warmIso: false, log: () => {} } as const;
  const sim =
    scenario === 'relay-outcomes'
      ? await startSimulator({
          ...common,
          shape: 'separate',
          services: ['payer'],
          payerPort: 0,
          hubUrl: 'http://127.0.0.1:9',
        })
      : await startSimulator({
          ...common,
          relay: { ttlMs: 300_000, max: 200_000, maxWaiters: 20_000, phaseMaxBytes: 8 * 1024 * 1024 },
        } as Parameters<typeof startSimulator>[0]);
  try {
    // Warm up: the first requests allocate lasting things (sockets, compiled code, caches).
    await load(scenario, sim, Math.min(200, count));
    const beforeBytes = await settledHeap();
    await load(scenario, sim, count);
    await new Promise((r) => setTimeout(r, 200));
    const afterBytes = await settledHeap();
    const health = await client.request({
      method: 'GET',
      url: `${sim.urls.payer ?? sim.url}/health`,
      headers: {},
      name: 'health',
      wantBody: true,
    });
    console.log(
      JSON.stringify({
        scenario,
        count,
        beforeBytes,
        afterBytes,
        growthBytes: afterBytes - beforeBytes,
        health: JSON.parse(health.body ?? 'null'),
      }),
    );
  } finally {
    client.close();
    await sim.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
