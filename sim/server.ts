/**
 * The HTTP listener: turns Node requests into `SimRequest`s, enforces the body cap, and writes
 * `SimResponse`s, over HTTP or — with TLS options — HTTPS, requiring client certificates when a CA
 * is given (mutual TLS; a refused handshake never reaches a handler). Never lets a handler failure
 * escape: a throw becomes 500/2001 with an `errorInformation` body; whatever Node's parser refuses
 * gets an FSPIOP answer too: a malformed message 400/3101, a request line or header block over
 * Node's 16 KiB 414 or 431/3101, a `CONNECT` 405/3000 (all without a body when the request was a
 * `HEAD`), an oversized body 413/3104.
 *
 * Also the in-process router used by the all-in-one shape: `route(req)` dispatches by path to
 * health, relay, DFSP simulators, admin and the hub, whichever this service hosts, after checking
 * who is asking (sim/runtime/auth.ts): the admin API needs the operator, the relay the operator or
 * a runner credential, the DFSP callback endpoints the operator or the callback key (as a bearer
 * credential or as `/cb/<key>` in front of `/dfsp/...`). `/health`, the hub's FSPIOP API and the
 * DFSP outbound API stay open, as on a real hub and SDK.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Admin } from './admin.ts';
import type { DfspSim } from './dfsp/dfsp.ts';
import { routeDfsp } from './dfsp/routes.ts';
import { errorObject, errorResponse, FspiopError } from './fspiop/errors.ts';
import { Hub } from './hub/hub.ts';
import type { SimTlsOptions } from './options.ts';
import type { Relay } from './relay/relay.ts';
import { Auth, type Principal } from './runtime/auth.ts';
import { type Handler, json, type SimRequest, type SimResponse } from './runtime/message.ts';

export interface RoutedParts {
  /** Label for /health ("all-in-one", "hub", "payer", "payee"). */
  service: string;
  hub?: Hub;
  dfsps: Map<string, DfspSim>;
  relay?: Relay;
  admin?: Admin;
  /** Who may use the admin API, the relay and the DFSP callbacks; default: everyone (loopback). */
  auth?: Auth;
  /** Scheduled tasks that threw (reported by /health). */
  taskErrors?: () => number;
  /** Every bounded structure of the process and what it holds (reported by /health). */
  bounds?: () => unknown;
}

const OPEN = new Auth(undefined);

/** 401 with 3000 and a challenge, naming what credential `what` needs. */
function unauthenticated(what: string): SimResponse {
  const r = new FspiopError('3000', `authentication required: ${what}`, undefined, 401).response();
  r.headers = { ...r.headers, 'www-authenticate': 'Bearer realm="mojaloop-k6 simulator"' };
  return r;
}

function forbidden(detail: string): SimResponse {
  return new FspiopError('3000', detail, undefined, 403).response();
}

const NEEDS_OPERATOR = "send Authorization: Bearer <the simulator's --auth-token>";
const NEEDS_RUNNER =
  'send Authorization: Bearer <a runner credential derived from --auth-token (RELAY_TOKEN), or the token>';
const NEEDS_CALLBACK =
  'send Authorization: Bearer <the callback key>, or call the callback base URL the simulator prints (/cb/<key>/dfsp/<fspId>)';

