/**
 * `node -r` preload for the Mojaloop Testing Toolkit (TTK) under test (test/support/ttk.ts starts it).
 * It changes nothing in TTK's files; it adjusts the Node runtime TTK runs on:
 *
 * - Every TCP listener binds to TTK_HARNESS_HOST (default 127.0.0.1). TTK's two servers pass no
 *   host (Express `listen(5050)`, Hapi with only a port), so Node would bind all interfaces.
 * - TTK_HARNESS_ADMIN_PORT moves the admin API (and socket.io, /metrics), which TTK hard-codes to
 *   5050, to another port, so that several instances can run side by side.
 * - TTK_HARNESS_SOCKET_LOG=0 stops the broadcasting of every log entry over socket.io (only the
 *   web UI's live log listens to it, and it costs a large share of TTK's CPU per request): TTK's
 *   notification emitter looks its socket.io server up on each call through `getIO()` of
 *   src/lib/socket-server.js, so that function is replaced by one returning null once the module
 *   is first loaded. The socket.io server itself still starts.
 *
 * CommonJS because TTK is CommonJS and `node -r` loads this before TTK's entry point.
 */
'use strict';

const net = require('node:net');
const Module = require('node:module');

const HOST = process.env.TTK_HARNESS_HOST || '127.0.0.1';
const TTK_ADMIN_PORT = 5050;
const adminPortText = process.env.TTK_HARNESS_ADMIN_PORT;
const ADMIN_PORT = adminPortText ? Number(adminPortText) : undefined;
if (ADMIN_PORT !== undefined && !(Number.isInteger(ADMIN_PORT) && ADMIN_PORT > 0 && ADMIN_PORT < 65536)) {
  throw new Error(`ttk-preload: TTK_HARNESS_ADMIN_PORT must be a port number, got ${adminPortText}`);
}

const listen = net.Server.prototype.listen;

/** Reads the arguments of `server.listen(...)` into an options object, or undefined to leave them alone. */
function listenOptions(args) {
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    // listen(options) has port/host/path; listen(handle) has none of them: leave handles alone.
    if (!('port' in first) && !('host' in first)) return undefined;
    if (first.path !== undefined) return undefined;
    return { ...first };
  }
  if (typeof first === 'string' && !/^\d+$/.test(first)) return undefined; // an IPC path
  const options = { port: first === undefined || first === null ? 0 : Number(first) };
  let i = 1;
  if (typeof args[i] === 'string' || args[i] === null || args[i] === undefined) i++;
  if (typeof args[i] === 'number') options.backlog = args[i];
  return options;
}

net.Server.prototype.listen = function harnessListen(...args) {
  const callback = typeof args[args.length - 1] === 'function' ? args.pop() : undefined;
  const options = listenOptions(args);
  if (!options) return listen.apply(this, callback ? [...args, callback] : args);
  options.host = HOST;
  if (ADMIN_PORT !== undefined && Number(options.port) === TTK_ADMIN_PORT) options.port = ADMIN_PORT;
  return callback ? listen.call(this, options, callback) : listen.call(this, options);
};

if (process.env.TTK_HARNESS_SOCKET_LOG === '0') {
  const load = Module._load;
  const SOCKET_SERVER = /(^|[\\/])socket-server(\.js)?$/;
  const IN_TTK = /[\\/]ml-testing-toolkit[\\/]src[\\/]/;
  Module._load = function harnessLoad(request, parent, isMain) {
    const exported = load.call(this, request, parent, isMain);
    if (
      typeof request === 'string' &&
      SOCKET_SERVER.test(request) &&
      parent &&
      IN_TTK.test(parent.filename || '') &&
      exported &&
      typeof exported.getIO === 'function'
    ) {
      exported.getIO = () => null;
      Module._load = load;
    }
    return exported;
  };
}
