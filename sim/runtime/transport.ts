/**
 * Outgoing calls: hub -> DFSP callbacks and DFSP -> hub requests.
 *
 * All-in-one shape: a call whose URL starts with this process's own origin is handed to the local
 * router in-process (one deferred task, no socket, no serialisation beyond the body text the
 * protocol needs anyway). Any other URL — and every call in the separate-services shape — goes over
 * real HTTP through the keep-alive Node adapter (node/http.ts). Handlers cannot tell the difference.
 * `https:` URLs are called with the TLS client options given (the simulator's own identity and
 * trust, when it serves TLS: sim/simulator.ts).
 */
import type { HttpResponse } from '../../lib/protocol/http.ts';
import { NodeHttpClient, type NodeTlsClientOptions } from '../../node/http.ts';
import type { Handler, Outgoing, SimRequest, SimResponse } from './message.ts';
import type { Scheduler } from './scheduler.ts';

export interface TransportCounters {
  /** Calls made (in-process + HTTP). */
  sent: number;
  /** Calls handed over in-process. */
  inProcess: number;
  /** Calls that failed: no response (status 0) or an HTTP status >= 400. */
  failed: number;
}

interface LocalCall {
  req: SimRequest;
  resolve?: (r: SimResponse) => void;
}

export class Transport {
  readonly counters: TransportCounters = { sent: 0, inProcess: 0, failed: 0 };
  private local: { origin: string; route: Handler } | undefined;
  private client: NodeHttpClient | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly timeoutMs: number,
    private readonly tls?: NodeTlsClientOptions,
  ) {}

  /** Enables in-process delivery for URLs under `origin` (all-in-one shape). */
  setLocal(origin: string, route: Handler): void {
    this.local = { origin, route };
  }

  private http(): NodeHttpClient {
    if (!this.client)
      this.client = new NodeHttpClient({ maxSockets: 128, timeoutMs: this.timeoutMs, tls: this.tls });
    return this.client;
  }

  private toLocal(msg: Outgoing, origin: string): SimRequest {
    const rest = msg.url.slice(origin.length);
    const q = rest.indexOf('?');
    return {
      method: msg.method,
      path: q < 0 ? rest : rest.slice(0, q),
      query: q < 0 ? '' : rest.slice(q + 1),
      headers: msg.headers,
      body: msg.body ?? '',
      receivedAtMs: Date.now(),
    };
  }

  private isLocal(url: string): boolean {
    const l = this.local;
    return (
      l !== undefined &&
      url.startsWith(l.origin) &&
      (url.length === l.origin.length || url[l.origin.length] === '/')
    );
  }

  private readonly runLocal = (call: LocalCall): void => {
    const route = this.local?.route;
    if (!route) return;
    let out: SimResponse | Promise<SimResponse>;
    try {
      out = route(call.req);
    } catch {
      out = { status: 500 };
    }
    if (out instanceof Promise) {
      out.then(
        (r) => this.settle(call, r),
        () => this.settle(call, { status: 500 }),
      );
    } else {
      this.settle(call, out);
    }
  };

  private settle(call: LocalCall, r: SimResponse): void {
    if (r.status >= 400) this.counters.failed++;
    call.resolve?.(r);
  }

  /** Fire and forget: the answer only feeds the failure counter. */
  send(msg: Outgoing): void {
    this.counters.sent++;
    if (this.isLocal(msg.url)) {
      this.counters.inProcess++;
      this.scheduler.defer(this.runLocal, { req: this.toLocal(msg, this.local!.origin) });
      return;
    }
    this.http()
      .request({ ...msg, name: `${msg.method} callback`, timeoutMs: this.timeoutMs })
      .then((r) => {
        if (r.status === 0 || r.status >= 400) this.counters.failed++;
      });
  }

  /** A call whose answer the caller needs (DFSP outbound API -> hub). Never rejects. */
  request(msg: Outgoing): Promise<SimResponse> {
    this.counters.sent++;
    if (this.isLocal(msg.url)) {
      this.counters.inProcess++;
      return new Promise((resolve) => {
        this.scheduler.defer(this.runLocal, { req: this.toLocal(msg, this.local!.origin), resolve });
      });
    }
    return this.http()
      .request({ ...msg, name: `${msg.method} outbound`, timeoutMs: this.timeoutMs, wantBody: true })
      .then((r: HttpResponse) => {
        if (r.status === 0 || r.status >= 400) this.counters.failed++;
        return {
          status: r.status,
          body: r.body ?? (r.error ? JSON.stringify({ transportError: r.error }) : undefined),
          headers: r.headers,
        };
      });
  }

  close(): void {
    this.client?.close();
  }
}
