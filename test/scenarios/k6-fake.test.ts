/**
 * The scenarios as k6 runs them, without k6: the fake k6 modules (test/fakes/k6, wired as vitest
 * aliases) stand in for k6/http (synchronous, real HTTP), k6/metrics, k6/execution, k6/crypto. Each
 * scenario is evaluated from its source and from its esbuild bundle, then iterations run against
 * the simulator (in a child process: the fake k6/http blocks this thread as a k6 VU blocks).
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleEntries } from '../../build/bundle.ts';
import type { ConfigError } from '../../lib/config/errors.ts';
import { runnerOfId } from '../../lib/protocol/ids.ts';
import { ilpVersionOfPacket, transactionJsonOfPacket } from '../../lib/protocol/ilp.ts';
import type { IlpPair } from '../../lib/protocol/material.ts';
import { counterSum, k6State, samplesOf } from '../fakes/k6/state.ts';
import { type ChildSim, startChildSim } from '../support/child-sim.ts';
import {
  iterate,
  iterateAsync,
  type Loader,
  loadScenario,
  runSetup,
  runTeardownAndSummary,
} from '../support/fake-run.ts';

const root = path.resolve(import.meta.dirname, '../..');
let sim: ChildSim;
const bundles: Record<string, Loader> = {};

const sources: Record<string, Loader> = {
  transfers: () => import('../../scenarios/transfers.ts'),
  e2e: () => import('../../scenarios/e2e.ts'),
  outbound: () => import('../../scenarios/outbound.ts'),
};

beforeAll(async () => {
  sim = await startChildSim();
  // Bundle with the project's own esbuild settings; the bundles keep `k6/*` imports, which the aliases fake.
  const dir = mkdtempSync(path.join(tmpdir(), 'mk6-bundles-'));
  const names = ['transfers', 'e2e', 'outbound'];
  const { bundles: built, violations } = await bundleEntries(
    names.map((n) => path.join(root, 'scenarios', `${n}.ts`)),
    dir,
    false,
  );
  expect(violations).toEqual([]);
  for (const b of built) {
    const file = path.join(dir, `${b.name}.js`);
    writeFileSync(file, b.code);
    bundles[b.name] = () => import(/* @vite-ignore */ pathToFileURL(file).href);
  }
}, 120_000);

afterAll(async () => {
  await sim?.stop();
});

/** Result files go to a directory of their own (k6 checks it exists in the init context). */
const resultsDir = mkdtempSync(path.join(tmpdir(), 'mk6-fake-results-'));
const env = (extra: Record<string, string> = {}): Record<string, string> => ({
  HUB_URL: sim.url,
  TIMEOUT_MS: '3000',
  RUNNER: '2',
  RESULTS_DIR: resultsDir,
  ...extra,
});

