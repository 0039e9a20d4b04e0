/**
 * Drives the kit's own flows (lib/flows, node/driver.ts) in conformance runs against the Testing
 * Toolkit, at a low fixed rate, and puts two views of every transfer side by side:
 *
 * - the kit's: what its flows and collector counted (committed, rejected with code and stage,
 *   timed out), and the accounting built from the recorded samples, exactly as flows.test.ts does;
 * - TTK's: what it decided, from its synchronous answer (a 4xx is a decision) and its callback
 *   history (PUT /transfers/{ID} committed, or PUT /transfers/{ID}/error with a code).
 *
 * Labels are short strings so that a mismatch reads well in a vitest diff: `COMMITTED`,
 * `ABORTED 3106`, `sync 400 3100`, `timed out`, `no callback`.
 */
import { type Env, parseRunConfig, type ScenarioKind } from '../../lib/config/run-config.ts';
import { type CollectorState, classifyOutcome, collectBatch, recordBatch } from '../../lib/flows/collect.ts';
import { e2eFlow } from '../../lib/flows/e2e.ts';
import { type FlowPlan, prepareFlows } from '../../lib/flows/plan.ts';
import { MemorySink, recordFlowResult } from '../../lib/flows/record.ts';
import { sendAndWait, sendTransfer } from '../../lib/flows/transfer.ts';
import { POST_TRANSFERS } from '../../lib/flows/transfer-post.ts';
import type { Flow, FlowContext, FlowResult } from '../../lib/flows/types.ts';
import { METRIC } from '../../lib/metrics/registry.ts';
import { readSummary } from '../../lib/metrics/summary-view.ts';
import type { HttpRequest, HttpResponse } from '../../lib/protocol/http.ts';
import { transferOutcomeOfRelay } from '../../lib/protocol/relay.ts';
import { type Accounting, accountingOf } from '../../lib/summary/accounting.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { driveFlow } from '../../node/driver.ts';
import type { NodeHttpClient } from '../../node/http.ts';
import { summaryDataOf } from './sim.ts';
import type { TtkCallback } from './ttk.ts';

export type Label = string;

/**
 * The API variants every conformance case runs in, each with the settings the Testing Toolkit
 * needs of the kit: it decodes FSPIOP ILP packets as ILP v1 and ISO 20022 ones as ILP v4, and its
 * FSPIOP 1.x API definitions accept only UUID transfer ids (2.0 takes ULIDs too, ISO only ULIDs).
 */
export const CONFORMANCE_APIS: ReadonlyArray<readonly [string, Env]> = [
  ['FSPIOP 1.0', { FSPIOP_VERSION: '1.0', ID_KIND: 'uuid', ILP_VERSION: 'v1' }],
  ['FSPIOP 1.1', { FSPIOP_VERSION: '1.1', ID_KIND: 'uuid', ILP_VERSION: 'v1' }],
  ['FSPIOP 2.0', { FSPIOP_VERSION: '2.0', ILP_VERSION: 'v1' }],
  ['ISO 20022', { API: 'iso20022', ILP_VERSION: 'v4' }],
];

/** The same variants with nothing but the API chosen: the kit's defaults must suit TTK too. */
export const DEFAULTS_APIS: ReadonlyArray<readonly [string, Env]> = [
  ['FSPIOP 1.0', { FSPIOP_VERSION: '1.0' }],
  ['FSPIOP 1.1', { FSPIOP_VERSION: '1.1' }],
  ['FSPIOP 2.0', { FSPIOP_VERSION: '2.0' }],
  ['ISO 20022', { API: 'iso20022' }],
];

export interface KitSetup {
  plan: FlowPlan;
  ctx: FlowContext;
}

/** The kit's run config and flow plan, as the scenarios build them, for `env` (the `-e` variables). */
export function kitSetup(kind: ScenarioKind, env: Env, runner: number): KitSetup {
  const config = parseRunConfig(kind, env);
  return {
    plan: prepareFlows(config, nodeCrypto),
    ctx: { now: Date.now, random: Math.random, crypto: nodeCrypto, runner },
  };
}

/** A synchronous answer the kit got, with what it was for. */
export interface SyncAnswer {
  name: string;
  status: number;
  body: string | null;
}