export function createRouter(parts: RoutedParts): Handler {
  const auth = parts.auth ?? OPEN;
  const dfspRoute = (
    req: SimRequest,
    path: string,
    who: Principal | undefined,
  ): SimResponse | Promise<SimResponse> => {
    const slash = path.indexOf('/', 6);
    const fspId = slash < 0 ? path.slice(6) : path.slice(6, slash);
    const sub = slash < 0 ? '/' : path.slice(slash);
    // The outbound API is the DFSP's own client-facing API (like the hub's FSPIOP API): open.
    if (auth.tokenRequired && !sub.startsWith('/outbound/')) {
      if (who === undefined) return unauthenticated(NEEDS_CALLBACK);
      if (who.kind === 'runner') return forbidden('a runner credential only reaches the relay');
    }
    const dfsp = parts.dfsps.get(fspId);
    if (!dfsp) return errorResponse('3002', `no simulated DFSP ${fspId.slice(0, 40)} here`);
    return routeDfsp(dfsp, req, sub);
  };
  return (req: SimRequest) => {
    const path = req.path;
    if (path === '/health') {
      const cpu = process.cpuUsage();
      const mem = process.memoryUsage();
      return json(200, {
        status: 'ok',
        service: parts.service,
        dfsps: [...parts.dfsps.keys()],
        errors: { handlers: handlerFailures, tasks: parts.taskErrors?.() ?? 0 },
        auth: auth.tokenRequired ? 'token' : auth.mutualTls ? 'mutual-tls' : 'none',
        process: {
          cpuUserMs: Math.round(cpu.user / 1000),
          cpuSystemMs: Math.round(cpu.system / 1000),
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          uptimeS: Math.round(process.uptime()),
        },
        bounds: parts.bounds?.(),
      });
    }
    if (path.startsWith('/dfsp/')) return dfspRoute(req, path, auth.identify(req));
    if (path.startsWith('/cb/') && auth.callbackKey !== undefined) {
      // `/cb/<key>/dfsp/<fspId>/...`: the callback key in the URL, for hubs that cannot add headers.
      const slash = path.indexOf('/', 4);
      const key = slash < 0 ? path.slice(4) : path.slice(4, slash);
      const rest = slash < 0 ? '' : path.slice(slash);
      if (auth.principalOf(key)?.kind !== 'callback') return unauthenticated(NEEDS_CALLBACK);
      if (!rest.startsWith('/dfsp/'))
        return errorResponse('3002', `unknown path ${req.method} /cb/<key>${rest.slice(0, 80)}`);
      return dfspRoute(req, rest, { kind: 'callback' });
    }
    if (path.startsWith('/relay/') && parts.relay) {
      const who = auth.identify(req);
      if (who === undefined) return unauthenticated(NEEDS_RUNNER);
      if (who.kind === 'callback') return forbidden('the callback key does not reach the relay');
      return parts.relay.handle(req, path.slice('/relay'.length), auth.tokenRequired ? who : undefined);
    }
    if (path.startsWith('/admin/') && parts.admin) {
      const who = auth.identify(req);
      if (who === undefined) return unauthenticated(NEEDS_OPERATOR);
      if (who.kind !== 'operator')
        return forbidden('the admin API needs the operator credential (--auth-token)');
      return parts.admin.handle(req, path.slice('/admin'.length));
    }
    if (parts.hub && Hub.owns(path)) return parts.hub.handle(req);
    return errorResponse('3002', `unknown path ${req.method} ${path.slice(0, 100)}`);
  };
}

export interface Listening {
  server: http.Server | https.Server;
  origin: string;
  port: number;
  close(): Promise<void>;
}

const INTERNAL = JSON.stringify(errorObject('2001', 'the simulator failed to handle this request'));

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  414: 'URI Too Long',
  431: 'Request Header Fields Too Large',
};

/** A complete HTTP/1.1 answer for a socket no response object owns; no body for a HEAD request. */
function rawAnswer(status: number, body: string, head: boolean): string {
  const h =
    `HTTP/1.1 ${status} ${REASONS[status] ?? 'Error'}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n`;
  return head ? h : h + body;
}

/** Whether the refused bytes are a HEAD request (whose answer must not carry a body). */
function isHead(raw: Buffer | undefined): boolean {
  return raw !== undefined && raw.length >= 5 && raw.toString('latin1', 0, 5) === 'HEAD ';
}

/** Node's header limit (`--max-http-header-size`, 16 KiB by default). */
const MAX_HEADER_BYTES = http.maxHeaderSize;

/** The HTTP status and the detail of a request Node's parser refused. */
function parseRefusal(err: NodeJS.ErrnoException & { rawPacket?: Buffer }): {
  status: number;
  detail: string;
} {
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    const raw = err.rawPacket;
    const lineEnd = raw ? raw.indexOf('\r\n') : -1;
    return lineEnd < 0 || lineEnd >= MAX_HEADER_BYTES
      ? { status: 414, detail: `the request line exceeds ${MAX_HEADER_BYTES} bytes` }
      : { status: 431, detail: `the request line and headers exceed ${MAX_HEADER_BYTES} bytes` };
  }
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, detail: 'the request did not arrive in time' };
  return { status: 400, detail: 'malformed HTTP request' };
}

/** Requests whose handler threw or rejected (answered 500/2001), process-wide. */
let handlerFailures = 0;
let loggedFailure = false;
function logFailure(e: unknown): void {
  handlerFailures++;
  if (loggedFailure) return;
  loggedFailure = true;
  console.error('sim: a request handler failed (answered 500; further failures are not logged):', e);
}

