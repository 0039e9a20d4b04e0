/**
 * Fake `k6/http`: a synchronous `request()` as in k6, backed by a worker thread that does the I/O
 * while this thread blocks on Atomics.wait. The system under test (the simulator) must therefore
 * run in another thread or process: this one is blocked during each request, as a k6 VU is.
 *
 * Mimics what the kit relies on: status 0 plus `error`/`error_code` on transport failures,
 * Go-canonical response header names, `body` null for `responseType: 'none'`, `timings.duration`,
 * and the `name` tag.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { k6State } from './state.ts';

interface WorkerReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string | null;
  duration: number;
  error?: string;
  errorCode?: number;
}

interface Params {
  headers?: Record<string, string>;
  tags?: Record<string, string>;
  timeout?: string | number;
  responseType?: 'text' | 'binary' | 'none';
}

const flag = new SharedArrayBuffer(4);
const signal = new Int32Array(flag);
const channel = new MessageChannel();
let worker: Worker | undefined;

function ensureWorker(): Worker {
  if (!worker) {
    worker = new Worker(new URL('./http-worker.mjs', import.meta.url), {
      workerData: { flag, port: channel.port2 },
      transferList: [channel.port2],
    });
    worker.unref();
  }
  return worker;
}

/** Go's canonical MIME header form: `content-type` → `Content-Type`. */
function canonical(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function timeoutMs(t: string | number | undefined): number {
  if (t === undefined) return 60_000;
  if (typeof t === 'number') return t;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(t);
  if (!m) throw new Error(`fake k6/http: unsupported timeout ${JSON.stringify(t)}`);
  return Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 's' ? 1000 : 60_000);
}

export interface FakeResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
  error: string;
  error_code: number;
  timings: { duration: number };
  url: string;
}

export function request(
  method: string,
  url: string,
  body?: string | null,
  params: Params = {},
): FakeResponse {
  const state = k6State();
  if (state.context === 'init')
    throw new Error('fake k6/http: making requests in the init context is not supported');
  const w = ensureWorker();
  const limit = timeoutMs(params.timeout);
  Atomics.store(signal, 0, 0);
  w.postMessage({ method, url, body: body ?? null, headers: params.headers ?? {}, timeoutMs: limit });
  // The worker always answers (its own timeout fires first); the extra margin only guards a dead worker.
  const waited = Atomics.wait(signal, 0, 0, limit + 10_000);
  const msg = receiveMessageOnPort(channel.port1);
  if (waited === 'timed-out' || !msg)
    throw new Error(`fake k6/http: the HTTP worker did not answer ${method} ${url}`);
  const r = msg.message as WorkerReply;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) {
    if (v !== undefined) headers[canonical(k)] = Array.isArray(v) ? v.join(', ') : v;
  }
  const tags = { ...(params.tags ?? {}) };
  state.requests.push({
    method,
    url,
    body: body ?? null,
    headers: params.headers ?? {},
    tags,
    timeout: params.timeout,
    responseType: params.responseType,
    status: r.status,
  });
  return {
    status: r.status,
    headers,
    body: params.responseType === 'none' || r.status === 0 ? null : (r.body ?? ''),
    error: r.error ?? '',
    error_code: r.errorCode ?? 0,
    timings: { duration: r.duration },
    url,
  };
}

export function get(url: string, params?: Params): FakeResponse {
  return request('GET', url, null, params);
}

export function post(url: string, body?: string | null, params?: Params): FakeResponse {
  return request('POST', url, body, params);
}

export default { request, get, post };