export interface KitRun {
  /** Flow results in start order. */
  results: FlowResult[];
  ids: string[];
  /** The synchronous answers of the requests that carry the transfer id (POST /transfers; e2e: POST /quotes too). */
  sync: Map<string, SyncAnswer[]>;
  /** Every synchronous answer (relay calls excluded), in order. */
  answers: SyncAnswer[];
  /** The kit's final view of each transfer. */
  kit: Map<string, Label>;
  accounting: Accounting;
  /** Outcomes recorded without a latency (ml_latency_unknown). */
  latencyUnknown: number;
  /** End-to-end latency samples recorded. */
  latencies: number[];
  /** Every request the kit sent, for diagnostics (method, URL, headers, body). */
  requests: HttpRequest[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts flow `i` at `i / tps` seconds (an open loop at a fixed, low rate), each driven to its end;
 * results in start order.
 */
export async function drivePaced<R>(
  count: number,
  tps: number,
  make: (i: number) => Flow<R>,
  client: NodeHttpClient,
  onRequest?: (req: HttpRequest, res: HttpResponse) => void,
): Promise<R[]> {
  const t0 = Date.now();
  const interval = 1000 / tps;
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const wait = t0 + i * interval - Date.now();
      if (wait > 0) await sleep(wait);
      return driveFlow(make(i), client, onRequest);
    }),
  );
}

/** The transfer id of a POST /transfers body (FSPIOP `transferId`, ISO `CdtTrfTxInf.PmtId.TxId`). */
export function transferIdOfBody(body: string | undefined): string | undefined {
  if (!body) return undefined;
  try {
    const b = JSON.parse(body) as {
      transferId?: string;
      transactionId?: string;
      CdtTrfTxInf?: { PmtId?: { TxId?: string } };
    };
    return b.transferId ?? b.CdtTrfTxInf?.PmtId?.TxId ?? b.transactionId;
  } catch {
    return undefined;
  }
}

function errorCodeOf(body: string | null): string {
  if (!body) return 'none';
  try {
    const b = JSON.parse(body) as { errorInformation?: { errorCode?: string } };
    return b.errorInformation?.errorCode ?? 'none';
  } catch {
    return 'none';
  }
}

/** The kit's label for a finished flow result. */
export function kitLabel(r: FlowResult): Label | undefined {
  const o = r.outcome;
  if (o.kind === 'pending') return undefined;
  if (r.late) return 'timed out (late)';
  switch (o.kind) {
    case 'committed':
      return 'COMMITTED';
    case 'rejected':
      return o.stage === 'sync' ? `sync ${o.httpStatus ?? '?'} ${o.errorCode}` : `ABORTED ${o.errorCode}`;
    case 'timeout':
      return 'timed out';
    case 'unknown':
      return `unknown (${o.reason})`;
  }
}

interface Drive {
  setup: KitSetup;
  client: NodeHttpClient;
  count: number;
  tps: number;
  /** Changes each POST /transfers before it is sent (the harness's negative controls). */
  tamper?: (req: HttpRequest) => HttpRequest;
}

/** The same flow, with `tamper` applied to its POST /transfers. */
function* tampered<R>(flow: Flow<R>, tamper: ((req: HttpRequest) => HttpRequest) | undefined): Flow<R> {
  let step = flow.next(undefined as unknown as HttpResponse);
  while (!step.done) {
    const req = tamper && step.value.name === POST_TRANSFERS ? tamper(step.value) : step.value;
    const res: HttpResponse = yield req;
    step = flow.next(res);
  }
  return step.value;
}

function recorder(): {
  sync: Map<string, SyncAnswer[]>;
  answers: SyncAnswer[];
  requests: HttpRequest[];
  onRequest: (req: HttpRequest, res: HttpResponse) => void;
} {
  const sync = new Map<string, SyncAnswer[]>();
  const answers: SyncAnswer[] = [];
  const requests: HttpRequest[] = [];
  const onRequest = (req: HttpRequest, res: HttpResponse): void => {
    if (req.name.startsWith('GET /relay')) return;
    requests.push(req);
    const answer = { name: req.name, status: res.status, body: res.body };
    answers.push(answer);
    // e2e: the quote's transactionId is the transfer id; GET /parties carries no id.
    const id = transferIdOfBody(req.body);
    if (!id) return;
    const list = sync.get(id) ?? [];
    list.push(answer);
    sync.set(id, list);
  };
  return { sync, answers, requests, onRequest };
}

