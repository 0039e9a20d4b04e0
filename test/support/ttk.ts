/**
 * The Mojaloop Testing Toolkit (TTK, `ml-testing-toolkit`) as a test peer: real Mojaloop software the
 * kit is checked against (test/conformance/). It is installed apart from the kit, in conformance/
 * (`npm ci --prefix conformance`, which `npm test` runs once: install-conformance.ts); when it is
 * not installed, `ttkSkipReason()` says why and the conformance tests report themselves skipped
 * (or fail, under CONFORMANCE_REQUIRED=1 as in CI).
 *
 * `startTtk(options)` runs one private instance:
 * - in a fresh temporary directory holding a copy of TTK's `spec_files` (TTK resolves every path
 *   against `TTK_ROOT`/cwd and writes its user config and rules files there), with `ILP_SECRET` and
 *   any other start-up user config written into that copy first (TTK reads ILP_SECRET only at start);
 * - on two free ports of 127.0.0.1: the FSPIOP port through `TTK_SYSTEM_CONFIG={"API_PORT":N}`, the
 *   admin port (hard-coded 5050 in TTK) moved by the preload test/support/ttk-preload.cjs, which
 *   also binds both listeners to 127.0.0.1 and, unless `socketLog` is set, stops TTK broadcasting
 *   every log entry over socket.io;
 * - ready when an unknown path on the FSPIOP port answers 404 and `GET /api/config/user` on the
 *   admin port answers 200; a start that fails or times out throws with the tail of TTK's output.
 *
 * `stop()` sends SIGINT (TTK exits on it) and SIGKILL after a timeout, then removes the directory.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skipOrFail } from './conformance.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CONFORMANCE_DIR = path.join(REPO_ROOT, 'conformance');
export const TTK_PACKAGE_DIR = path.join(CONFORMANCE_DIR, 'node_modules', 'ml-testing-toolkit');
const TTK_ENTRY = path.join(TTK_PACKAGE_DIR, 'src', 'index.js');
const PRELOAD = path.join(import.meta.dirname, 'ttk-preload.cjs');
/** Written by install-conformance.ts when `npm ci --prefix conformance` failed; holds the reason. */
export const INSTALL_FAILED_MARKER = path.join(CONFORMANCE_DIR, 'node_modules', '.ttk-install-failed');
/** The TTK version conformance/package.json pins. */
export const TTK_VERSION = '18.19.2';

/**
 * Why TTK cannot run here (not installed, failed install), or undefined when it can; throws
 * instead under CONFORMANCE_REQUIRED=1 (conformance.ts).
 */
export function ttkSkipReason(): string | undefined {
  return skipOrFail(installProblem());
}

function installProblem(): string | undefined {
  if (existsSync(INSTALL_FAILED_MARKER)) {
    const why = readFileSync(INSTALL_FAILED_MARKER, 'utf8').trim().split('\n').slice(-3).join(' | ');
    return `the Testing Toolkit install failed (npm ci --prefix conformance): ${why}`;
  }
  if (!existsSync(TTK_ENTRY) || !existsSync(path.join(TTK_PACKAGE_DIR, 'spec_files'))) {
    return 'the Mojaloop Testing Toolkit is not installed (run: npm ci --prefix conformance)';
  }
  try {
    const v = (
      JSON.parse(readFileSync(path.join(TTK_PACKAGE_DIR, 'package.json'), 'utf8')) as { version: string }
    ).version;
    if (v !== TTK_VERSION)
      return `conformance/ has ml-testing-toolkit ${v}, expected ${TTK_VERSION} (npm ci --prefix conformance)`;
  } catch (e) {
    return `cannot read ml-testing-toolkit's package.json: ${(e as Error).message}`;
  }
  return undefined;
}

export class TtkNotInstalledError extends Error {}

