/**
 * The simulator over HTTPS with mutual TLS (`--tls-cert`, `--tls-key`, `--tls-ca`), and the Node
 * driver's flows against it with node/http.ts's TLS client options: with the client identity every
 * flow commits; without it, or with one the simulator's CA did not sign, the handshake is refused
 * and nothing reaches the hub. The PKI is made at test time with openssl (test/support/tls-pki.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRunConfig, type ScenarioKind } from '../../lib/config/run-config.ts';
import { e2eFlow } from '../../lib/flows/e2e.ts';
import { outboundFlow } from '../../lib/flows/outbound.ts';
import { prepareFlows } from '../../lib/flows/plan.ts';
import { sendAndWait } from '../../lib/flows/transfer.ts';
import type { FlowContext, FlowResult } from '../../lib/flows/types.ts';
import type { HttpMethod } from '../../lib/protocol/http.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { driveMany } from '../../node/driver.ts';
import { NodeHttpClient, type NodeTlsClientOptions } from '../../node/http.ts';
import { parseCli, type SimulatorOptions } from '../../sim/options.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { makePki, type Pki, pkiUnavailable } from '../support/tls-pki.ts';

const unavailable = pkiUnavailable();
if (unavailable) console.warn(`test/sim/tls.test.ts: SKIPPED — ${unavailable}`);

/** Simulator options from the command line, as `npm run sim -- <args>` would get them. */
function cli(args: string[], env: Record<string, string> = {}): SimulatorOptions {
  const r = parseCli(args, env);
  if (r.ok !== true) throw new Error(r.ok === 'help' ? 'help' : r.error);
  return r.value;
}

function cliError(args: string[], env: Record<string, string> = {}): string {
  const r = parseCli(args, env);
  if (r.ok !== false) throw new Error('expected a refusal');
  return r.error;
}

const ctx: FlowContext = { now: Date.now, random: Math.random, crypto: nodeCrypto, runner: 3 };

async function flows(
  kind: ScenarioKind,
  urls: { hub: string; relay?: string; outbound?: string },
  client: NodeHttpClient,
  count: number,
): Promise<FlowResult[]> {
  const config = parseRunConfig(kind, {
    HUB_URL: urls.hub,
    ...(urls.relay ? { RELAY_URL: urls.relay } : {}),
    ...(urls.outbound ? { OUTBOUND_URL: urls.outbound } : {}),
    TIMEOUT_MS: '3000',
  });
  const plan = prepareFlows(config, nodeCrypto);
  const make = kind === 'e2e' ? e2eFlow : kind === 'outbound' ? outboundFlow : sendAndWait;
  return driveMany(count, 4, () => make(plan, ctx), client);
}

async function getJson(
  client: NodeHttpClient,
  url: string,
  method: HttpMethod = 'GET',
): Promise<{ status: number; body: unknown }> {
  const r = await client.request({ method, url, headers: { accept: 'application/json' }, name: 'admin' });
  return { status: r.status, body: r.body ? JSON.parse(r.body) : undefined };
}

interface LedgerView {
  transfers: { received: number; final: { COMMITTED: number } };
  callbacks: { transport: { sent: number; inProcess: number; failed: number } };
}

