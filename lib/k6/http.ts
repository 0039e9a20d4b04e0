/**
 * Drives a sans-IO flow with `k6/http`, synchronously: each yielded HttpRequest becomes one
 * `http.request` with the `name` tag (URL grouping; ids never become tags), the request timeout,
 * and `responseType: 'none'` unless the flow needs the body (k6 then does not even buffer it).
 */
import http from 'k6/http';
import type { RequestSigner } from '../flows/sign.ts';
import type { Flow } from '../flows/types.ts';
import type { HttpRequest, HttpResponse } from '../protocol/http.ts';

interface K6Params {
  headers: Record<string, string>;
  tags: { name: string };
  responseType: 'text' | 'none';
  timeout?: string;
}

function lowerCaseHeaders(h: Record<string, string> | undefined): Record<string, string> {
  if (!h) return {};
  const out: Record<string, string> = {};
  for (const k in h) out[k.toLowerCase()] = h[k]!;
  return out;
}

/** Performs one request. Transport failures come back as status 0 with `error`, never as exceptions. */
export function perform(req: HttpRequest): HttpResponse {
  const params: K6Params = {
    headers: req.headers,
    tags: { name: req.name },
    responseType: req.wantBody ? 'text' : 'none',
  };
  if (req.timeoutMs !== undefined) params.timeout = `${Math.max(1, Math.ceil(req.timeoutMs))}ms`;
  const res = http.request(req.method, req.url, req.body ?? null, params);
  const body = typeof res.body === 'string' ? res.body : null;
  let headers: Record<string, string> | undefined;
  return {
    status: res.status,
    // Built on first read only: crossing into Go for the header map costs CPU on every request,
    // and no interpreter of the hot path reads headers.
    get headers(): Record<string, string> {
      headers ??= lowerCaseHeaders(res.headers);
      return headers;
    },
    body,
    durationMs: res.timings.duration,
    error: res.status === 0 ? res.error || `k6 error code ${res.error_code}` : undefined,
  };
}

/** Runs a flow to its end and returns its result; `onNetwork` gets each response's duration, ms. */
export function drive<R>(flow: Flow<R>, onNetwork?: (ms: number) => void): R {
  let step = flow.next(undefined as unknown as HttpResponse);
  while (!step.done) {
    const res = perform(step.value);
    onNetwork?.(res.durationMs);
    step = flow.next(res);
  }
  return step.value;
}

/**
 * Runs a flow whose FSPIOP requests are signed first (JWS). WebCrypto signing is asynchronous, so
 * the iteration becomes async; the HTTP calls stay synchronous.
 */
export async function driveSigned<R>(
  flow: Flow<R>,
  sign: RequestSigner,
  onNetwork?: (ms: number) => void,
): Promise<R> {
  let step = flow.next(undefined as unknown as HttpResponse);
  while (!step.done) {
    const req = step.value;
    await sign(req);
    const res = perform(req);
    onNetwork?.(res.durationMs);
    step = flow.next(res);
  }
  return step.value;
}
