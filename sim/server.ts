/**
 * The HTTP listener: turns Node requests into `SimRequest`s, enforces the body cap, and writes
 * `SimResponse`s, over HTTP or — with TLS options — HTTPS, requiring client certificates when a CA
 * is given (mutual TLS; a refused handshake never reaches a handler). Never lets a handler failure
 * escape: a throw becomes 500/2001 with an `errorInformation` body, a malformed HTTP message
 * becomes 400, an oversized body 413/3104.
 *
 * Also the in-process router used by the all-in-one shape: `route(req)` dispatches by path to
 * health, relay, DFSP simulators, admin and the hub, whichever this service hosts.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Admin } from './admin.ts';
import type { DfspSim } from './dfsp/dfsp.ts';
import { routeDfsp } from './dfsp/routes.ts';
import { errorObject, errorResponse } from './fspiop/errors.ts';
import { Hub } from './hub/hub.ts';
import type { SimTlsOptions } from './options.ts';
import type { Relay } from './relay/relay.ts';
import { type Handler, json, type SimRequest, type SimResponse } from './runtime/message.ts';

export interface RoutedParts {
  /** Label for /health ("all-in-one", "hub", "payer", "payee"). */
  service: string;
  hub?: Hub;
  dfsps: Map<string, DfspSim>;
  relay?: Relay;
  admin?: Admin;
  /** Scheduled tasks that threw (reported by /health). */
  taskErrors?: () => number;
}

export function createRouter(parts: RoutedParts): Handler {
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
        process: {
          cpuUserMs: Math.round(cpu.user / 1000),
          cpuSystemMs: Math.round(cpu.system / 1000),
          rssBytes: mem.rss,
          heapUsedBytes: mem.heapUsed,
          uptimeS: Math.round(process.uptime()),
        },
      });
    }
    if (path.startsWith('/dfsp/')) {
      const slash = path.indexOf('/', 6);
      const fspId = slash < 0 ? path.slice(6) : path.slice(6, slash);
      const dfsp = parts.dfsps.get(fspId);
      if (!dfsp) return errorResponse('3002', `no simulated DFSP ${fspId.slice(0, 40)} here`);
      return routeDfsp(dfsp, req, slash < 0 ? '/' : path.slice(slash));
    }
    if (path.startsWith('/relay/') && parts.relay)
      return parts.relay.handle(req, path.slice('/relay'.length));
    if (path.startsWith('/admin/') && parts.admin)
      return parts.admin.handle(req, path.slice('/admin'.length));
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
  server.on('clientError', (_err, socket) => {
    const body = JSON.stringify(errorObject('3101', 'malformed HTTP request'));
    // A parse error after the request line was dispatched (e.g. a broken chunked body) happens while
    // a response object exists for the socket: answer through it, once.
    const inFlight = (socket as unknown as { _httpMessage?: http.ServerResponse })._httpMessage;
    if (inFlight) {
      if (!inFlight.headersSent && !inFlight.writableEnded) {
        inFlight.writeHead(400, {
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
    socket.end(
      `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
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
