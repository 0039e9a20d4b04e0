/**
 * The Node adapter of the sans-IO core: performs an `HttpRequest` and returns an `HttpResponse`.
 * Used by the simulator (hub -> DFSP callbacks), the Node flow driver, tests and benchmarks.
 *
 * One keep-alive agent per client and scheme keeps connections warm, as k6 keeps one transport per
 * VU. `https:` URLs go through a TLS agent with the optional client identity (`tls.cert`/`key`, for
 * mutual TLS) and trust (`tls.ca`, instead of Node's default CAs). It never throws for transport
 * failures (TLS handshake refusals included): they come back as status 0 with `error` set, as in k6.
 */
import http from 'node:http';
import https from 'node:https';
import type { HttpRequest, HttpResponse } from '../lib/protocol/http.ts';

export interface NodeHttpClientOptions {
  /** Maximum concurrent sockets per host (default 256). */
  maxSockets?: number;
  /** Default request timeout in ms when the request has none (default 30 000). */
  timeoutMs?: number;
  /** TLS options of `https:` requests (PEM texts). */
  tls?: NodeTlsClientOptions;
}

export interface NodeTlsClientOptions {
  /** Client certificate (chain) presented when the server asks for one; needs `key`. */
  cert?: string;
  key?: string;
  /** CA certificates the server's certificate is verified against (replaces Node's default CAs). */
  ca?: string | string[];
}

export class NodeHttpClient {
  private readonly agent: http.Agent;
  private readonly tlsAgent: https.Agent;
  private readonly defaultTimeoutMs: number;

  constructor(options: NodeHttpClientOptions = {}) {
    const maxSockets = options.maxSockets ?? 256;
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
    const { cert, key, ca } = options.tls ?? {};
    if ((cert === undefined) !== (key === undefined))
      throw new Error('NodeHttpClient: tls.cert and tls.key go together (a client identity needs both)');
    this.tlsAgent = new https.Agent({ keepAlive: true, maxSockets, cert, key, ca });
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
      const secure = url.protocol === 'https:';
      if (!secure && url.protocol !== 'http:') {
        fail(`unsupported protocol ${url.protocol} (the Node adapter speaks http and https)`);
        return;
      }
      const headers: Record<string, string | number> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
      const outgoing = (secure ? https : http).request(
        {
          agent: secure ? this.tlsAgent : this.agent,
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
    this.tlsAgent.destroy();
  }
}