describe.each(['source', 'bundle'] as const)('transfers scenario (%s)', (form) => {
  const loader = (): Loader => (form === 'source' ? sources.transfers! : bundles.transfers!);

  it('collect mode: sends, collects and accounts for every transfer', async () => {
    const mod = await loadScenario(loader(), env());
    // Metrics exist from the init context on, and nothing was sent there.
    expect([...k6State().declaredMetrics.keys()]).toContain('ml_transfers_sent');
    expect(k6State().requests).toEqual([]);
    expect(Object.keys(mod.options.scenarios).sort()).toEqual(['collector', 'transfers']);

    const data = runSetup(mod) as { runStartMs: number };
    expect(data.runStartMs).toBeGreaterThan(0);
    iterate(mod, 'transfers', data, 12);
    const posts = k6State().requests.filter((r) => r.tags.name === 'POST /transfers');
    expect(posts).toHaveLength(12);
    for (const p of posts) {
      expect(p.status).toBe(202);
      expect(p.method).toBe('POST');
      expect(p.url).toBe(`${sim.url}/transfers`);
      expect(p.timeout).toBe('3000ms');
      expect(p.headers['FSPIOP-Source']).toBe('payerfsp');
      expect(p.headers['FSPIOP-Destination']).toBe('payeefsp');
      expect(p.headers.tracestate).toMatch(/^tx_end2end_start_ts=\d+$/);
      expect(runnerOfId(JSON.parse(p.body!).transferId)).toBe(2); // runner 2, embedded in the id
    }
    expect(counterSum('ml_transfers_sent')).toBe(12);
    expect(counterSum('ml_transfers_accepted')).toBe(12);

    for (let i = 0; i < 10 && counterSum('ml_transfers_committed') < 12; i++)
      iterate(mod, 'collector', data, 1);
    expect(counterSum('ml_transfers_committed')).toBe(12);
    const collects = k6State().requests.filter((r) => r.tags.name === 'GET /relay/outcomes');
    expect(collects[0]!.url).toMatch(/\/relay\/outcomes\?runner=2&max=500&waitMs=1000$/);
    // Ids travel as metadata, never as tags.
    const e2e = samplesOf('ml_transfer_e2e');
    expect(e2e).toHaveLength(12);
    for (const s of e2e) {
      expect(s.tags).toEqual({ outcome: 'committed' });
      expect(runnerOfId(String(s.metadata.transfer_id))).toBe(2);
    }

    const outputs = runTeardownAndSummary(mod, data);
    expect(outputs.stdout).toContain(
      'sent 12 = committed 12 + rejected 0 + transport failed 0 + timed out 0',
    );
    expect(outputs.stdout).toContain('BALANCED');
    expect(Object.keys(outputs)).toContain(`${resultsDir}/transfers-result.json`);
  });

  it('a load VU plans nothing and puts the fixed ILP pair from the setup data in its transfers', async () => {
    const coordinator = await loadScenario(loader(), env());
    const data = runSetup(coordinator) as { fixedIlp?: IlpPair[] };
    // One pair per pair of the pool (the default pool has one), packet and condition only.
    expect(data.fixedIlp).toHaveLength(1);
    expect(Object.keys(data.fixedIlp![0]!).sort()).toEqual(['condition', 'ilpPacket']);
    expect(data.fixedIlp![0]!.condition).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const fixed = data.fixedIlp![0]!;

    const vu = await loadScenario(loader(), env(), 1);
    expect(vu.options).toBeUndefined();
    iterate(vu, 'transfers', data, 4);
    const posts = k6State().requests.filter((r) => r.tags.name === 'POST /transfers');
    expect(posts.map((p) => p.status)).toEqual([202, 202, 202, 202]);
    for (const p of posts) {
      const body = JSON.parse(p.body!) as {
        condition: string;
        ilpPacket: string;
        payerFsp: string;
        payeeFsp: string;
        amount: unknown;
      };
      expect(body.condition).toBe(fixed.condition);
      expect(body.ilpPacket).toBe(fixed.ilpPacket);
      // The fixed packet names the transfer's FSPs and amount (ILP v1 by default for FSPIOP).
      const tx = JSON.parse((transactionJsonOfPacket(body.ilpPacket) as { value: string }).value);
      expect([tx.payer.partyIdInfo.fspId, tx.payee.partyIdInfo.fspId, tx.amount]).toEqual([
        body.payerFsp,
        body.payeeFsp,
        body.amount,
      ]);
      expect(ilpVersionOfPacket(body.ilpPacket)).toBe('v1');
    }
    // The hub and payee accept the pair: the load VU's transfers commit.
    for (let i = 0; i < 10 && counterSum('ml_transfers_committed') < 4; i++)
      iterate(vu, 'collector', data, 1);
    expect(counterSum('ml_transfers_committed')).toBe(4);
    // The pair comes from the setup data, not from the VU's own computation...
    const other = [
      {
        ...fixed,
        ilpPacket: `${fixed.ilpPacket}A`,
        condition: 'GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA',
      },
    ];
    const fresh = await loadScenario(loader(), env(), 3);
    iterate(fresh, 'transfers', { ...data, fixedIlp: other }, 1);
    const [sent] = k6State().requests.filter((r) => r.tags.name === 'POST /transfers');
    expect(JSON.parse(sent!.body!).condition).toBe(other[0]!.condition);
    // ...and without setup data (k6 --no-setup) the VU computes the pair itself.
    const alone = await loadScenario(loader(), env(), 2);
    iterate(alone, 'transfers', undefined, 1);
    const [post] = k6State().requests.filter((r) => r.tags.name === 'POST /transfers');
    expect(JSON.parse(post!.body!).condition).toBe(fixed.condition);
  });

  it('wait mode: each iteration waits for its own outcome', async () => {
    const mod = await loadScenario(loader(), env({ MODE: 'wait' }));
    expect(Object.keys(mod.options.scenarios)).toEqual(['transfers']);
    const data = runSetup(mod);
    iterate(mod, 'transfers', data, 5);
    expect(counterSum('ml_transfers_committed')).toBe(5);
    expect(k6State().requests.filter((r) => r.tags.name === 'GET /relay/wait')).toHaveLength(5);
    const outputs = runTeardownAndSummary(mod, data);
    expect(outputs.stdout).toContain('sent 5 = committed 5 + rejected 0 + transport failed 0 + timed out 0');
  });

  it('wait mode: teardown adds the relay duplicates this run caused', async () => {
    await fetch(`${sim.url}/admin/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'dups', duplicateCallbacks: { rate: 1 } }),
    });
    try {
      const mod = await loadScenario(loader(), env({ MODE: 'wait', RUNNER: '5' }));
      const data = runSetup(mod);
      iterate(mod, 'transfers', data, 4);
      // Give the duplicate callbacks (sent right after the first ones) time to reach the relay.
      await new Promise((r) => setTimeout(r, 300));
      runTeardownAndSummary(mod, data);
      expect(counterSum('ml_transfers_committed')).toBe(4);
      expect(counterSum('ml_callbacks_duplicate')).toBe(4);
    } finally {
      await fetch(`${sim.url}/admin/faults`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'none' }),
      });
    }
  });

  it('refuses PARALLELISM > 1 in a process without an execution segment, and accepts it with one', async () => {
    const mod = await loadScenario(loader(), { HUB_URL: sim.url, PARALLELISM: '2' });
    expect(() => runSetup(mod)).toThrow(/PARALLELISM=2 but this k6 process has no execution segment/);
    const again = await loadScenario(loader(), { HUB_URL: sim.url, PARALLELISM: '2' });
    k6State().options = { executionSegment: '1/2:1', executionSegmentSequence: '0,1/2,1' };
    runSetup(again);
    iterate(again, 'transfers', runSetup(again), 1);
    const post = k6State().requests.find((r) => r.tags.name === 'POST /transfers')!;
    expect(runnerOfId(JSON.parse(post.body!).transferId)).toBe(1); // runner 1 from the segment
  });

  it('fails in init, before any request, on invalid configuration', async () => {
    await expect(loadScenario(loader(), env({ PROFILE: 'bogus', TARGET_TPS: '-1' }))).rejects.toThrow(
      /PROFILE: expected one of .*TARGET_TPS: expected a positive number/s,
    );
    expect(k6State().requests).toEqual([]);
  });
});

describe.each(['source', 'bundle'] as const)('JWS signing in the k6 scenario (%s)', (form) => {
  it('signs POST /transfers with WebCrypto and the signature verifies', async () => {
    const { generateKeyPairSync, verify } = await import('node:crypto');
    const keys = mkdtempSync(path.join(tmpdir(), 'mk6-jws-'));
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path.join(keys, 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    writeFileSync(
      path.join(keys, 'config.json'),
      JSON.stringify({ jws: { keyFile: 'key.pem', alg: 'ES256' } }),
    );
    const mod = await loadScenario(
      form === 'source' ? sources.transfers! : bundles.transfers!,
      env({ MODE: 'wait', CONFIG: 'config.json', PWD: keys }),
    );
    const data = runSetup(mod);
    await iterateAsync(mod, 'transfers', data, 2);
    expect(counterSum('ml_transfers_committed')).toBe(2);
    for (const post of k6State().requests.filter((r) => r.tags.name === 'POST /transfers')) {
      const sig = JSON.parse(post.headers['FSPIOP-Signature']!) as {
        signature: string;
        protectedHeader: string;
      };
      expect(JSON.parse(Buffer.from(sig.protectedHeader, 'base64url').toString()).alg).toBe('ES256');
      const input = Buffer.from(`${sig.protectedHeader}.${Buffer.from(post.body!).toString('base64url')}`);
      expect(
        verify(
          'sha256',
          input,
          { key: publicKey, dsaEncoding: 'ieee-p1363' },
          Buffer.from(sig.signature, 'base64url'),
        ),
      ).toBe(true);
    }
  });
});

describe.each(['source', 'bundle'] as const)('e2e scenario (%s)', (form) => {
  it('runs parties → quotes → transfers, each phase through the relay, and times the phases', async () => {
    const mod = await loadScenario(form === 'source' ? sources.e2e! : bundles.e2e!, env());
    expect(Object.keys(mod.options.scenarios)).toEqual(['e2e']);
    const data = runSetup(mod);
    iterate(mod, 'e2e', data, 3);
    // setup() read the relay's counts first (the baselines for duplicates and evictions).
    expect(k6State().requests.map((r) => r.tags.name)).toEqual(
      ['GET /relay/stats'].concat(
        Array(3)
          .fill([
            'GET /parties',
            'GET /relay/phase/parties',
            'POST /quotes',
            'GET /relay/phase/quotes',
            'POST /transfers',
            'GET /relay/wait',
          ])
          .flat(),
      ),
    );
    expect(counterSum('ml_transfers_committed')).toBe(3);
    expect(samplesOf('ml_phase_duration').map((s) => s.tags.phase)).toEqual(
      Array(3).fill(['parties', 'quotes', 'transfers']).flat(),
    );
    const outputs = runTeardownAndSummary(mod, data);
    expect(outputs.stdout).toContain('sent 3 = committed 3 + rejected 0 + transport failed 0 + timed out 0');
  });
});

describe.each(['source', 'bundle'] as const)('outbound scenario (%s)', (form) => {
  it('runs the whitepaper flow through the DFSP outbound API', async () => {
    const mod = await loadScenario(form === 'source' ? sources.outbound! : bundles.outbound!, env());
    const data = runSetup(mod);
    iterate(mod, 'outbound', data, 3);
    expect(k6State().requests.map((r) => r.tags.name)).toEqual(
      Array(3)
        .fill(['GET /outbound/parties', 'POST /outbound/quotes', 'POST /outbound/simpleTransfers'])
        .flat(),
    );
    expect(counterSum('ml_transfers_committed')).toBe(3);
    expect(
      samplesOf('ml_phase_duration')
        .map((s) => s.tags.phase)
        .sort(),
    ).toEqual([
      'parties',
      'parties',
      'parties',
      'quotes',
      'quotes',
      'quotes',
      'transfers',
      'transfers',
      'transfers',
    ]);
    const outputs = runTeardownAndSummary(mod, data);
    expect(outputs.stdout).toContain('sent 3 = committed 3 + rejected 0 + transport failed 0 + timed out 0');
  });
});

it('the config error is a ConfigError naming each field', async () => {
  try {
    await loadScenario(sources.transfers!, { PARALLELISM: 'many' });
    expect.unreachable();
  } catch (e) {
    // A fresh module registry has its own ConfigError class: compare by name and shape.
    expect((e as Error).name).toBe('ConfigError');
    expect((e as ConfigError).problems.map((p) => p.field)).toEqual(['PARALLELISM']);
  }
});
