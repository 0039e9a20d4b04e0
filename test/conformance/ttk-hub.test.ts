/**
 * Conformance against real Mojaloop software: the Mojaloop Testing Toolkit (TTK) plays the hub, the
 * kit's simulator plays only the DFSP side (payer DFSP with the callback relay, payee DFSP), and the
 * kit's own flows run in Node exactly as in test/lib/flows/flows.test.ts, at 5 transfers/s.
 *
 * TTK validates every request against its FSPIOP 1.0/1.1/2.0 or ISO 20022 API definition (on by
 * default), and here also the ILP packet against the body and the condition against the
 * fulfilment it derives (TRANSFERS_VALIDATION_ILP_PACKET, TRANSFERS_VALIDATION_CONDITION), with
 * the kit's ILP secret. It decodes FSPIOP packets as ILP v1 and ISO 20022 packets as ILP v4, so the
 * kit runs with ILP_VERSION=v1 / v4 accordingly, and with UUID transfer ids under FSPIOP 1.x (whose
 * API definitions refuse ULIDs). TTK plays the payee FSP `payeefsp` (its FSPID) behind the hub and
 * sends its callbacks to the payer DFSP's callback base (CALLBACK_ENDPOINT).
 *
 * Each case checks that every request was accepted (202), that the kit counts each transfer as
 * TTK decided it (TTK's callback history: committed, or /error with a code), that the accounting
 * balances with nothing timed out, and that every transfer commits.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Env } from '../../lib/config/run-config.ts';
import type { HttpRequest } from '../../lib/protocol/http.ts';
import { NodeHttpClient } from '../../node/http.ts';
import { type SimulatorHandle, startSimulator } from '../../sim/simulator.ts';
import { startTtk, type Ttk, ttkSkipReason } from '../support/ttk.ts';
import { expectConformingRun } from '../support/ttk-checks.ts';
import {
  CONFORMANCE_APIS,
  DEFAULTS_APIS,
  historyWith,
  type KitRun,
  kitSetup,
  plain,
  runCollect,
  runE2e,
  runWait,
  type TtkView,
  ttkView,
  withAmount,
} from '../support/ttk-kit.ts';
import { harnessCallbackRules } from '../support/ttk-rules.ts';

const FILE = 'test/conformance/ttk-hub.test.ts';
const RUNNER = 3;
const TPS = 5;
const skip = ttkSkipReason();
if (skip) console.warn(`${FILE}: SKIPPED — ${skip}`);

const APIS = CONFORMANCE_APIS;

describe.skipIf(!!skip)('the kit against the Testing Toolkit as the hub', () => {
  let ttk: Ttk;
  let sim: SimulatorHandle;
  let payerCallbacks: string;
  const client = new NodeHttpClient();
  const rss: number[] = [];

  beforeAll(async () => {
    ttk = await startTtk({
      userConfig: {
        FSPID: 'payeefsp',
        TRANSFERS_VALIDATION_ILP_PACKET: true,
        TRANSFERS_VALIDATION_CONDITION: true,
      },
    });
    rss.push(ttk.rssBytes() ?? 0);
    sim = await startSimulator({
      host: '127.0.0.1',
      shape: 'separate',
      services: ['payer', 'payee'],
      hubUrl: ttk.fspiopUrl,
      payerPort: 0,
      payeePort: 0,
      log: () => {},
    });
    payerCallbacks = `${sim.urls.payer}/dfsp/payerfsp`;
    const current = await ttk.config();
    const cfg = await ttk.config({
      CALLBACK_ENDPOINT: payerCallbacks,
      CALLBACK_RESOURCE_ENDPOINTS: { ...(current.CALLBACK_RESOURCE_ENDPOINTS as object), enabled: false },
    });
    expect(cfg).toMatchObject({
      CALLBACK_ENDPOINT: payerCallbacks,
      FSPID: 'payeefsp',
      ILP_SECRET: 'mojaloop-sdk',
      HUB_ONLY_MODE: false,
      VERSIONING_SUPPORT_ENABLE: true,
      TRANSFERS_VALIDATION_ILP_PACKET: true,
      TRANSFERS_VALIDATION_CONDITION: true,
      TRANSFERS_VALIDATION_WITH_PREVIOUS_QUOTES: false,
      VALIDATE_INBOUND_JWS: false,
    });
    await ttk.setRules('callback', harnessCallbackRules(await ttk.rules('callback')));
  }, 120_000);

  afterAll(async () => {
    client.close();
    await sim?.close();
    if (ttk) {
      rss.push(ttk.rssBytes() ?? 0);
      console.log(
        `${FILE}: TTK started in ${ttk.startMs} ms; RSS ${(rss[0]! / 2 ** 20).toFixed(0)} MB after start, ` +
          `${(rss[1]! / 2 ** 20).toFixed(0)} MB at the end`,
      );
      await ttk.stop();
    }
  });

  beforeEach(async () => {
    await ttk.clearHistory();
  });

  const env = (extra: Env): Env => ({
    HUB_URL: ttk.fspiopUrl,
    RELAY_URL: sim.relayUrl,
    TIMEOUT_MS: '6000',
    ...extra,
  });

  /**
   * TTK's decisions on this run's transfers. Its callbacks for every transfer it accepted are
   * waited for (up to `waitMs`): error callbacks are slow (seconds for ISO 20022), and a report
   * must show what TTK decided, not what it had got round to.
   */
  async function view(run: KitRun, waitMs = 6000): Promise<TtkView> {
    const accepted = run.results.filter((r) => r.accepted).map((r) => r.transferId);
    const v = ttkView(run.ids, await historyWith(() => ttk.history(), accepted, waitMs), (id) =>
      run.sync
        .get(id)
        ?.filter((a) => a.name === 'POST /transfers')
        .at(-1),
    );
    // Harness check: TTK's callbacks went to the payer DFSP's callback endpoint.
    for (const [id, cbs] of v.callbacks) {
      for (const cb of cbs)
        expect(cb.url).toMatch(new RegExp(`^${payerCallbacks}/transfers/${id}(/error)?$`));
    }
    return v;
  }

  describe('transfers, collect mode (the collector reads outcomes from the relay)', () => {
    it.each(APIS)('%s: every transfer commits and the kit counts what TTK decided', async (_name, api) => {
      const run = await runCollect({
        setup: kitSetup('transfers', env(api), RUNNER),
        client,
        count: 5,
        tps: TPS,
      });
      expectConformingRun(run, await view(run), 5);
    });

    it.each([
      ['FSPIOP 1.1', APIS[1]![1]],
      ['ISO 20022', APIS[3]![1]],
    ])('%s with ILP_MODE=per-transfer: every transfer commits', async (_name, api) => {
      const run = await runCollect({
        setup: kitSetup('transfers', env({ ...api, ILP_MODE: 'per-transfer' }), RUNNER),
        client,
        count: 5,
        tps: TPS,
      });
      expectConformingRun(run, await view(run), 5);
    });

    it.each(DEFAULTS_APIS)(
      '%s with the kit defaults (ID_KIND, ILP_VERSION, ILP_MODE unset): every transfer commits',
      async (_name, api) => {
        const run = await runCollect({
          setup: kitSetup('transfers', env(api), RUNNER),
          client,
          count: 3,
          tps: TPS,
        });
        expectConformingRun(run, await view(run), 3);
      },
    );

    it("FSPIOP 1.1 with TTK's shipped callback rules (schema-faker callbacks): every transfer commits", async () => {
      await ttk.activateRules('callback', 'default.json');
      try {
        const run = await runCollect({
          setup: kitSetup('transfers', env(APIS[1]![1]), RUNNER),
          client,
          count: 3,
          tps: TPS,
        });
        expectConformingRun(run, await view(run), 3);
      } finally {
        await ttk.activateRules('callback', 'harness.json');
      }
    });
  });

  describe('transfers, wait mode (each transfer waits for its outcome)', () => {
    it.each(APIS)('%s: every transfer commits and the kit counts what TTK decided', async (_name, api) => {
      const run = await runWait({
        setup: kitSetup('transfers', env({ ...api, MODE: 'wait' }), RUNNER),
        client,
        count: 3,
        tps: TPS,
      });
      expectConformingRun(run, await view(run), 3);
      for (const r of run.results.filter((x) => x.outcome.kind === 'committed')) {
        expect.soft(r.phaseMs.transfers, 'a committed transfer carries its phase time').toBe(r.e2eMs);
      }
    });
  });

  describe('e2e (parties → quotes → transfers)', () => {
    it.each(APIS.slice(0, 3))(
      "%s: every flow commits with TTK's quote terms, each phase timed",
      async (_name, api) => {
        const run = await runE2e({ setup: kitSetup('e2e', env(api), RUNNER), client, count: 2, tps: TPS });
        const v = await view(run);
        expectConformingRun(run, v, 2);
        const requests = await ttk.requests();
        const history = await ttk.history();
        for (const r of run.results) {
          expect.soft(r.phase, `flow ${r.transferId} ends in the transfers phase`).toBe('transfers');
          if (r.outcome.kind === 'committed') {
            expect.soft(Object.keys(r.phaseMs).sort()).toEqual(['parties', 'quotes', 'transfers']);
          }
          // The transfer carried the quote's terms: TTK's packet and condition, as TTK handed them out.
          const bodyOf = (name: string) =>
            run.requests
              .filter((q) => q.name === name && q.body?.includes(r.transferId))
              .map((q) => JSON.parse(q.body!) as Record<string, unknown>)[0];
          const quote = bodyOf('POST /quotes');
          const transfer = bodyOf('POST /transfers');
          const quoteCb = history.find((c) => c.path === `/quotes/${quote?.quoteId}`);
          if (transfer && quoteCb) {
            const q = quoteCb.body as { ilpPacket: string; condition: string };
            expect.soft(transfer.ilpPacket, 'the transfer carries the quote’s ILP packet').toBe(q.ilpPacket);
            expect.soft(transfer.condition, 'the transfer carries the quote’s condition').toBe(q.condition);
          }
        }
        // TTK saw every phase's request pass its validation.
        const seen = requests.map((q) => `${q.method} ${q.path}`);
        expect.soft(seen.filter((s) => s.startsWith('get /parties/MSISDN/')).length).toBe(2);
        expect.soft(seen.filter((s) => s === 'post /quotes').length).toBe(2);
        expect.soft(seen.filter((s) => s === 'post /transfers').length).toBe(2);
      },
    );
  });

  describe('harness self-checks: TTK validates, and the kit counts its decisions', () => {
    const body = (req: HttpRequest): Record<string, unknown> => JSON.parse(req.body!);
    const withBody = (req: HttpRequest, b: unknown): HttpRequest => ({ ...req, body: JSON.stringify(b) });

    it.each([CONFORMANCE_APIS[1]!, CONFORMANCE_APIS[3]!])(
      '%s, an amount other than the ILP packet’s: TTK aborts with 3106, and the kit counts 3106 rejections',
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
        const v = await view(run, 20_000);
        expect(plain(v.decided)).toEqual(Object.fromEntries(run.ids.map((id) => [id, 'ABORTED 3106'])));
        expect.soft(plain(run.kit), 'the kit counts TTK’s 3106').toEqual(plain(v.decided));
        expect.soft(run.accounting).toMatchObject({
          sent: n,
          committed: 0,
          rejected: n,
          rejectedAsync: n,
          rejectedByCode: { '3106': n },
          timedOut: 0,
          balanced: true,
        });
      },
    );

    it('FSPIOP 1.1, a condition that is not the (valid) packet’s: TTK aborts with 3106 “Condition can not be validated.”', async () => {
      const run = await runCollect({
        setup: kitSetup('transfers', env(APIS[1]![1]), RUNNER),
        client,
        count: 2,
        tps: TPS,
        tamper: (req) =>
          withBody(req, { ...body(req), condition: createHash('sha256').update('x').digest('base64url') }),
      });
      const v = await view(run);
      expect(plain(v.decided)).toEqual(Object.fromEntries(run.ids.map((id) => [id, 'ABORTED 3106'])));
      for (const cbs of v.callbacks.values()) {
        expect(cbs.map((c) => (c.body as { errorInformation: unknown }).errorInformation)).toEqual([
          { errorCode: '3106', errorDescription: 'Condition can not be validated.' },
        ]);
      }
      expect.soft(plain(run.kit), 'the kit counts TTK’s 3106').toEqual(plain(v.decided));
      expect
        .soft(run.accounting)
        .toMatchObject({ sent: 2, rejectedByCode: { '3106': 2 }, timedOut: 0, balanced: true });
    });

    it('a body TTK’s API definition refuses: a synchronous 400 3100, counted as a sync rejection', async () => {
      const run = await runCollect({
        setup: kitSetup('transfers', env(APIS[1]![1]), RUNNER),
        client,
        count: 2,
        tps: TPS,
        tamper: (req) => {
          const { payeeFsp: _drop, ...rest } = body(req);
          return withBody(req, rest);
        },
      });
      const v = await view(run);
      expect(plain(v.decided)).toEqual(Object.fromEntries(run.ids.map((id) => [id, 'sync 400 3100'])));
      expect(plain(run.kit)).toEqual(plain(v.decided));
      expect(run.answers[0]!.body).toMatch(/"errorCode":"3100".*payeeFsp/);
      expect(run.accounting).toMatchObject({
        sent: 2,
        accepted: 0,
        rejectedSync: 2,
        timedOut: 0,
        balanced: true,
      });
    });
  });
});
