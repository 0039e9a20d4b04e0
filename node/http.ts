/**
 * The Node adapter of the sans-IO core: performs an `HttpRequest` and returns an `HttpResponse`.
 * Used by the simulator (hub -> DFSP callbacks), the Node flow driver, tests and benchmarks.
 *
 * One keep-alive agent per client keeps connections warm, as k6 keeps one transport per VU.
 * It never throws for transport failures: they come back as status 0 with `error` set, as in k6.
 */
import http from 'node:http';
import type { HttpRequest, HttpResponse } from '../lib/protocol/http.ts';

export interface NodeHttpClientOptions {
  /** Maximum concurrent sockets per host (default 256). */
  maxSockets?: number;
  /** Default request timeout in ms when the request has none (default 30 000). */
  timeoutMs?: number;
}

export class NodeHttpClient {
  private readonly agent: http.Agent;
  private readonly defaultTimeoutMs: number;

  constructor(options: NodeHttpClientOptions = {}) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: options.maxSockets ?? 256 });
    this.defaultTimeoutMs = options.timeoutMs ?? 30_000;
  }

  request(req: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    const timeoutMs = req.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (res: HttpResponse): void => {
        if (settled) return;
        settled = true;
        resolve(res);
      };
      const fail = (error: string): void =>
        finish({ status: 0, headers: {}, body: null, durationMs: performance.now() - started, error });
      let url: URL;
      try {
        url = new URL(req.url);
      } catch {
        fail(`invalid URL ${JSON.stringify(req.url)}`);
        return;
      }
      if (url.protocol !== 'http:') {
        fail(`unsupported protocol ${url.protocol} (the Node adapter speaks plain HTTP)`);
        return;
      }
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const outgoing = http.request(
        {
          agent: this.agent,
          method: req.method,
          hostname: url.hostname,
          port: url.port,
          path: url.pathname + url.search,
          headers,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (c: Buffer) => chunks.push(c));
          incoming.on('error', (e) => fail(e.message));
          incoming.on('end', () => {
            const resHeaders: Record<string, string> = {};
            for (const [k, v] of Object.entries(incoming.headers)) {
              if (v !== undefined) resHeaders[k] = Array.isArray(v) ? v.join(', ') : v;
            }
            const text = Buffer.concat(chunks).toString('utf8');
            finish({
              status: incoming.statusCode ?? 0,
              headers: resHeaders,
              body: text.length > 0 ? text : null,
              durationMs: performance.now() - started,
            });
          });
        },
      );
      outgoing.setTimeout(timeoutMs, () => {
        outgoing.destroy(new Error(`request timeout after ${timeoutMs} ms`));
      });
      outgoing.on('error', (e) => fail(e.message));
      if (req.body !== undefined) outgoing.write(req.body);
      outgoing.end();
    });
  }

  /** Closes idle keep-alive sockets so the process can exit. */
  close(): void {
    this.agent.destroy();
  }
}
