// Worker thread of the fake k6/http: performs one HTTP request at a time for the blocked main
// thread (which waits on a SharedArrayBuffer with Atomics.wait) and hands the response back on a
// MessagePort that the main thread drains synchronously with receiveMessageOnPort.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { flag, port } = workerData;
const signal = new Int32Array(flag);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function reply(response) {
  port.postMessage(response);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

parentPort.on('message', (req) => {
  const started = performance.now();
  let url;
  try {
    url = new URL(req.url);
  } catch {
    reply({
      status: 0,
      headers: {},
      body: null,
      duration: 0,
      error: `invalid URL ${req.url}`,
      errorCode: 1000,
    });
    return;
  }
  let settled = false;
  const finish = (r) => {
    if (settled) return;
    settled = true;
    reply(r);
  };
  const headers = { ...req.headers };
  if (req.body != null) headers['content-length'] = Buffer.byteLength(req.body);
  const outgoing = http.request(
    {
      agent,
      method: req.method,
      hostname: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      headers,
    },
    (incoming) => {
      const chunks = [];
      incoming.on('data', (c) => chunks.push(c));
      incoming.on('error', (e) =>
        finish({
          status: 0,
          headers: {},
          body: null,
          duration: performance.now() - started,
          error: e.message,
          errorCode: 1000,
        }),
      );
      incoming.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        finish({
          status: incoming.statusCode ?? 0,
          headers: incoming.headers,
          body: text,
          duration: performance.now() - started,
        });
      });
    },
  );
  outgoing.setTimeout(req.timeoutMs, () => {
    outgoing.destroy(new Error(`request timeout`));
  });
  outgoing.on('error', (e) =>
    finish({
      status: 0,
      headers: {},
      body: null,
      duration: performance.now() - started,
      error: e.message,
      errorCode: e.message === 'request timeout' ? 1050 : 1211,
    }),
  );
  if (req.body != null) outgoing.write(req.body);
  outgoing.end();
});
