/**
 * Test helpers for the simulator: start it on port 0, build FSPIOP requests, read the relay and the
 * ledger, and a capture server that plays an external DFSP over real HTTP (the hub calls it like
 * any participant endpoint, and the test answers for it).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpResponse } from '../../lib/protocol/http.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import { type TransferMaterial, transferMaterialBuilder } from '../../lib/protocol/material.ts';
import { interpretRelayWait, type RelayOutcome, relayWaitRequest } from '../../lib/protocol/relay.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { NodeHttpClient } from '../../node/http.ts';
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from '../../sim/simulator.ts';

export const client = new NodeHttpClient({ maxSockets: 64, timeoutMs: 15_000 });

export async function startSim(options: Partial<SimulatorOptions> = {}): Promise<SimulatorHandle> {
  return startSimulator({ port: 0, warmIso: false, log: () => {}, ...options });
}

export interface HeaderOptions {
  resource?: string;
  version?: string;
  api?: 'fspiop' | 'iso20022';
  source?: string;
  destination?: string;
  /** false: no Accept; string: that exact Accept value. */
  accept?: boolean | string;
  traceparent?: string;
  tracestate?: string;
  /** Headers to drop (lower-case names). */
  omit?: string[];
  extra?: Record<string, string>;
}

export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACEPARENT = `00-${TRACE_ID}-00f067aa0ba902b7-01`;

export function headers(o: HeaderOptions = {}): Record<string, string> {
  const resource = o.resource ?? 'transfers';
  const iso = o.api === 'iso20022';
  const media = `application/vnd.interoperability.${iso ? 'iso20022.' : ''}${resource}+json;version=${o.version ?? (iso ? '2.0' : '1.1')}`;
  const out: Record<string, string> = {
    'content-type': media,
    date: new Date().toUTCString(),
    'fspiop-source': o.source ?? 'payerfsp',
  };
  if (o.accept !== false) out.accept = typeof o.accept === 'string' ? o.accept : media;
  if (o.destination !== undefined) out['fspiop-destination'] = o.destination;
  out.traceparent = o.traceparent ?? TRACEPARENT;
  out.tracestate = o.tracestate ?? `tx_end2end_start_ts=${Date.now()}`;
  for (const k of o.omit ?? []) delete out[k];
  return { ...out, ...o.extra };
}

const builders = {
  v1: transferMaterialBuilder({ crypto: nodeCrypto, ilpVersion: 'v1' }),
  v4: transferMaterialBuilder({ crypto: nodeCrypto, ilpVersion: 'v4' }),
};

export interface TransferOptions {
  runner?: number;
  payerFsp?: string;
  payeeFsp?: string;
  amount?: string;
  currency?: string;
  expiresInMs?: number;
  /** ILP packet version (default v4). */
  ilpVersion?: 'v1' | 'v4';
}

export function newTransfer(o: TransferOptions = {}): TransferMaterial & { id: string; fulfilment: string } {
  const id = ulid(Date.now(), o.runner ?? 1, nodeCrypto);
  const m = builders[o.ilpVersion ?? 'v4']({
    transferId: id,
    payerFsp: o.payerFsp ?? 'payerfsp',
    payeeFsp: o.payeeFsp ?? 'payeefsp',
    amount: o.amount ?? '10',
    currency: o.currency ?? 'XXX',
    expiration: new Date(Date.now() + (o.expiresInMs ?? 60_000)).toISOString(),
  });
  if (!m.fulfilment) throw new Error('per-transfer material always has a fulfilment');
  return { ...m, id, fulfilment: m.fulfilment };
}

export function request(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  hdrs: Record<string, string> = {},
  body?: string,
): Promise<HttpResponse> {
  return client.request({ method, url, headers: hdrs, body, name: `${method} test`, wantBody: true });
}

export function postTransfer(
  sim: SimulatorHandle,
  body: unknown,
  h: HeaderOptions = {},
): Promise<HttpResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return request('POST', `${sim.url}/transfers`, headers({ destination: 'payeefsp', ...h }), text);
}

export function json<T = Record<string, unknown>>(res: HttpResponse): T {
  return JSON.parse(res.body ?? 'null') as T;
}

