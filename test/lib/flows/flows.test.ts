/**
 * Every mode's flow, driven in Node (node/driver.ts) against the simulator over real HTTP, and the
 * accounting reconciled against the simulator's ledger transfer by transfer, with and without
 * injected faults (error callbacks, synchronous errors, callback loss, duplicates).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Env, parseRunConfig, type ScenarioKind } from '../../../lib/config/run-config.ts';
import {
  type CollectorState,
  classifyOutcome,
  collectBatch,
  drainRelay,
  recordBatch,
} from '../../../lib/flows/collect.ts';
import { e2eFlow } from '../../../lib/flows/e2e.ts';
import { outboundFlow } from '../../../lib/flows/outbound.ts';
import { type FlowPlan, prepareFlows } from '../../../lib/flows/plan.ts';
import { MemorySink, recordFlowResult } from '../../../lib/flows/record.ts';
import { sendAndWait, sendTransfer } from '../../../lib/flows/transfer.ts';
import type { FlowContext, FlowResult } from '../../../lib/flows/types.ts';
import { METRIC } from '../../../lib/metrics/registry.ts';
import { readSummary } from '../../../lib/metrics/summary-view.ts';
import { runnerOfId } from '../../../lib/protocol/ids.ts';
import { ilpVersionOfPacket } from '../../../lib/protocol/ilp.ts';
import { transferOutcomeOfRelay } from '../../../lib/protocol/relay.ts';
import { accountingOf } from '../../../lib/summary/accounting.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { driveFlow, driveMany } from '../../../node/driver.ts';
import { NodeHttpClient } from '../../../node/http.ts';
import type { SimulatorHandle } from '../../../sim/simulator.ts';
import { admin, ledgerOf, ledgerTransfer, startTestSim, summaryDataOf } from '../../support/sim.ts';

const RUNNER = 7;
let sim: SimulatorHandle;
const client = new NodeHttpClient();

beforeAll(async () => {
  sim = await startTestSim();
});
afterAll(async () => {
  client.close();
  await sim.close();
});
beforeEach(async () => {
  await admin(sim.url, 'POST', '/reset');
  await admin(sim.url, 'PUT', '/faults', { name: 'none' });
});

function setup(kind: ScenarioKind, env: Env = {}): { plan: FlowPlan; ctx: FlowContext } {
  const config = parseRunConfig(kind, { HUB_URL: sim.url, TIMEOUT_MS: '2000', ...env });
  return {
    plan: prepareFlows(config, nodeCrypto),
    ctx: { now: Date.now, random: Math.random, crypto: nodeCrypto, runner: RUNNER },
  };
}

type Final =
  | { kind: 'committed' }
  | { kind: 'rejected'; stage: string; code: string }
  | { kind: 'timeout'; late: boolean };

/** Runs the collector until TIMEOUT_MS after the last send has passed; returns its view per transfer. */
async function collectUntil(
  plan: FlowPlan,
  sink: MemorySink,
  runStartMs: number,
  quietAtMs: number,
): Promise<Map<string, Final>> {
  const seen = new Map<string, Final>();
  const state: CollectorState = { runner: RUNNER, cursor: '', runStartMs, evicted: 0, duplicates: 0 };
  for (let i = 0; i < 200 && Date.now() < quietAtMs + 300; i++) {
    const batch = await driveFlow(collectBatch(plan, state, 200), client);
    if ('error' in batch) throw new Error(batch.error);
    for (const o of batch.outcomes) {
      const cls = classifyOutcome(o, runStartMs, plan.config.timeoutMs);
      if (cls === 'foreign') continue;
      const t = transferOutcomeOfRelay(o);
      seen.set(
        o.transferId,
        cls === 'late'
          ? { kind: 'timeout', late: true }
          : t.kind === 'committed'
            ? { kind: 'committed' }
            : { kind: 'rejected', stage: 'async', code: (t as { errorCode: string }).errorCode },
      );
    }
    recordBatch(sink, batch, state, plan.config.timeoutMs);
  }
  return seen;
}