function finish(
  results: FlowResult[],
  sink: MemorySink,
  kit: Map<string, Label>,
  rec: ReturnType<typeof recorder>,
): KitRun {
  return {
    results,
    ids: results.map((r) => r.transferId),
    sync: rec.sync,
    answers: rec.answers,
    kit,
    accounting: accountingOf(readSummary(summaryDataOf(sink))),
    latencyUnknown: sink.sum(METRIC.latencyUnknown),
    latencies: sink.values(METRIC.transferE2e),
    requests: rec.requests,
  };
}

/**
 * Collect mode: fire `count` transfers at `tps`, then read their outcomes from the relay with the
 * kit's collector until every accepted one has an outcome or TIMEOUT_MS after the last send has
 * passed (what is still missing then counts as timed out, as in a k6 run).
 */
export async function runCollect({ setup, client, count, tps, tamper }: Drive): Promise<KitRun> {
  const { plan, ctx } = setup;
  const rec = recorder();
  const sink = new MemorySink();
  const runStartMs = Date.now();
  const results = await drivePaced(
    count,
    tps,
    () => tampered(sendTransfer(plan, ctx), tamper),
    client,
    rec.onRequest,
  );
  const kit = new Map<string, Label>();
  for (const r of results) {
    recordFlowResult(sink, r);
    const l = kitLabel(r);
    if (l) kit.set(r.transferId, l);
  }
  const waiting = new Set(results.filter((r) => r.outcome.kind === 'pending').map((r) => r.transferId));
  const deadline = Date.now() + plan.config.timeoutMs + 500;
  const state: CollectorState = { runner: ctx.runner, cursor: '', runStartMs, evicted: 0, duplicates: 0 };
  while (waiting.size > 0 && Date.now() < deadline) {
    const batch = await driveFlow(
      collectBatch(plan, state, Math.max(1, Math.min(1000, deadline - Date.now()))),
      client,
    );
    if ('error' in batch) throw new Error(`relay collect failed: ${batch.error}`);
    for (const o of batch.outcomes) {
      const cls = classifyOutcome(o, runStartMs, plan.config.timeoutMs);
      if (cls === 'foreign') continue;
      const t = transferOutcomeOfRelay(o);
      kit.set(
        o.transferId,
        cls === 'late'
          ? 'timed out (late)'
          : t.kind === 'committed'
            ? 'COMMITTED'
            : `ABORTED ${(t as { errorCode: string }).errorCode}`,
      );
      waiting.delete(o.transferId);
    }
    recordBatch(sink, batch, state, plan.config.timeoutMs);
  }
  for (const id of waiting) kit.set(id, 'timed out');
  return finish(results, sink, kit, rec);
}

/** Wait mode: every transfer waits for its own outcome (relay long-poll). */
export async function runWait({ setup, client, count, tps }: Drive): Promise<KitRun> {
  const { plan, ctx } = setup;
  const rec = recorder();
  const sink = new MemorySink();
  const results = await drivePaced(count, tps, () => sendAndWait(plan, ctx), client, rec.onRequest);
  const kit = new Map<string, Label>();
  for (const r of results) {
    recordFlowResult(sink, r);
    kit.set(r.transferId, kitLabel(r) ?? 'pending');
  }
  return finish(results, sink, kit, rec);
}

/** e2e: parties → quotes → transfers, each phase waited for through the relay. */
export async function runE2e({ setup, client, count, tps }: Drive): Promise<KitRun> {
  const { plan, ctx } = setup;
  const rec = recorder();
  const sink = new MemorySink();
  const results = await drivePaced(count, tps, () => e2eFlow(plan, ctx), client, rec.onRequest);
  const kit = new Map<string, Label>();
  for (const r of results) {
    recordFlowResult(sink, r);
    const l = kitLabel(r) ?? 'pending';
    kit.set(r.transferId, r.phase === 'transfers' ? l : `${r.phase}: ${l}`);
  }
  return finish(results, sink, kit, rec);
}