describe.skipIf(!!unavailable)('the simulator over mutual TLS', () => {
  let pki: Pki;
  let identity: NodeTlsClientOptions;
  beforeAll(() => {
    pki = makePki();
    identity = { cert: pki.pem(pki.clientCert), key: pki.pem(pki.clientKey), ca: pki.pem(pki.caCert) };
  });

  describe('options', () => {
    it('reads --tls-cert, --tls-key, --tls-ca and their SIM_TLS_* variables', () => {
      const o = cli(['--tls-cert', pki.serverCert, '--tls-key', pki.serverKey, '--tls-ca', pki.caCert]);
      expect(o.tls).toEqual({
        cert: pki.pem(pki.serverCert),
        key: pki.pem(pki.serverKey),
        ca: pki.pem(pki.caCert),
      });
      const e = cli([], { SIM_TLS_CERT: pki.serverCert, SIM_TLS_KEY: pki.serverKey });
      expect(e.tls).toEqual({ cert: pki.pem(pki.serverCert), key: pki.pem(pki.serverKey) });
      expect(cli([]).tls).toBeUndefined();
    });

    it.each([
      [['--tls-cert', 'S'], /^--tls-key \(or SIM_TLS_KEY\): required with --tls-cert/],
      [['--tls-key', 'K'], /^--tls-cert \(or SIM_TLS_CERT\): required with --tls-key/],
      [['--tls-ca', 'C'], /^--tls-cert and --tls-key .*: required with --tls-ca/],
    ])('refuses half a configuration: %j', (args, message) => {
      const paths: Record<string, string> = { S: pki.serverCert, K: pki.serverKey, C: pki.caCert };
      expect(cliError(args.map((a) => paths[a] ?? a))).toMatch(message);
    });

    it('names the flag of a bad file', () => {
      expect(cliError([], { SIM_TLS_CERT: pki.serverCert, SIM_TLS_KEY: '/nonexistent.key' })).toMatch(
        /^SIM_TLS_KEY: cannot read \/nonexistent.key/,
      );
      expect(cliError(['--tls-cert', pki.serverKey, '--tls-key', pki.serverKey])).toMatch(
        /^--tls-cert: .* holds no PEM certificate/,
      );
      expect(cliError(['--tls-cert', pki.serverCert, '--tls-key', pki.clientKey])).toMatch(
        /^--tls-cert\/--tls-key: .* unusable: .*key values mismatch/,
      );
    });
  });

  describe('all-in-one', () => {
    let sim: SimulatorHandle;
    const withId = (): NodeHttpClient => new NodeHttpClient({ tls: identity });
    beforeAll(async () => {
      sim = await startSimulator({
        ...cli([
          '--port',
          '0',
          '--tls-cert',
          pki.serverCert,
          '--tls-key',
          pki.serverKey,
          '--tls-ca',
          pki.caCert,
        ]),
        log: () => {},
      });
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('serves https, /health included, and says so', async () => {
      expect(sim.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(sim.relayUrl).toBe(`${sim.url}/relay`);
      expect(sim.startupLine).toMatch(/mutual TLS: client certificates required/);
      const client = withId();
      expect(await getJson(client, `${sim.url}/health`)).toMatchObject({
        status: 200,
        body: { status: 'ok' },
      });
      client.close();
    });

    it.each(['transfers', 'e2e', 'outbound'] as const)(
      '%s flows commit with the client identity',
      async (kind) => {
        const client = withId();
        await getJson(client, `${sim.url}/admin/reset`, 'POST');
        const results = await flows(kind, { hub: sim.url }, client, 8);
        expect(results.map((r) => r.outcome.kind)).toEqual(Array(8).fill('committed'));
        const ledger = (await getJson(client, `${sim.url}/admin/ledger`)).body as LedgerView;
        expect(ledger.transfers.final.COMMITTED).toBe(8);
        client.close();
      },
    );

    it.each([
      ['without a client certificate', () => ({ ca: identity.ca }), /alert certificate required/],
      [
        'with a certificate of another CA',
        // TLS 1.3: the client's side of the handshake is over when the server refuses the certificate.
        () => ({ cert: pki.pem(pki.strangerCert), key: pki.pem(pki.strangerKey), ca: identity.ca }),
        /socket hang up|unknown ca|ECONNRESET/,
      ],
      [
        'without trusting the CA',
        () => ({ cert: identity.cert, key: identity.key }),
        /self-signed certificate in certificate chain/,
      ],
    ])('refuses %s: nothing reaches the hub', async (_what, tls, error) => {
      const good = withId();
      await getJson(good, `${sim.url}/admin/reset`, 'POST');
      const bad = new NodeHttpClient({ tls: tls() });
      const health = await bad.request({
        method: 'GET',
        url: `${sim.url}/health`,
        headers: {},
        name: 'health',
      });
      expect(health.status).toBe(0);
      expect(health.error).toMatch(error);
      const results = await flows('transfers', { hub: sim.url }, bad, 3);
      for (const r of results) expect(r.accepted).toBe(false);
      expect(results.map((r) => r.outcome.kind)).not.toContain('committed');
      const ledger = (await getJson(good, `${sim.url}/admin/ledger`)).body as LedgerView;
      expect(ledger.transfers.received).toBe(0);
      bad.close();
      good.close();
    });
  });

  it('the separate shape: three https listeners, the simulator presenting its own certificate between them', async () => {
    const sim = await startSimulator({
      ...cli(['--shape', 'separate', '--hub-port', '0', '--payer-port', '0', '--payee-port', '0'], {
        SIM_TLS_CERT: pki.serverCert,
        SIM_TLS_KEY: pki.serverKey,
        SIM_TLS_CA: pki.caCert,
      }),
      log: () => {},
    });
    const client = new NodeHttpClient({ tls: identity });
    try {
      const { hub, payer, payee } = sim.urls;
      for (const u of [hub, payer, payee]) {
        expect(u).toMatch(/^https:/);
        expect((await getJson(client, `${u}/health`)).status).toBe(200);
      }
      const results = await flows('transfers', { hub: hub!, relay: sim.relayUrl! }, client, 6);
      expect(results.map((r) => r.outcome.kind)).toEqual(Array(6).fill('committed'));
      const e2e = await flows('e2e', { hub: hub!, relay: sim.relayUrl! }, client, 3);
      expect(e2e.map((r) => r.outcome.kind)).toEqual(Array(3).fill('committed'));
      const ledger = (await getJson(client, `${hub}/admin/ledger`)).body as LedgerView;
      expect(ledger.transfers.final.COMMITTED).toBe(9);
      // Every hop between the services went over https with the simulator's identity, none failed.
      expect(ledger.callbacks.transport.inProcess).toBe(0);
      expect(ledger.callbacks.transport.sent).toBeGreaterThan(0);
      expect(ledger.callbacks.transport.failed).toBe(0);
    } finally {
      client.close();
      await sim.close();
    }
  });

  it('TLS without a CA: https that asks for no client certificate', async () => {
    const sim = await startSimulator({
      ...cli(['--port', '0', '--tls-cert', pki.serverCert, '--tls-key', pki.serverKey]),
      log: () => {},
    });
    const client = new NodeHttpClient({ tls: { ca: identity.ca } });
    try {
      expect(sim.startupLine).toMatch(/\| TLS$/);
      const results = await flows('transfers', { hub: sim.url }, client, 3);
      expect(results.map((r) => r.outcome.kind)).toEqual(Array(3).fill('committed'));
    } finally {
      client.close();
      await sim.close();
    }
  });
});