function finalOf(r: FlowResult): Final | undefined {
  const o = r.outcome;
  if (o.kind === 'pending') return undefined;
  if (r.late) return { kind: 'timeout', late: true };
  if (o.kind === 'committed') return { kind: 'committed' };
  if (o.kind === 'rejected') return { kind: 'rejected', stage: o.stage, code: o.errorCode };
  if (o.kind === 'timeout') return { kind: 'timeout', late: false };
  return { kind: 'rejected', stage: r.accepted ? 'async' : 'sync', code: 'none' };
}

/**
 * Checks each transfer against the ledger: committed and rejected ones must be in that state (with
 * that code) at the hub; sync rejections never reached the ledger; timed-out ones are explained by
 * lost callbacks. Returns the per-kind counts.
 */
async function reconcile(results: FlowResult[], finals: Map<string, Final>): Promise<Record<string, number>> {
  const counts: Record<string, number> = { committed: 0, rejected: 0, timeout: 0 };
  for (const r of results) {
    expect(runnerOfId(r.transferId)).toBe(RUNNER);
    const f = finals.get(r.transferId) ?? { kind: 'timeout', late: false };
    counts[f.kind]!++;
    const hub = await ledgerTransfer(sim.url, r.transferId);
    if (f.kind === 'committed') expect(hub?.state, r.transferId).toBe('COMMITTED');
    else if (f.kind === 'rejected' && f.stage === 'async') {
      expect(hub?.state, r.transferId).toBe('ABORTED');
      expect(hub?.errorCode).toBe(f.code);
    } else if (f.kind === 'rejected') expect(hub, r.transferId).toBeUndefined();
  }
  return counts;
}