/** Long-polls the relay for one transfer's outcome. */
export async function waitOutcome(
  sim: SimulatorHandle,
  id: string,
  timeoutMs = 5000,
): Promise<RelayOutcome | undefined> {
  const res = await client.request(relayWaitRequest(sim.relayUrl!, id, timeoutMs));
  const r = interpretRelayWait(res);
  if (r.kind === 'error') throw new Error(r.error);
  return r.kind === 'outcome' ? r.outcome : undefined;
}

export async function ledger(sim: SimulatorHandle): Promise<LedgerView> {
  return json<LedgerView>(await request('GET', `${sim.urls.hub ?? sim.url}/admin/ledger`));
}

export async function transferRecord(
  sim: SimulatorHandle,
  id: string,
): Promise<Record<string, unknown> | undefined> {
  const r = await request('GET', `${sim.urls.hub ?? sim.url}/admin/ledger/transfers/${id}`);
  return r.status === 200 ? json(r) : undefined;
}

export async function setFaults(sim: SimulatorHandle, profile: unknown): Promise<HttpResponse> {
  return request(
    'PUT',
    `${sim.url}/admin/faults`,
    { 'content-type': 'application/json' },
    JSON.stringify(profile),
  );
}

export async function addParticipants(sim: SimulatorHandle, list: unknown): Promise<HttpResponse> {
  return request(
    'POST',
    `${sim.urls.hub ?? sim.url}/admin/participants`,
    { 'content-type': 'application/json' },
    JSON.stringify(list),
  );
}

/** Polls `check` until it returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
  stepMs = 20,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export interface LedgerView {
  transfers: {
    received: number;
    final: { COMMITTED: number; ABORTED: number };
    inFlight: number;
    abortedByCode: Record<string, number>;
    syncRejected: Record<string, number>;
    duplicatePrepare: { resent: number; ignored: number; modified: number };
    duplicateFulfil: { resent: number; ignored: number; modified: number };
    rejectIgnored: number;
    reservedV10Dropped: number;
    unknownTransferCallbacks: number;
    lateErrors: number;
    retained: number;
    evicted: number;
    evictedInFlight: number;
  };
  positions: Record<string, Record<string, { position: string; liquidity: string; ndc: string }>>;
  callbacks: { hubSent: number; undeliverable: number; lost: number; duplicated: number };
  faults: { name: string; injectedErrors: Record<string, number>; queueRejected: number };
  relay: {
    totals: {
      received: number;
      delivered: number;
      evictedUnread: number;
      duplicates: number;
      pending: number;
    };
    phases: { received: number; delivered: number; evictedUnread: number };
    interim: number;
  } | null;
}

export interface Captured {
  method: string;
  path: string;
  headers: Record<string, string | undefined>;
  body: string;
  at: number;
}

/** A real HTTP server standing in for an external DFSP; records every request it gets. */
export class CaptureServer {
  readonly requests: Captured[] = [];
  private server!: http.Server;
  url = '';
  private waiters: Array<{ pred: (c: Captured) => boolean; resolve: (c: Captured) => void }> = [];

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const c: Captured = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: Object.fromEntries(
            Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
          ),
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        this.requests.push(c);
        this.waiters = this.waiters.filter((w) => {
          if (!w.pred(c)) return true;
          w.resolve(c);
          return false;
        });
        res.writeHead(req.method === 'PUT' || req.method === 'PATCH' ? 200 : 202, { 'content-length': 0 });
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The first request (already received or future) matching `pred`. */
  waitFor(pred: (c: Captured) => boolean, timeoutMs = 5000): Promise<Captured> {
    const hit = this.requests.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const w = { pred, resolve };
      this.waiters.push(w);
      setTimeout(() => {
        if (this.waiters.includes(w)) {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(
            new Error(
              `no matching request within ${timeoutMs} ms; got ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
            ),
          );
        }
      }, timeoutMs);
    });
  }

  matching(pred: (c: Captured) => boolean): Captured[] {
    return this.requests.filter(pred);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Headers a payee sends with its fulfil. */
export function payeeHeaders(
  o: { source?: string; destination?: string; version?: string; api?: 'fspiop' | 'iso20022' } = {},
): Record<string, string> {
  return headers({
    source: o.source ?? 'testpayee',
    destination: o.destination ?? 'payerfsp',
    accept: false,
    version: o.version,
    api: o.api,
  });
}
