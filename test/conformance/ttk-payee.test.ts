/**
 * Conformance against real Mojaloop software, the other way round: the kit's simulator is the hub
 * (with the payer DFSP and its callback relay), and the Mojaloop Testing Toolkit (TTK) is the payee
 * DFSP `payeefsp`, registered in the hub's participant registry with TTK's FSPIOP URL as its
 * callback endpoint. So what the simulator hub forwards (POST /transfers with the payer's body and
 * the hub's FSPIOP-Destination/URI/HTTP-Method and trace headers, its commit notification, GET
 * /parties and POST /quotes) is validated by TTK against its API definitions — and the ILP packet
 * and condition by TTK's ILP checks, with the kit's secret — while TTK's callbacks (its fulfils,
 * party and quote answers) are validated by the simulator hub, which checks each fulfilment
 * against the condition before it commits.
 *
 * Each case checks that every request was accepted, that TTK accepted everything the hub sent it,
 * that the hub committed what TTK fulfilled, that the kit counts each transfer as TTK decided it,
 * and that the accounting balances with every transfer committed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../lib/config/run-config.ts';
import { NodeHttpClient } from '../../node/http.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { ledgerOf, ledgerTransfer } from '../support/sim.ts';
import { startTtk, type Ttk, ttkSkipReason } from '../support/ttk.ts';
import { expectConformingRun } from '../support/ttk-checks.ts';
import {
  CONFORMANCE_APIS,
  historyWith,
  type KitRun,
  kitSetup,
  plain,
  runCollect,
  runE2e,
  type TtkView,
  ttkView,
  withAmount,
} from '../support/ttk-kit.ts';
import { harnessCallbackRules } from '../support/ttk-rules.ts';

const FILE = 'test/conformance/ttk-payee.test.ts';
const RUNNER = 4;
const TPS = 5;
const skip = ttkSkipReason();
if (skip) console.warn(`${FILE}: SKIPPED — ${skip}`);

describe.skipIf(!!skip)('the kit’s simulator hub with the Testing Toolkit as the payee DFSP', () => {
  let ttk: Ttk;
  let sim: SimulatorHandle;
  let hubUrl: string;
  const client = new NodeHttpClient();

  beforeAll(async () => {
    ttk = await startTtk({
      userConfig: {
        FSPID: 'payeefsp',
        TRANSFERS_VALIDATION_ILP_PACKET: true,
        TRANSFERS_VALIDATION_CONDITION: true,
      },
    });
    sim = await startSimulator({
      host: '127.0.0.1',
      shape: 'separate',
      services: ['hub', 'payer'],
      hubPort: 0,
      payerPort: 0,
      participants: [
        { fspId: 'payerfsp', currencies: ['XXX'], placement: 'payer' },
        { fspId: 'payeefsp', currencies: ['XXX'], endpoint: ttk.fspiopUrl },
      ],
      log: () => {},
    });
    hubUrl = sim.urls.hub!;
    const current = await ttk.config();
    const cfg = await ttk.config({
      CALLBACK_ENDPOINT: hubUrl,
      CALLBACK_RESOURCE_ENDPOINTS: { ...(current.CALLBACK_RESOURCE_ENDPOINTS as object), enabled: false },
    });
    expect(cfg).toMatchObject({
      CALLBACK_ENDPOINT: hubUrl,
      FSPID: 'payeefsp',
      ILP_SECRET: 'mojaloop-sdk',
      HUB_ONLY_MODE: false,
      TRANSFERS_VALIDATION_ILP_PACKET: true,
      TRANSFERS_VALIDATION_CONDITION: true,
    });
    await ttk.setRules('callback', harnessCallbackRules(await ttk.rules('callback')));
    // The hub routes the payee's messages to TTK.
    const participants = (await (await fetch(`${hubUrl}/admin/participants`)).json()) as unknown;
    expect(JSON.stringify(participants)).toContain(ttk.fspiopUrl);
  }, 120_000);

  afterAll(async () => {
    client.close();
    await sim?.close();
    if (ttk) {
      console.log(
        `${FILE}: TTK started in ${ttk.startMs} ms; RSS ${((ttk.rssBytes() ?? 0) / 2 ** 20).toFixed(0)} MB at the end`,
      );
      await ttk.stop();
    }
  });

  beforeEach(async () => {
    await ttk.clearHistory();
  });

  const env = (extra: Env): Env => ({
    HUB_URL: hubUrl,
    RELAY_URL: sim.relayUrl,
    TIMEOUT_MS: '6000',
    ...extra,
  });

  /**
   * What the hub and TTK did with each transfer: TTK validated the hub's POST /transfers and its
   * commit notification (only requests that pass TTK's validation reach its request history), sent
   * its fulfil to the hub, and the hub committed it.
   */
  async function expectHubAndPayeeAgree(run: KitRun, transportFailedBefore: number): Promise<void> {
    const requests = await ttk.requests();
    const history = await ttk.history();
    const ledger = await ledgerOf(hubUrl);
    expect
      .soft(
        (ledger.callbacks as unknown as { transport: { failed: number } }).transport.failed -
          transportFailedBefore,
        `TTK accepted every message the hub sent it (TTK output: ${ttk.output().slice(-600)})`,
      )
      .toBe(0);
    for (const id of run.ids) {
      const posts = requests.filter(
        (q) => q.method === 'post' && q.path === '/transfers' && JSON.stringify(q.body).includes(id),
      );
      expect.soft(posts.length, `TTK validated the hub's POST /transfers of ${id}`).toBe(1);
      const h = posts[0]?.headers ?? {};
      expect
        .soft(
          {
            source: h['fspiop-source'],
            destination: h['fspiop-destination'],
            uri: h['fspiop-uri'],
            method: h['fspiop-http-method'],
          },
          'the hub forwarded the payer’s prepare with its hop headers',
        )
        .toEqual({ source: 'payerfsp', destination: 'payeefsp', uri: '/transfers', method: 'POST' });
      const fulfils = history.filter((c) => c.path === `/transfers/${id}`);
      expect
        .soft(
          fulfils.map((c) => c.url),
          'TTK sent its fulfil to the hub',
        )
        .toEqual([`${hubUrl}/transfers/${id}`]);
      expect
        .soft((await ledgerTransfer(hubUrl, id))?.state, `the hub committed ${id} with TTK's fulfilment`)
        .toBe('COMMITTED');
      const notified = requests.filter((q) => q.method === 'put' && q.path === `/transfers/${id}`);
      expect.soft(notified.length, `TTK validated the hub's commit notification of ${id}`).toBe(1);
    }
  }

  /** TTK's decisions on this run's transfers, once it has decided on each one the hub accepted (see ttk-hub). */
  async function decisions(run: KitRun, waitMs = 6000): Promise<TtkView> {
    const accepted = run.results.filter((r) => r.accepted).map((r) => r.transferId);
    return ttkView(run.ids, await historyWith(() => ttk.history(), accepted, waitMs), () => undefined);
  }

  /** Waits (up to 3 s) until TTK has the hub's commit notification of each transfer. */
  async function notificationsLanded(ids: readonly string[]): Promise<void> {
    const until = Date.now() + 3000;
    while (Date.now() < until) {
      const puts = new Set((await ttk.requests()).filter((q) => q.method === 'put').map((q) => q.path));
      if (ids.every((id) => puts.has(`/transfers/${id}`))) return;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function transportFailed(): Promise<number> {
    return ((await ledgerOf(hubUrl)).callbacks as unknown as { transport: { failed: number } }).transport
      .failed;
  }

  describe('transfers, collect mode', () => {
    it.each(CONFORMANCE_APIS)(
      '%s: TTK fulfils, the hub commits, the kit counts every transfer committed',
      async (_name, api) => {
        const before = await transportFailed();
        const run = await runCollect({
          setup: kitSetup('transfers', env(api), RUNNER),
          client,
          count: 5,
          tps: TPS,
        });
        await notificationsLanded(run.ids);
        const view = await decisions(run);
        expectConformingRun(run, view, 5);
        await expectHubAndPayeeAgree(run, before);
      },
    );
  });

  describe('e2e (parties → quotes → transfers) through the hub', () => {
    it.each(CONFORMANCE_APIS.slice(0, 3))(
      '%s: TTK answers the lookup and the quote, fulfils, and every flow commits',
      async (_name, api) => {
        const before = await transportFailed();
        const run = await runE2e({ setup: kitSetup('e2e', env(api), RUNNER), client, count: 2, tps: TPS });
        await notificationsLanded(run.ids);
        const view = await decisions(run);
        expectConformingRun(run, view, 2);
        expect.soft(plain(run.kit)).toEqual(Object.fromEntries(run.ids.map((id) => [id, 'COMMITTED'])));
        await expectHubAndPayeeAgree(run, before);
        const requests = await ttk.requests();
        expect
          .soft(requests.filter((q) => q.method === 'get' && q.path.startsWith('/parties/MSISDN/')).length)
          .toBe(2);
        expect.soft(requests.filter((q) => q.method === 'post' && q.path === '/quotes').length).toBe(2);
      },
    );
  });

  it.each([CONFORMANCE_APIS[1]!, CONFORMANCE_APIS[3]!])(
    // FSPIOP: the harness's negative control (TTK's packet check is on, and a refusal travels back).
    // ISO 20022: TTK puts the code of its error callback in TxInfAndSts.StsRsnInf.Rsn.Cd (the API
    // definition allows Cd or Prtry), which the hub must pass on as well.
    '%s: a prepare whose amount is not the ILP packet’s is aborted by TTK (3106), the hub passes that on, the kit counts it',
    async (_name, api) => {
      // TTK's ISO 20022 error callbacks take seconds each (see historyWith): one, and a longer TIMEOUT_MS.
      const n = api.API === 'iso20022' ? 1 : 2;
      const run = await runCollect({
        setup: kitSetup('transfers', env({ ...api, TIMEOUT_MS: '20000' }), RUNNER),
        client,
        count: n,
        tps: TPS,
        tamper: (req) => withAmount(req, '2'),
      });
      const view = await decisions(run, 20_000);
      expect(plain(view.decided)).toEqual(Object.fromEntries(run.ids.map((id) => [id, 'ABORTED 3106'])));
      expect.soft(plain(run.kit), 'the kit counts TTK’s 3106').toEqual(plain(view.decided));
      for (const id of run.ids) {
        expect
          .soft(await ledgerTransfer(hubUrl, id), 'the hub aborted the transfer with TTK’s code')
          .toMatchObject({ state: 'ABORTED', errorCode: '3106' });
      }
      expect
        .soft(run.accounting)
        .toMatchObject({ sent: n, rejectedByCode: { '3106': n }, timedOut: 0, balanced: true });
    },
  );
});