describe('transfers, collect mode', () => {
  it('sends without waiting, and the collector accounts for every transfer exactly (no faults)', async () => {
    const { plan, ctx } = setup('transfers');
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(60, 8, () => sendTransfer(plan, ctx), client);
    for (const r of results) {
      expect(r.outcome).toEqual({ kind: 'pending', reason: 'accepted' });
      recordFlowResult(sink, r);
    }
    const seen = await collectUntil(plan, sink, runStartMs, Date.now() + 800);
    const counts = await reconcile(results, seen);
    expect(counts).toEqual({ committed: 60, rejected: 0, timeout: 0 });
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a).toMatchObject({
      sent: 60,
      accepted: 60,
      committed: 60,
      rejected: 0,
      timedOut: 0,
      balanced: true,
    });
    expect(sink.values(METRIC.transferE2e).length).toBe(60);
    const ledger = await ledgerOf(sim.url);
    expect(ledger.transfers.final.COMMITTED).toBe(60);
  });

  it("after an early stop, teardown's drain counts what the stopped collector left, each outcome once", async () => {
    const { plan, ctx } = setup('transfers');
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(40, 8, () => sendTransfer(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    // Wait until the relay holds every outcome, then let the "collector" take two small batches
    // (the second one handed out but never acknowledged: the collector was stopped right after).
    await expect.poll(async () => (await ledgerOf(sim.url)).transfers.final.COMMITTED).toBe(40);
    const state: CollectorState = { runner: RUNNER, cursor: '', runStartMs, evicted: 0, duplicates: 0 };
    for (let i = 0; i < 2; i++) {
      const batch = await driveFlow(
        collectBatch({ ...plan, config: { ...plan.config, collectBatch: 7 } }, state, 0),
        client,
      );
      if ('error' in batch) throw new Error(batch.error);
      recordBatch(sink, batch, state, plan.config.timeoutMs);
    }
    expect(sink.sum(METRIC.transfersCommitted)).toBe(14);
    // Teardown: another VU, without the collector's cursor.
    const drainState: CollectorState = { runner: RUNNER, cursor: '', runStartMs, evicted: 0, duplicates: 0 };
    const drained = await driveFlow(
      drainRelay(plan, sink, drainState, { early: true, deadlineMs: Date.now() + 5000, now: Date.now }),
      client,
    );
    expect(drained).toMatchObject({ final: 26, late: 0, foreign: 0 });
    expect(drained.error).toBeUndefined();
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a).toMatchObject({ sent: 40, committed: 40, timedOut: 0, balanced: true });
    // Nothing is left, and a normal-end drain of an empty partition is one request.
    const again = await driveFlow(
      drainRelay(
        plan,
        sink,
        { ...drainState, cursor: '' },
        { early: false, deadlineMs: Date.now() + 5000, now: Date.now },
      ),
      client,
    );
    expect(again).toMatchObject({ requests: 1, final: 0 });
  });

  it('an early-stop drain waits for outcomes still in flight', async () => {
    await admin(sim.url, 'PUT', '/faults', { name: 'slow', latency: { payee: { dist: 'fixed', ms: 400 } } });
    const { plan, ctx } = setup('transfers');
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(10, 10, () => sendTransfer(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    const state: CollectorState = { runner: RUNNER, cursor: '', runStartMs, evicted: 0, duplicates: 0 };
    const drained = await driveFlow(
      drainRelay(plan, sink, state, { early: true, deadlineMs: Date.now() + 5000, now: Date.now }),
      client,
    );
    expect(drained.final).toBe(10);
    expect(accountingOf(readSummary(summaryDataOf(sink)))).toMatchObject({ committed: 10, balanced: true });
  });

  it('reconciles to the transfer under error callbacks, sync errors, callback loss and duplicates', async () => {
    await admin(sim.url, 'PUT', '/faults', {
      name: 'mixed',
      errors: [
        { code: '4001', rate: 0.15, at: 'hub' },
        { code: '5100', rate: 0.1, at: 'payee' },
        { code: '2003', rate: 0.1, at: 'sync' },
      ],
      callbackLoss: { rate: 0.1, to: 'payer' },
      duplicateCallbacks: { rate: 0.2 },
      seed: 11,
    });
    const { plan, ctx } = setup('transfers', { TIMEOUT_MS: '1500' });
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(300, 16, () => sendTransfer(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    const finals = new Map<string, Final>();
    for (const r of results) {
      const f = finalOf(r);
      if (f) finals.set(r.transferId, f);
    }
    const seen = await collectUntil(plan, sink, runStartMs, Date.now() + 1500);
    for (const [id, f] of seen) {
      expect(finals.has(id), `${id} counted twice`).toBe(false);
      finals.set(id, f);
    }
    const counts = await reconcile(results, finals);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    const ledger = await ledgerOf(sim.url);
    // The equation balances and agrees with the per-transfer view.
    expect(a.balanced).toBe(true);
    expect(a.sent).toBe(300);
    expect(a.committed).toBe(counts.committed);
    expect(a.rejected).toBe(counts.rejected);
    expect(a.timedOut).toBe(counts.timeout);
    // Each kind of fault showed up, and matches the hub's own counts.
    expect(a.rejectedSync).toBe(ledger.transfers.syncRejected['2003'] ?? 0);
    expect(a.rejectedSync).toBeGreaterThan(0);
    expect(a.rejectedByCode['4001']).toBeGreaterThan(0);
    expect(a.rejectedByCode['5100']).toBeGreaterThan(0);
    expect(a.timedOut).toBeGreaterThan(0);
    // Every timeout is a callback the simulator dropped on purpose (nothing else is lost).
    expect(a.timedOut).toBeLessThanOrEqual(ledger.callbacks.lost);
    expect(a.committed + (a.rejected - a.rejectedSync)).toBe(ledger.relay!.totals.received);
    expect(a.duplicates).toBe(ledger.relay!.totals.duplicates);
    expect(a.duplicates).toBeGreaterThan(0);
    expect(a.committed + a.rejected + a.timedOut).toBe(a.sent);
  });

  it('ignores outcomes of transfers sent before the run started, and counts them apart', async () => {
    const { plan, ctx } = setup('transfers');
    const before = await driveMany(10, 5, () => sendTransfer(plan, ctx), client);
    expect(before.every((r) => r.accepted)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(5, 5, () => sendTransfer(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    await collectUntil(plan, sink, runStartMs, Date.now() + 500);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a).toMatchObject({ sent: 5, committed: 5, foreign: 10, balanced: true });
  });

  it('counts outcomes that arrive after TIMEOUT_MS as timed out and late', async () => {
    await admin(sim.url, 'PUT', '/faults', { name: 'slow', latency: { payee: { dist: 'fixed', ms: 400 } } });
    const { plan, ctx } = setup('transfers', { TIMEOUT_MS: '200' });
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const results = await driveMany(5, 5, () => sendTransfer(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    await collectUntil(plan, sink, runStartMs, Date.now() + 900);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a).toMatchObject({ sent: 5, committed: 0, late: 5, timedOut: 5, balanced: true });
  });

  it('counts a POST that got no HTTP answer apart: transport failed, not timed out (collect and wait)', async () => {
    // collect mode: the sending VU cannot know whether the hub got it; the summary counts it as
    // transport-failed when no outcome came
    const collect = setup('transfers', { HUB_URL: 'http://127.0.0.1:9', RELAY_URL: `${sim.url}/relay` });
    const sink = new MemorySink();
    const sent = await driveFlow(sendTransfer(collect.plan, collect.ctx), client);
    expect(sent.accepted).toBe(false);
    expect(sent.outcome).toEqual({ kind: 'pending', reason: 'transport' });
    recordFlowResult(sink, sent);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a.equation).toBe('sent 1 = committed 0 + rejected 0 + transport failed 1 + timed out 0');
    // wait mode: the VU waits for an outcome in case the hub got it, then ends transport-failed
    const wait = setup('transfers', {
      MODE: 'wait',
      HUB_URL: 'http://127.0.0.1:9',
      RELAY_URL: `${sim.url}/relay`,
      TIMEOUT_MS: '300',
    });
    const r = await driveFlow(sendAndWait(wait.plan, wait.ctx), client);
    expect(r.outcome.kind).toBe('transport');
    const waitSink = new MemorySink();
    recordFlowResult(waitSink, r);
    expect(waitSink.sum(METRIC.transfersTransportFailed)).toBe(1);
    expect(waitSink.sum(METRIC.transfersTimedOut)).toBe(0);
    expect(accountingOf(readSummary(summaryDataOf(waitSink))).equation).toBe(
      'sent 1 = committed 0 + rejected 0 + transport failed 1 + timed out 0',
    );
  });

  it('keeps the text of a refusal without an FSPIOP error, named by its HTTP status', async () => {
    const refuser = createServer((req, res) => {
      req.resume();
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'must match pattern "^[0-9a-f]{8}-"', statusCode: 400 }));
    });
    await new Promise<void>((done) => refuser.listen(0, '127.0.0.1', done));
    try {
      const port = (refuser.address() as AddressInfo).port;
      const { plan, ctx } = setup('transfers', {
        HUB_URL: `http://127.0.0.1:${port}`,
        RELAY_URL: `${sim.url}/relay`,
      });
      const r = await driveFlow(sendTransfer(plan, ctx), client);
      expect(r.outcome).toEqual({
        kind: 'rejected',
        stage: 'sync',
        errorCode: 'http400',
        errorDescription: 'HTTP 400: must match pattern "^[0-9a-f]{8}-"',
        httpStatus: 400,
      });
      // The description reaches the summary (top reasons), named with its code.
      const sink = new MemorySink();
      recordFlowResult(sink, r);
      recordFlowResult(sink, await driveFlow(sendTransfer(plan, ctx), client));
      const a = accountingOf(readSummary(summaryDataOf(sink)));
      expect(a.rejectionReasons).toEqual([
        { reason: 'http400: must match pattern "^[0-9a-f]{8}-"', count: 2 },
      ]);
    } finally {
      await new Promise<void>((done) => refuser.close(() => done()));
    }
  });

  it.each([
    ['fixed', 'v1'],
    ['fixed', 'v4'],
    ['per-transfer', 'v1'],
    ['per-transfer', 'v4'],
  ])(
    'commits with ILP_MODE=%s ILP_VERSION=%s (the payee checks the condition against the packet)',
    async (ilp, version) => {
      const { plan, ctx } = setup('transfers', { MODE: 'wait', ILP_MODE: ilp, ILP_VERSION: version });
      const results = await driveMany(3, 3, () => sendAndWait(plan, ctx), client);
      for (const r of results) expect(r.outcome.kind).toBe('committed');
      const bodyOf = async (): Promise<{ ilpPacket: string }> => {
        let body = '';
        await driveFlow(sendTransfer(plan, ctx), client, (req) => {
          body = req.body!;
        });
        return JSON.parse(body);
      };
      const a = await bodyOf();
      const b = await bodyOf();
      // fixed: one packet for every transfer of a pair; per-transfer: a packet of its own.
      expect(a.ilpPacket === b.ilpPacket).toBe(ilp === 'fixed');
      expect(ilpVersionOfPacket(a.ilpPacket)).toBe(version);
    },
  );

  it('sends ISO 20022 bodies when API=iso20022, and they commit', async () => {
    const { plan, ctx } = setup('transfers', { API: 'iso20022' });
    const requests: string[] = [];
    const sink = new MemorySink();
    const runStartMs = Date.now();
    const r = await driveFlow(sendTransfer(plan, ctx), client, (req) =>
      requests.push(`${req.headers['Content-Type']} ${req.body}`),
    );
    recordFlowResult(sink, r);
    expect(requests[0]).toMatch(
      /^application\/vnd\.interoperability\.iso20022\.transfers\+json;version=2\.0 \{"GrpHdr"/,
    );
    const seen = await collectUntil(plan, sink, runStartMs, Date.now() + 500);
    expect(seen.get(r.transferId)).toEqual({ kind: 'committed' });
  });
});

describe('transfers, wait mode', () => {
  it('waits for each outcome and reconciles to the transfer under faults', async () => {
    await admin(sim.url, 'PUT', '/faults', {
      name: 'mixed',
      errors: [
        { code: '4200', rate: 0.1, at: 'hub' },
        { code: '5101', rate: 0.1, at: 'payee' },
        { code: '2003', rate: 0.1, at: 'sync' },
      ],
      callbackLoss: { rate: 0.1, to: 'payer' },
      seed: 5,
    });
    const { plan, ctx } = setup('transfers', { MODE: 'wait', TIMEOUT_MS: '1000' });
    const sink = new MemorySink();
    const results = await driveMany(120, 30, () => sendAndWait(plan, ctx), client);
    const finals = new Map<string, Final>();
    for (const r of results) {
      recordFlowResult(sink, r);
      expect(r.outcome.kind).not.toBe('pending');
      finals.set(r.transferId, finalOf(r)!);
    }
    const counts = await reconcile(results, finals);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    const ledger = await ledgerOf(sim.url);
    expect(a).toMatchObject({ sent: 120, neverArrived: 0, balanced: true });
    expect(a.committed).toBe(counts.committed);
    expect(a.timedOut).toBe(counts.timeout);
    expect(a.timedOut).toBeGreaterThan(0);
    expect(a.timedOut).toBeLessThanOrEqual(ledger.callbacks.lost);
    expect(a.rejectedByCode['4200']).toBeGreaterThan(0);
    expect(a.rejectedByCode['5101']).toBeGreaterThan(0);
    expect(a.rejectedSync).toBe(ledger.transfers.syncRejected['2003'] ?? 0);
    // Committed transfers carry their phase and end-to-end latency.
    const committed = results.find((r) => r.outcome.kind === 'committed')!;
    expect(committed.e2eMs).toBeGreaterThanOrEqual(0);
    expect(committed.phaseMs.transfers).toBe(committed.e2eMs);
  });

  it('gives up on an unreachable relay after a few errors and counts a timeout', async () => {
    const { plan, ctx } = setup('transfers', { MODE: 'wait', RELAY_URL: 'http://127.0.0.1:9/relay' });
    const r = await driveFlow(sendAndWait(plan, ctx), client);
    expect(r.outcome.kind).toBe('timeout');
    expect(r.note).toMatch(/relay errors/);
  });
});

describe('outbound (DFSP synchronous API)', () => {
  it.each(['simple', 'transfers'])('commits through OUTBOUND_FLOW=%s, timing each phase', async (flow) => {
    const { plan, ctx } = setup('outbound', { OUTBOUND_FLOW: flow });
    const urls: string[] = [];
    const r = await driveFlow(outboundFlow(plan, ctx), client, (req) =>
      urls.push(`${req.method} ${req.url.replace(sim.url, '')}`),
    );
    expect(r.outcome).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
    if (flow === 'simple') {
      expect(urls).toEqual([
        expect.stringMatching(/^GET \/dfsp\/payerfsp\/outbound\/parties\/MSISDN\/2772\d{7}$/),
        'POST /dfsp/payerfsp/outbound/quotes',
        'POST /dfsp/payerfsp/outbound/simpleTransfers',
      ]);
      expect(Object.keys(r.phaseMs).sort()).toEqual(['parties', 'quotes', 'transfers']);
      expect((await ledgerTransfer(sim.url, r.transferId))?.state).toBe('COMMITTED');
    } else {
      expect(urls).toEqual(['POST /dfsp/payerfsp/outbound/transfers']);
    }
  });

  it('counts HTTP 200 carrying errorInformation as a rejection, never a success', async () => {
    await admin(sim.url, 'PUT', '/faults', {
      name: 'payee-errors',
      errors: [{ code: '5100', rate: 1, at: 'payee' }],
    });
    const { plan, ctx } = setup('outbound');
    const statuses: number[] = [];
    const r = await driveFlow(outboundFlow(plan, ctx), client, (_req, res) => statuses.push(res.status));
    expect(statuses.at(-1)).toBe(200);
    expect(r.outcome).toMatchObject({ kind: 'rejected', errorCode: '5100' });
    const sink = new MemorySink();
    recordFlowResult(sink, r);
    expect(sink.sum(METRIC.transferSuccess)).toBe(0);
    expect(sink.sum(METRIC.transfersRejected, { error_code: '5100', phase: 'transfers' })).toBe(1);
  });

  it('ends at the failing phase when the party is unknown', async () => {
    await admin(sim.url, 'PUT', '/oracle', []);
    try {
      const { plan, ctx } = setup('outbound');
      const r = await driveFlow(outboundFlow(plan, ctx), client);
      expect(r.phase).toBe('parties');
      expect(r.outcome.kind).toBe('rejected');
    } finally {
      await admin(sim.url, 'PUT', '/oracle', [{ type: 'MSISDN', prefix: '', fspId: 'payeefsp' }]);
    }
  });
});

describe('e2e (parties → quotes → transfers through the relay)', () => {
  it('commits, timing each phase, and the quote terms reach the transfer', async () => {
    const { plan, ctx } = setup('e2e');
    const seen: Array<{ name: string; body?: string }> = [];
    const r = await driveFlow(e2eFlow(plan, ctx), client, (req) =>
      seen.push({ name: req.name, body: req.body }),
    );
    expect(r.outcome).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
    expect(seen.map((s) => s.name)).toEqual([
      'GET /parties',
      'GET /relay/phase/parties',
      'POST /quotes',
      'GET /relay/phase/quotes',
      'POST /transfers',
      'GET /relay/wait',
    ]);
    const quote = JSON.parse(seen[2]!.body!);
    const transfer = JSON.parse(seen[4]!.body!);
    expect(transfer.transferId).toBe(quote.transactionId);
    expect(transfer.transferId).toBe(r.transferId);
    expect(transfer.ilpPacket).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Object.keys(r.phaseMs).sort()).toEqual(['parties', 'quotes', 'transfers']);
    expect(r.e2eMs).toBeGreaterThanOrEqual(r.phaseMs.transfers!);
    expect((await ledgerTransfer(sim.url, r.transferId))?.state).toBe('COMMITTED');
  });

  it('ends at the parties phase with the lookup error code when the party is unknown', async () => {
    await admin(sim.url, 'PUT', '/oracle', []);
    try {
      const { plan, ctx } = setup('e2e');
      const r = await driveFlow(e2eFlow(plan, ctx), client);
      expect(r.phase).toBe('parties');
      expect(r.outcome).toMatchObject({ kind: 'rejected', stage: 'async' });
      const sink = new MemorySink();
      recordFlowResult(sink, r);
      expect(sink.sum(METRIC.transfersRejected, { phase: 'parties' })).toBe(1);
      expect(sink.sum(METRIC.transfersSent)).toBe(1);
    } finally {
      await admin(sim.url, 'PUT', '/oracle', [{ type: 'MSISDN', prefix: '', fspId: 'payeefsp' }]);
    }
  });

  it("sends the quote and the transfer to the FSP the lookup named, not the pool pair's payee", async () => {
    await admin(sim.url, 'POST', '/participants', { fspId: 'otherfsp', placement: 'payee' });
    await admin(sim.url, 'PUT', '/oracle', [{ type: 'MSISDN', prefix: '', fspId: 'otherfsp' }]);
    try {
      const { plan, ctx } = setup('e2e');
      const seen: Array<{ name: string; headers: Record<string, string>; body?: string }> = [];
      const r = await driveFlow(e2eFlow(plan, ctx), client, (req) => seen.push(req));
      expect(r.outcome).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
      const quote = seen.find((q) => q.name === 'POST /quotes')!;
      const transfer = seen.find((q) => q.name === 'POST /transfers')!;
      expect(quote.headers['FSPIOP-Destination']).toBe('otherfsp');
      expect(JSON.parse(quote.body!).payee.partyIdInfo.fspId).toBe('otherfsp');
      expect(transfer.headers['FSPIOP-Destination']).toBe('otherfsp');
      expect(JSON.parse(transfer.body!).payeeFsp).toBe('otherfsp');
      expect((await ledgerTransfer(sim.url, r.transferId))?.state).toBe('COMMITTED');
    } finally {
      await admin(sim.url, 'PUT', '/oracle', [{ type: 'MSISDN', prefix: '', fspId: 'payeefsp' }]);
    }
  });

  /** A client that rewrites the party the lookup callback carries, as a mock DFSP might send it. */
  function partyRewriting(rewrite: (party: Record<string, unknown>) => unknown) {
    return {
      request: async (req: Parameters<NodeHttpClient['request']>[0]) => {
        const res = await client.request(req);
        if (req.name !== 'GET /relay/phase/parties' || res.status !== 200 || !res.body) return res;
        const v = JSON.parse(res.body);
        v.body.party = rewrite(v.body.party);
        return { ...res, body: JSON.stringify(v) };
      },
    };
  }

  it('quotes only the schema-valid part of a party that carries junk, and still commits', async () => {
    const { plan, ctx } = setup('e2e');
    const seen: Array<{ name: string; body?: string }> = [];
    const junk = partyRewriting((p) => ({
      ...p,
      name: 'Ünïcödé <script>',
      extra: { random: 42 },
      personalInfo: { complexName: { firstName: 'Ann', nickName: 'x' }, dateOfBirth: '1999-02-29' },
    }));
    const r = await driveFlow(e2eFlow(plan, ctx), junk, (req) => seen.push(req));
    expect(r.outcome).toEqual({ kind: 'committed', transferState: 'COMMITTED' });
    const payee = JSON.parse(seen.find((q) => q.name === 'POST /quotes')!.body!).payee;
    expect(payee).toEqual({
      partyIdInfo: expect.objectContaining({ fspId: 'payeefsp' }),
      personalInfo: { complexName: { firstName: 'Ann' } },
    });
  });

  it('ends at the parties phase, counted once, when the lookup answers another party', async () => {
    const { plan, ctx } = setup('e2e');
    const wrong = partyRewriting((p) => ({
      ...p,
      partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '1', fspId: 'payeefsp' },
    }));
    const seen: string[] = [];
    const r = await driveFlow(e2eFlow(plan, ctx), wrong, (req) => seen.push(req.name));
    expect(r.phase).toBe('parties');
    expect(r.outcome.kind).toBe('unknown');
    expect(r.note).toMatch(/answered the party MSISDN\/1/);
    expect(seen).not.toContain('POST /quotes');
    const sink = new MemorySink();
    recordFlowResult(sink, r);
    expect(sink.sum(METRIC.transfersSent)).toBe(1);
    expect(sink.sum(METRIC.transfersRejected, { phase: 'parties' })).toBe(1);
  });

  it('accounts for every flow exactly under faults', async () => {
    await admin(sim.url, 'PUT', '/faults', {
      name: 'mixed',
      errors: [
        { code: '4001', rate: 0.1, at: 'hub' },
        { code: '5100', rate: 0.1, at: 'payee' },
      ],
      callbackLoss: { rate: 0.05, to: 'payer' },
      seed: 3,
    });
    const { plan, ctx } = setup('e2e', { TIMEOUT_MS: '1500' });
    const sink = new MemorySink();
    const results = await driveMany(60, 20, () => e2eFlow(plan, ctx), client);
    for (const r of results) recordFlowResult(sink, r);
    const a = accountingOf(readSummary(summaryDataOf(sink)));
    expect(a).toMatchObject({ sent: 60, neverArrived: 0, balanced: true });
    expect(a.committed + a.rejected + a.timedOut).toBe(60);
    const ledger = await ledgerOf(sim.url);
    expect(a.committed).toBeLessThanOrEqual(ledger.transfers.final.COMMITTED);
    for (const r of results.filter((x) => x.outcome.kind === 'committed')) {
      expect((await ledgerTransfer(sim.url, r.transferId))?.state).toBe('COMMITTED');
    }
  });
});

describe('every flow reports its transfer as started before its first request (k6 counts sent there)', () => {
  it.each([
    ['transfers', 'collect', (plan: FlowPlan, ctx: FlowContext) => sendTransfer(plan, ctx)],
    ['transfers', 'wait', (plan: FlowPlan, ctx: FlowContext) => sendAndWait(plan, ctx)],
    ['e2e', 'wait', (plan: FlowPlan, ctx: FlowContext) => e2eFlow(plan, ctx)],
    ['outbound', 'wait', (plan: FlowPlan, ctx: FlowContext) => outboundFlow(plan, ctx)],
  ] as const)('%s (%s)', async (kind, mode, flow) => {
    const { plan, ctx } = setup(kind, kind === 'transfers' ? { MODE: mode } : {});
    const events: string[] = [];
    const r = await driveFlow(
      flow(plan, { ...ctx, started: (id) => events.push(`started ${id}`) }),
      client,
      (req) => events.push(req.name),
    );
    expect(events.filter((e) => e.startsWith('started'))).toHaveLength(1);
    expect(events[0]).toMatch(/^started /);
    if (kind !== 'outbound') expect(events[0]).toBe(`started ${r.transferId}`);
    // The count is the k6 adapter's then: recorded once, not again at the end.
    const sink = new MemorySink();
    recordFlowResult(sink, r, true);
    expect(sink.sum(METRIC.transfersSent)).toBe(0);
  });
});

describe('optional JWS signing (FSPIOP-Signature)', () => {
  it('signs FSPIOP requests with a body so that the signature verifies with the public key', async () => {
    const { generateKeyPairSync, verify } = await import('node:crypto');
    const { createNodeJwsSigner } = await import('../../../node/jws-signer.ts');
    const { fspiopRequestSigner } = await import('../../../lib/flows/sign.ts');
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const signer = createNodeJwsSigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const { plan, ctx } = setup('transfers', { MODE: 'wait' });
    const sent: Array<{ name: string; headers: Record<string, string>; body?: string }> = [];
    const r = await driveFlow(
      sendAndWait(plan, ctx),
      client,
      (req) => sent.push({ name: req.name, headers: { ...req.headers }, body: req.body }),
      fspiopRequestSigner(signer.sign, signer.alg),
    );
    expect(r.outcome.kind).toBe('committed');
    const post = sent.find((s) => s.name === 'POST /transfers')!;
    expect(post.headers['FSPIOP-URI']).toBe('/transfers');
    expect(post.headers['FSPIOP-HTTP-Method']).toBe('POST');
    const sig = JSON.parse(post.headers['FSPIOP-Signature']!) as {
      signature: string;
      protectedHeader: string;
    };
    const header = JSON.parse(Buffer.from(sig.protectedHeader, 'base64url').toString());
    expect(header).toEqual({
      alg: 'RS256',
      'FSPIOP-URI': '/transfers',
      'FSPIOP-HTTP-Method': 'POST',
      'FSPIOP-Source': 'payerfsp',
      'FSPIOP-Destination': 'payeefsp',
      Date: post.headers.Date,
    });
    const input = `${sig.protectedHeader}.${Buffer.from(post.body!).toString('base64url')}`;
    expect(verify('sha256', Buffer.from(input), publicKey, Buffer.from(sig.signature, 'base64url'))).toBe(
      true,
    );
    // The relay poll is not an FSPIOP request: left unsigned.
    expect(sent.find((s) => s.name === 'GET /relay/wait')!.headers['FSPIOP-Signature']).toBeUndefined();
  });
});