/** What TTK's callback history says about one transfer: its callbacks' labels, oldest first. */
function callbackLabel(cb: TtkCallback): Label {
  const body = (cb.body ?? {}) as {
    transferState?: string;
    errorInformation?: { errorCode?: string };
    TxInfAndSts?: { TxSts?: string; StsRsnInf?: { Rsn?: { Cd?: string } } };
  };
  if (cb.path.endsWith('/error')) {
    return `ABORTED ${body.errorInformation?.errorCode ?? body.TxInfAndSts?.StsRsnInf?.Rsn?.Cd ?? 'none'}`;
  }
  const state = body.transferState ?? body.TxInfAndSts?.TxSts;
  return state === 'COMMITTED' || state === 'COMM' ? 'COMMITTED' : `state ${state ?? 'none'}`;
}

export interface TtkView {
  /** TTK's decision per transfer id. */
  decided: Map<string, Label>;
  /** Its transfer callbacks per id (URL, headers and body, for assertions and diagnostics). */
  callbacks: Map<string, TtkCallback[]>;
}

/**
 * TTK's decision for each of `ids`: a synchronous refusal when it answered the kit's POST with a
 * non-2xx (`syncOf`), otherwise the labels of its PUT /transfers/{ID}[/error] callbacks, or
 * `no callback`. Several callbacks are joined with ` + `.
 */
export function ttkView(
  ids: readonly string[],
  history: readonly TtkCallback[],
  syncOf: (id: string) => SyncAnswer | undefined,
): TtkView {
  const wanted = new Set(ids);
  const byId = new Map<string, TtkCallback[]>();
  for (const cb of history) {
    const m = /^\/transfers\/([^/]+)(\/error)?$/.exec(cb.path);
    // Only these transfers: a slow error callback of an earlier case may land in this one's history.
    if (!m || cb.method.toLowerCase() !== 'put' || !wanted.has(m[1]!)) continue;
    const list = byId.get(m[1]!) ?? [];
    list.push(cb);
    byId.set(m[1]!, list);
  }
  const decided = new Map<string, Label>();
  for (const id of ids) {
    const s = syncOf(id);
    if (s && (s.status < 200 || s.status > 299)) {
      decided.set(id, `sync ${s.status} ${errorCodeOf(s.body)}`);
      continue;
    }
    const cbs = byId.get(id) ?? [];
    decided.set(id, cbs.length === 0 ? 'no callback' : cbs.map(callbackLabel).join(' + '));
  }
  return { decided, callbacks: byId };
}

/**
 * TTK's callback history once it holds a transfer callback for each of `ids`, or as it is after
 * `timeoutMs`. Error callbacks come from TTK's schema-faker error generator, which takes seconds
 * per ISO 20022 error (it re-reads the ISO API definition each time), so they may trail the kit.
 */
export async function historyWith(
  history: () => Promise<TtkCallback[]>,
  ids: readonly string[],
  timeoutMs: number,
): Promise<TtkCallback[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await history();
    const have = new Set(h.map((c) => /^\/transfers\/([^/]+)/.exec(c.path)?.[1]));
    if (ids.every((id) => have.has(id)) || Date.now() > until) return h;
    await sleep(200);
  }
}

/** How many transfers got each label, e.g. `{ COMMITTED: 5 }`. */
export function tally(labels: Iterable<Label>): Record<Label, number> {
  const out: Record<Label, number> = {};
  for (const l of labels) out[l] = (out[l] ?? 0) + 1;
  return out;
}

/** Synchronous answers that were not 202, with their bodies (what TTK refused and why). */
export function refusals(run: KitRun): string[] {
  return run.answers
    .filter((a) => a.status !== 202)
    .map((a) => `${a.name}: HTTP ${a.status} ${(a.body ?? '').slice(0, 300)}`);
}

/** The same POST /transfers with another amount (FSPIOP `amount.amount`, ISO `IntrBkSttlmAmt`). */
export function withAmount(req: HttpRequest, amount: string): HttpRequest {
  const b = JSON.parse(req.body!) as {
    amount?: { amount: string };
    CdtTrfTxInf?: { IntrBkSttlmAmt: { ActiveCurrencyAndAmount: string } };
  };
  if (b.CdtTrfTxInf) b.CdtTrfTxInf.IntrBkSttlmAmt.ActiveCurrencyAndAmount = amount;
  else b.amount!.amount = amount;
  return { ...req, body: JSON.stringify(b) };
}

/** A Map as a plain object (vitest diffs objects key by key). */
export function plain<V>(m: Map<string, V>): Record<string, V> {
  return Object.fromEntries(m);
}