/**
 * Starts an HTTP server for `handler` on host:port (port 0 = any free port); HTTPS with `tls`, and
 * mutual TLS (a client certificate chaining to `tls.ca` required for every request) when it has a CA.
 */
export function listen(
  host: string,
  port: number,
  maxBodyBytes: number,
  handler: Handler,
  tls?: SimTlsOptions,
): Promise<Listening> {
  const tooLarge = JSON.stringify(errorObject('3104', `request body exceeds ${maxBodyBytes} bytes`));

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const write = (r: SimResponse): void => {
      if (res.writableEnded || res.destroyed) return;
      const headers: Record<string, string | number> = r.headers ? { ...r.headers } : {};
      if (r.body !== undefined) {
        if (headers['content-type'] === undefined) headers['content-type'] = 'application/json';
        headers['content-length'] = Buffer.byteLength(r.body);
      } else if (r.status !== 204) {
        headers['content-length'] = 0;
      }
      res.writeHead(r.status, headers);
      res.end(r.body);
    };
    const reject413 = (): void => {
      if (res.headersSent) return;
      res.writeHead(413, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(tooLarge),
        connection: 'close',
      });
      res.end(tooLarge);
    };
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > maxBodyBytes) {
      reject413();
      req.resume();
      return;
    }
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const chunks: Buffer[] = [];
    let size = 0;
    let overflow = false;
    req.on('data', (c: Buffer) => {
      if (overflow) return;
      size += c.length;
      if (size > maxBodyBytes) {
        overflow = true;
        chunks.length = 0;
        reject413();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {
      if (!res.headersSent) res.destroy();
    });
    req.on('end', () => {
      if (overflow) return;
      const simReq: SimRequest = {
        method: req.method ?? 'GET',
        path: q < 0 ? rawUrl : rawUrl.slice(0, q),
        query: q < 0 ? '' : rawUrl.slice(q + 1),
        headers: req.headers,
        body:
          chunks.length === 0
            ? ''
            : chunks.length === 1
              ? chunks[0]!.toString('utf8')
              : Buffer.concat(chunks).toString('utf8'),
        receivedAtMs: Date.now(),
        onClose: (fn) => res.once('close', fn),
      };
      let out: SimResponse | Promise<SimResponse>;
      try {
        out = handler(simReq);
      } catch (e) {
        logFailure(e);
        out = { status: 500, body: INTERNAL };
      }
      if (out instanceof Promise) {
        out.then(write, (e) => {
          logFailure(e);
          write({ status: 500, body: INTERNAL });
        });
      } else {
        write(out);
      }
    });
  };
  // requireHostHeader: false — otherwise Node answers a Host-less HTTP/1.1 request with its own
  // bodiless 400 before any handler runs; the simulator answers everything with errorInformation.
  const server = tls
    ? https.createServer(
        {
          requireHostHeader: false,
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: true } : {}),
        },
        onRequest,
      )
    : http.createServer({ requireHostHeader: false }, onRequest);

  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.on('clientError', (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    const refusal = parseRefusal(err);
    const body = JSON.stringify(errorObject('3101', refusal.detail));
    // A parse error after the request line was dispatched (e.g. a broken chunked body) happens while
    // a response object exists for the socket: answer through it, once (Node drops the body of a
    // response to HEAD by itself).
    const inFlight = (socket as unknown as { _httpMessage?: http.ServerResponse })._httpMessage;
    if (inFlight) {
      if (!inFlight.headersSent && !inFlight.writableEnded) {
        inFlight.writeHead(refusal.status, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        });
        inFlight.end(body);
      } else {
        socket.destroy();
      }
      return;
    }
    if (!socket.writable) return;
    socket.end(rawAnswer(refusal.status, body, isHead(err.rawPacket)));
  });
  // CONNECT never reaches 'request': without a listener Node just closes the socket.
  server.on('connect', (req: http.IncomingMessage, socket: import('node:stream').Duplex) => {
    const body = JSON.stringify(
      errorObject('3000', `${req.method ?? 'CONNECT'} is not allowed: this is not a proxy`),
    );
    socket.on('error', () => socket.destroy());
    if (socket.writable) socket.end(rawAnswer(405, body, false));
    else socket.destroy();
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const hostPart = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        origin: `${tls ? 'https' : 'http'}://${hostPart}:${addr.port}`,
        port: addr.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
