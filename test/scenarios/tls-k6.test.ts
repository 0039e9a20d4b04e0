/**
 * Mutual TLS under a real k6 (only when `K6` names a k6 binary; skipped otherwise): the transfers
 * bundle's smoke profile against the simulator serving HTTPS that requires client certificates,
 * with the client identity in TLS_CERT/TLS_KEY (file paths, relative to PWD) and the test CA in
 * the SSL_CERT_FILE process variable (Go's crypto/x509 reads it on Linux; docs/facts/k6.md#tls).
 * With them every transfer commits; without the identity, or without the CA, nothing reaches the hub.
 * The PKI is made at test time with openssl (test/support/tls-pki.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import { ENV_VARS } from '../../lib/config/run-config.ts';
import type { RunResult } from '../../lib/summary/result.ts';
import { NodeHttpClient } from '../../node/http.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { makePki, type Pki, pkiUnavailable } from '../support/tls-pki.ts';

const K6 = process.env.K6;
const haveK6 = !!K6 && existsSync(K6);
const noPki = pkiUnavailable();
const ROOT = path.resolve(import.meta.dirname, '../..');

if (!haveK6) {
  console.warn(
    'test/scenarios/tls-k6.test.ts: SKIPPED — set K6=/path/to/k6 to run the mTLS smoke under a real k6',
  );
} else if (noPki) {
  console.warn(`test/scenarios/tls-k6.test.ts: SKIPPED — ${noPki}`);
}

function newestSourceMs(): number {
  let newest = 0;
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of ['lib', 'scenarios']) walk(path.join(ROOT, d));
  return newest;
}

/** dist/transfers.js when it is newer than every source, else the same bundle built into `dir`. */
async function transfersBundle(dir: string): Promise<string> {
  const dist = path.join(ROOT, 'dist', 'transfers.js');
  if (existsSync(dist) && statSync(dist).mtimeMs >= newestSourceMs()) return dist;
  console.log('tls-k6: dist/transfers.js missing or older than lib/, scenarios/: bundling');
  const { bundles, violations } = await bundleEntries(
    [path.join(ROOT, 'scenarios', 'transfers.ts')],
    dir,
    false,
  );
  expect(violations).toEqual([]);
  const file = path.join(dir, 'transfers.js');
  writeFileSync(file, bundles[0]!.code);
  return file;
}

interface Ledger {
  transfers: { received: number; final: { COMMITTED: number } };
}

describe.skipIf(!haveK6 || !!noPki)('mutual TLS under a real k6 (K6 set)', () => {
  let pki: Pki;
  let sim: SimulatorHandle;
  let admin: NodeHttpClient;
  let bundle: string;

  beforeAll(async () => {
    pki = makePki();
    sim = await startSimulator({
      host: '127.0.0.1',
      port: 0,
      log: () => {},
      tls: { cert: pki.pem(pki.serverCert), key: pki.pem(pki.serverKey), ca: pki.pem(pki.caCert) },
    });
    admin = new NodeHttpClient({
      tls: { cert: pki.pem(pki.clientCert), key: pki.pem(pki.clientKey), ca: pki.pem(pki.caCert) },
    });
    bundle = await transfersBundle(mkdtempSync(path.join(pki.dir, 'bundle-')));
  }, 120_000);

  afterAll(async () => {
    admin?.close();
    await sim?.close();
  });

  async function ledger(): Promise<Ledger> {
    const r = await admin.request({
      method: 'GET',
      url: `${sim.url}/admin/ledger`,
      headers: {},
      name: 'ledger',
    });
    return JSON.parse(r.body!) as Ledger;
  }

  /** `k6 run` from the PKI directory, with `vars` as -e values and `processEnv` as its environment. */
  async function k6run(vars: Record<string, string>, processEnv: Record<string, string>) {
    await admin.request({ method: 'POST', url: `${sim.url}/admin/reset`, headers: {}, name: 'reset' });
    const results = mkdtempSync(path.join(pki.dir, 'results-'));
    const args = ['run', '-q', '--no-color'];
    const all = {
      HUB_URL: sim.url,
      RESULTS_DIR: results,
      PROFILE: 'smoke',
      TARGET_TPS: '10',
      DURATION: '3s',
      TIMEOUT_MS: '1500',
      EXPECTED_LATENCY_MS: '1000',
      ...vars,
    };
    for (const [k, v] of Object.entries(all)) args.push('-e', `${k}=${v}`);
    args.push(bundle);
    // k6 copies the calling environment into __ENV: drop the kit's variables (vitest sets MODE=test).
    const env: NodeJS.ProcessEnv = { ...process.env, PWD: pki.dir, ...processEnv };
    for (const name of ENV_VARS) delete env[name];
    for (const name of ['SSL_CERT_FILE', 'SSL_CERT_DIR']) if (!(name in processEnv)) delete env[name];
    return new Promise<{ code: number; out: string; result: RunResult | undefined }>((resolve) => {
      const child = spawn(K6!, args, { cwd: pki.dir, env });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => {
        const file = path.join(results, 'transfers-result.json');
        const result = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as RunResult) : undefined;
        resolve({ code: code ?? -1, out, result });
      });
    });
  }

  it('commits every transfer with TLS_CERT/TLS_KEY and SSL_CERT_FILE', async () => {
    const r = await k6run({ TLS_CERT: 'client.crt', TLS_KEY: 'client.key' }, { SSL_CERT_FILE: pki.caCert });
    expect(r.code, r.out).toBe(0);
    const o = r.result!.outcomes;
    expect(o.balanced).toBe(true);
    expect(o.sent).toBeGreaterThanOrEqual(25);
    expect(o.committed).toBe(o.sent);
    expect((await ledger()).transfers.final.COMMITTED).toBe(o.committed);
  }, 120_000);

  it.each([
    ['without the client identity', {}, { SSL_CERT_FILE: 'ca.crt' }, /certificate required/],
    [
      'without SSL_CERT_FILE',
      { TLS_CERT: 'client.crt', TLS_KEY: 'client.key' },
      {},
      /x509: certificate signed by unknown authority/,
    ],
  ])(
    'reaches nothing %s',
    async (_what, vars: Record<string, string>, processEnv: Record<string, string>, error) => {
      const r = await k6run(vars, processEnv);
      // setup() finds the relay unusable and throws: a script exception, before any load.
      expect(r.code, r.out).toBe(107);
      expect(r.out).toMatch(/the callback relay at https:\S+ is not usable/);
      expect(r.out).toMatch(error);
      expect(r.out).toMatch(/check its TLS: RELAY_TLS_CERT/);
      expect(r.result?.outcomes.committed ?? 0).toBe(0);
      expect((await ledger()).transfers.received).toBe(0);
    },
    120_000,
  );
});