export interface TtkOptions {
  /** HMAC secret of TTK's fulfilments (user config ILP_SECRET, read only at start-up). Default: the kit's `mojaloop-sdk`. */
  ilpSecret?: string;
  /** More user config entries written into the private copy before start (CALLBACK_ENDPOINT, FSPID, ...). */
  userConfig?: Record<string, unknown>;
  /** Keep TTK's socket.io log broadcasting (default off: it only feeds the web UI and costs much CPU). */
  socketLog?: boolean;
  /** TTK's LOG_LEVEL (default `error`). */
  logLevel?: string;
  /** How long start-up may take (default 60 s; a start takes 3-5 s on an idle 2-core machine). */
  startTimeoutMs?: number;
  /** How long to wait after SIGINT before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
}

/** One callback TTK sent (or, with SEND_CALLBACK_ENABLE off, would have sent): GET /api/history/callbacks. */
export interface TtkCallback {
  timestamp: number;
  /** Full URL it went to (CALLBACK_ENDPOINT or a CALLBACK_RESOURCE_ENDPOINTS match + path). */
  url: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

/** One inbound request that passed TTK's validation: GET /api/history/requests. */
export interface TtkRequest {
  timestamp: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export type TtkRulesKind = 'callback' | 'response' | 'validation' | 'forward';

export interface Ttk {
  /** Base URL of TTK's FSPIOP / mock API (all API definitions). */
  fspiopUrl: string;
  /** Base URL of TTK's admin API (`/api/...`). */
  adminUrl: string;
  pid: number;
  /** The private TTK_ROOT. */
  root: string;
  /** Spawn to ready, ms. */
  startMs: number;
  /** The runtime user config, after merging `patch` into the stored one and PUTting it whole (TTK's PUT replaces it). */
  config(patch?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Writes a rules file (whole array) and makes it the active one of its kind. */
  setRules(kind: TtkRulesKind, rules: unknown[], fileName?: string): Promise<void>;
  /** Makes an existing rules file (e.g. `default.json`) the active one. */
  activateRules(kind: TtkRulesKind, fileName: string): Promise<void>;
  /** Reads a rules file (default: TTK's shipped `default.json`). */
  rules(kind: TtkRulesKind, fileName?: string): Promise<unknown[]>;
  /** Callbacks TTK generated in the last 10 minutes (its in-memory history), oldest first. */
  history(): Promise<TtkCallback[]>;
  /** Inbound requests that passed validation, oldest first. */
  requests(): Promise<TtkRequest[]>;
  /** Forgets both histories. */
  clearHistory(): Promise<void>;
  /** Resident set size of the TTK process (from /proc; undefined where there is none). */
  rssBytes(): number | undefined;
  /** The tail of TTK's stdout and stderr. */
  output(): string;
  stop(): Promise<void>;
}

const TAIL_BYTES = 16 * 1024;

class Tail {
  private text = '';
  push(chunk: Buffer | string): void {
    this.text += chunk.toString();
    if (this.text.length > TAIL_BYTES * 2) this.text = this.text.slice(-TAIL_BYTES);
  }
  get(maxChars = 4000): string {
    return this.text.slice(-maxChars);
  }
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function status(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

function rssOf(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Children still running when this process exits are killed (a crashed test must not leave TTK behind). */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(exited(child)), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function adminJson<T>(adminUrl: string, method: string, p: string, body?: unknown): Promise<T> {
  const res = await fetch(`${adminUrl}${p}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (res.status < 200 || res.status > 299) {
    throw new Error(`TTK admin ${method} ${p}: HTTP ${res.status} ${text.slice(0, 300)}`);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}

interface Attempt {
  child: ChildProcess;
  out: Tail;
  fspiopPort: number;
  adminPort: number;
}

function spawnTtk(root: string, options: TtkOptions, fspiopPort: number, adminPort: number): Attempt {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG,
    TMPDIR: process.env.TMPDIR,
    TTK_ROOT: root,
    TTK_SYSTEM_CONFIG: JSON.stringify({ API_PORT: fspiopPort }),
    LOG_LEVEL: options.logLevel ?? 'error',
    TTK_HARNESS_HOST: '127.0.0.1',
    TTK_HARNESS_ADMIN_PORT: String(adminPort),
    TTK_HARNESS_SOCKET_LOG: options.socketLog ? '1' : '0',
  };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const child = spawn(process.execPath, ['-r', PRELOAD, TTK_ENTRY], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = new Tail();
  child.stdout!.on('data', (d: Buffer) => out.push(d));
  child.stderr!.on('data', (d: Buffer) => out.push(d));
  track(child);
  return { child, out, fspiopPort, adminPort };
}

/** Polls until both ports answer as a ready TTK does; 'exited' when the process ended first. */
async function waitReady(a: Attempt, deadline: number): Promise<'ready' | 'exited' | 'timeout'> {
  const fspiop = `http://127.0.0.1:${a.fspiopPort}/__harness_ready_probe`;
  const admin = `http://127.0.0.1:${a.adminPort}/api/config/user`;
  while (Date.now() < deadline) {
    if (exited(a.child)) return 'exited';
    const [f, m] = await Promise.all([status(fspiop), status(admin)]);
    if (f === 404 && m === 200) return 'ready';
    await new Promise((r) => setTimeout(r, 100));
  }
  return exited(a.child) ? 'exited' : 'timeout';
}

export async function startTtk(options: TtkOptions = {}): Promise<Ttk> {
  const skip = ttkSkipReason();
  if (skip) throw new TtkNotInstalledError(skip);
  const ilpSecret = options.ilpSecret ?? 'mojaloop-sdk';
  const root = mkdtempSync(path.join(tmpdir(), 'ttk-'));
  const cleanup = (): void => rmSync(root, { recursive: true, force: true });
  let attempt: Attempt | undefined;
  const t0 = Date.now();
  try {
    cpSync(path.join(TTK_PACKAGE_DIR, 'spec_files'), path.join(root, 'spec_files'), { recursive: true });
    const userConfigFile = path.join(root, 'spec_files', 'user_config.json');
    const userConfig = JSON.parse(readFileSync(userConfigFile, 'utf8')) as Record<string, unknown>;
    Object.assign(userConfig, options.userConfig ?? {}, { ILP_SECRET: ilpSecret });
    writeFileSync(userConfigFile, `${JSON.stringify(userConfig, null, 2)}\n`);

    const deadline = t0 + (options.startTimeoutMs ?? 60_000);
    // Free ports are picked, then bound by TTK: another process may take one in between, so a start
    // that dies with EADDRINUSE is retried on new ports.
    for (let tries = 1; ; tries++) {
      attempt = spawnTtk(root, options, await freePort(), await freePort());
      const r = await waitReady(attempt, deadline);
      if (r === 'ready') break;
      const tail = attempt.out.get();
      if (r === 'exited' && /EADDRINUSE/.test(tail) && tries < 3) continue;
      if (!exited(attempt.child)) {
        attempt.child.kill('SIGKILL');
        await waitExit(attempt.child, 5000);
      }
      const how =
        r === 'exited'
          ? `exited (code ${attempt.child.exitCode}, signal ${attempt.child.signalCode}) before it was ready`
          : `was not ready within ${options.startTimeoutMs ?? 60_000} ms (FSPIOP port ${attempt.fspiopPort} must answer 404 on an unknown path, admin port ${attempt.adminPort} 200 on /api/config/user)`;
      throw new Error(`the Testing Toolkit ${how}. Its output ended with:\n${tail || '(nothing)'}`);
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  const startMs = Date.now() - t0;
  const { child, out } = attempt;
  const fspiopUrl = `http://127.0.0.1:${attempt.fspiopPort}`;
  const adminUrl = `http://127.0.0.1:${attempt.adminPort}`;
  let stopped: Promise<void> | undefined;

  return {
    fspiopUrl,
    adminUrl,
    pid: child.pid!,
    root,
    startMs,
    async config(patch) {
      const current = await adminJson<{ runtime: Record<string, unknown>; stored: Record<string, unknown> }>(
        adminUrl,
        'GET',
        '/api/config/user',
      );
      if (!patch) return current.runtime;
      if ('ILP_SECRET' in patch && patch.ILP_SECRET !== current.runtime.ILP_SECRET) {
        throw new Error('TTK reads ILP_SECRET only at start-up: pass ilpSecret to startTtk instead');
      }
      await adminJson(adminUrl, 'PUT', '/api/config/user', { ...current.stored, ...patch });
      return (await adminJson<{ runtime: Record<string, unknown> }>(adminUrl, 'GET', '/api/config/user'))
        .runtime;
    },
    async setRules(kind, rules, fileName = 'harness.json') {
      await adminJson(adminUrl, 'PUT', `/api/rules/files/${kind}/${encodeURIComponent(fileName)}`, rules);
      await adminJson(adminUrl, 'PUT', `/api/rules/files/${kind}`, { type: 'activeRulesFile', fileName });
    },
    async activateRules(kind, fileName) {
      await adminJson(adminUrl, 'PUT', `/api/rules/files/${kind}`, { type: 'activeRulesFile', fileName });
    },
    async rules(kind, fileName = 'default.json') {
      return adminJson<unknown[]>(
        adminUrl,
        'GET',
        `/api/rules/files/${kind}/${encodeURIComponent(fileName)}`,
      );
    },
    history: () => adminJson<TtkCallback[]>(adminUrl, 'GET', '/api/history/callbacks'),
    requests: () => adminJson<TtkRequest[]>(adminUrl, 'GET', '/api/history/requests'),
    async clearHistory() {
      await adminJson(adminUrl, 'DELETE', '/api/history/callbacks');
      await adminJson(adminUrl, 'DELETE', '/api/history/requests');
    },
    rssBytes: () => rssOf(child.pid!),
    output: () => out.get(),
    stop() {
      stopped ??= (async () => {
        if (!exited(child)) {
          child.kill('SIGINT');
          if (!(await waitExit(child, options.stopTimeoutMs ?? 5000))) {
            child.kill('SIGKILL');
            await waitExit(child, 5000);
          }
        }
        cleanup();
      })();
      return stopped;
    },
  };
}
