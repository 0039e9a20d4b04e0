/**
 * The kit's ILP against the Mojaloop SDKs' own ILP code, `@mojaloop/sdk-standard-components` (SSC,
 * from conformance/node_modules; the file reports itself skipped when it is not installed):
 *
 * - for the same transaction object and secret, the kit's v1 and v4 packets, conditions and
 *   fulfilments are SSC's, byte for byte; SSC validates the kit's fulfilments, regenerates them
 *   from the packets (what a payee does) and decodes the transaction objects back;
 * - every POST /transfers body the kit's flows build, in fixed and per-transfer mode, v1 and v4,
 *   FSPIOP and ISO 20022, passes SSC's `validateIlpAgainstTransferRequest` (what the Testing
 *   Toolkit's packet check runs; 3106 otherwise) and its condition check;
 * - the simulator's payee derives SSC's fulfilment from SSC's packets (v1 and v4, built the SDK's
 *   way from a quote), and such a transfer commits at the simulated hub.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Env, parseRunConfig } from '../../lib/config/run-config.ts';
import { checkedFixedIlp, fixedIlpConfig, fixedIlpSpecs, prepareFlows } from '../../lib/flows/plan.ts';
import { prepareTransfer } from '../../lib/flows/transfer-post.ts';
import { party } from '../../lib/protocol/bodies.ts';
import { ulid } from '../../lib/protocol/ids.ts';
import { ilpSecretKey } from '../../lib/protocol/ilp.ts';
import { transferFromIso } from '../../lib/protocol/iso20022.ts';
import {
  fixedIlpPairs,
  type IlpVersion,
  ilpOfTransaction,
  transferMaterialBuilder,
} from '../../lib/protocol/material.ts';
import { transactionJson, transactionObject } from '../../lib/protocol/transaction.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { deriveFulfilment } from '../../sim/fspiop/fulfil.ts';
import type { SimulatorHandle } from '../../sim/simulator.ts';
import { fspIdArb, ilpMoneyArb, instantArb, msisdnArb } from '../lib/protocol/arbitraries.ts';
import { postTransfer, startSim, waitOutcome } from '../sim/helpers.ts';
import { loadSscOracle, reportSkip, type SscOracle } from '../support/ssc-oracle.ts';

const FILE = 'test/conformance/ilp-sdk.test.ts';
const loaded = loadSscOracle();
const skip = 'skip' in loaded ? loaded.skip : undefined;
if (skip) reportSkip(FILE, skip);
const ssc = (): SscOracle => (loaded as { oracle: SscOracle }).oracle;
const VERSIONS: readonly IlpVersion[] = ['v1', 'v4'];

const secretArb = fc.oneof(
  fc.constant('mojaloop-sdk'),
  fc.string({ minLength: 1, maxLength: 30, unit: 'grapheme' }),
);
const idTypeArb = fc.constantFrom(
  'MSISDN',
  'ACCOUNT_ID',
  'EMAIL',
  'PERSONAL_ID',
  'BUSINESS',
  'IBAN',
  'ALIAS',
);
/** Party ids in any case (v1 lower-cases them in the address), with the odd non-ASCII one. */
const partyIdArb = fc.oneof(
  msisdnArb,
  fc.stringMatching(/^[A-Za-z0-9@._-]{1,40}$/),
  fc.string({ minLength: 1, maxLength: 20, unit: 'grapheme' }),
);
const partyArb = (fspId: fc.Arbitrary<string>) =>
  fc
    .record({
      idType: idTypeArb,
      idValue: partyIdArb,
      fspId,
      subIdOrType: fc.option(fc.stringMatching(/^[A-Za-z0-9]{1,10}$/), { nil: undefined }),
      name: fc.option(fc.string({ maxLength: 20 }), { nil: undefined }),
    })
    .map((p) => party(p as Parameters<typeof party>[0]));

/** A transaction object as the kit builds it, and the same object as parsed JSON (what SSC gets). */
const transactionArb = fc
  .record({
    money: ilpMoneyArb,
    payer: partyArb(fspIdArb),
    payee: partyArb(fspIdArb),
    at: instantArb.filter((t) => t >= Date.UTC(1971, 0, 1)),
    note: fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: undefined }),
    id: fc.uuid(),
  })
  .map((r) =>
    transactionObject({
      quoteId: r.id,
      transactionId: r.id.replace(/^./, 'a'),
      transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
      payer: r.payer,
      payee: r.payee,
      expiration: new Date(r.at).toISOString(),
      amount: r.money.amount,
      currency: r.money.currency,
      note: r.note,
    }),
  );

describe.skipIf(!!skip)('the kit against sdk-standard-components', () => {
  it('is the expected oracle: SSC 19 with ilp-packet 2.2.0', () => {
    expect(ssc().version).toMatch(/^19\./);
    expect(ssc().ilpPacketV1Version).toBe('2.2.0');
  });

  it.each(VERSIONS)(
    '%s property: packet, condition and fulfilment equal SSC getResponseIlp; SSC validates, regenerates and decodes them',
    (version) => {
      fc.assert(
        fc.property(transactionArb, secretArb, (tx, secret) => {
          const sdk = ssc().ilp(version, secret);
          const ours = ilpOfTransaction(version, tx, ilpSecretKey(secret), nodeCrypto);
          // SSC serialises the object it is given (old SSC in its key order): give it ours, parsed.
          const object = JSON.parse(transactionJson(tx));
          expect(ours).toEqual(sdk.getResponseIlp(object));
          expect(sdk.validateFulfil(ours.fulfilment, ours.condition)).toBe(true);
          expect(sdk.calculateConditionFromFulfil(ours.fulfilment)).toBe(ours.condition);
          expect(sdk.calculateFulfil(ours.ilpPacket)).toBe(ours.fulfilment);
          expect(sdk.getTransactionObject(ours.ilpPacket)).toEqual(object);
        }),
        { numRuns: 150 },
      );
    },
  );

  it('a packet of the other version is refused by SSC (the version must match the peer)', () => {
    const tx = fc.sample(transactionArb, { numRuns: 1, seed: 7 })[0]!;
    for (const version of VERSIONS) {
      const other = ssc().ilp(version === 'v1' ? 'v4' : 'v1', 'mojaloop-sdk');
      const ours = ilpOfTransaction(version, tx, ilpSecretKey('mojaloop-sdk'), nodeCrypto);
      expect(() => other.getTransactionObject(ours.ilpPacket)).toThrow(/incorrect type/);
    }
  });

  describe('every body the flows build passes validateIlpAgainstTransferRequest and the condition check', () => {
    const pool = {
      dfsps: [
        { id: 'payerfsp', msisdn: { first: '27710000000', count: 1000 } },
        { id: 'payeefsp', msisdn: { first: '27720000000', count: 1000 } },
        { id: 'DFSP-C', msisdn: { first: '44700000000', count: 10 } },
      ],
      pairs: [
        { payer: 'payerfsp', payee: 'payeefsp', weight: 3 },
        { payer: 'payeefsp', payee: 'payerfsp', weight: 1 },
        { payer: 'DFSP-C', payee: 'payeefsp', weight: 1 },
        { payer: 'payerfsp', payee: 'DFSP-C', weight: 1 },
      ],
    };
    const configOf = (env: Env) =>
      parseRunConfig('transfers', { CONFIG: 'pool.json', ...env }, () => JSON.stringify(pool));
    const cases: Array<[string, Env]> = [];
    for (const mode of ['fixed', 'per-transfer']) {
      for (const version of VERSIONS) {
        cases.push([
          `FSPIOP ILP_MODE=${mode} ILP_VERSION=${version}`,
          { ILP_MODE: mode, ILP_VERSION: version },
        ]);
      }
      cases.push([`ISO 20022 ILP_MODE=${mode}`, { ILP_MODE: mode, API: 'iso20022' }]);
    }
    const moneyArb = ilpMoneyArb.filter((m) => m.amount !== '0' && m.amount.replace(/\./, '').length <= 18);

    it.each(cases)('%s', (_name, env) => {
      fc.assert(
        fc.property(moneyArb, fc.integer(), secretArb, (money, seed, secret) => {
          const config = configOf({ ...env, AMOUNT: money.amount, CURRENCY: money.currency });
          if (secret !== 'mojaloop-sdk') (config as { ilpSecret: string }).ilpSecret = secret;
          const sdk = ssc().ilp(config.ilpVersion, config.ilpSecret);
          let x = seed >>> 0 || 1;
          const random = () => {
            x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
            return x / 2 ** 32;
          };
          const ctx = { now: () => Date.UTC(2030, 0, 1), random, crypto: nodeCrypto, runner: 1 };
          const plans = [prepareFlows(config, nodeCrypto)];
          if (config.ilpMode === 'fixed') {
            // The k6 way: pairs computed by the coordinator, handed to the VUs as JSON (setup data).
            const handed = JSON.parse(JSON.stringify(checkedFixedIlp(config, nodeCrypto)));
            plans.push(prepareFlows(config, nodeCrypto, handed));
          }
          for (const plan of plans) {
            for (let i = 0; i < 6; i++) {
              const body = JSON.parse(prepareTransfer(plan, ctx).request.body!);
              // TTK's ISO mode checks {payerFsp, payeeFsp, amount} mapped from the pacs.008.
              const view = config.api === 'iso20022' ? iso(body) : body;
              expect(view.amount).toEqual({ amount: money.amount, currency: money.currency });
              expect(sdk.validateIlpAgainstTransferRequest(view)).toBe(true);
              expect(sdk.validateFulfil(sdk.calculateFulfil(view.ilpPacket), view.condition)).toBe(true);
            }
          }
        }),
        { numRuns: 25 },
      );
    });

    // Before: ILP_MODE=fixed sent one packet naming payer "payer", payee "payee", 1 XXX.
    it('fixed mode: each pair of the pool has its own packet naming that pair', () => {
      const config = configOf({ ILP_MODE: 'fixed', AMOUNT: '10.5', CURRENCY: 'USD' });
      const pairs = fixedIlpPairs(fixedIlpConfig(config, nodeCrypto), fixedIlpSpecs(config));
      expect(new Set(pairs.map((p) => p.ilpPacket)).size).toBe(pool.pairs.length);
      const sdk = ssc().ilp('v1', config.ilpSecret);
      pairs.forEach((p, i) => {
        const tx = sdk.getTransactionObject(p.ilpPacket) as {
          payer: { partyIdInfo: { fspId: string; partyIdentifier: string } };
          payee: { partyIdInfo: { fspId: string } };
          amount: unknown;
        };
        expect(tx.payer.partyIdInfo.fspId).toBe(pool.pairs[i]!.payer);
        expect(tx.payee.partyIdInfo.fspId).toBe(pool.pairs[i]!.payee);
        expect(tx.payer.partyIdInfo.partyIdentifier).toBe(
          pool.dfsps.find((d) => d.id === pool.pairs[i]!.payer)!.msisdn.first,
        );
        expect(tx.amount).toEqual({ amount: '10.5', currency: 'USD' });
        expect(sdk.calculateFulfil(p.ilpPacket)).toBe(p.fulfilment);
      });
      // The library-level fixed builder too (no pool: per pair and amount, on first use).
      const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed', ilpVersion: 'v1' });
      const m = build({
        transferId: ulid(Date.UTC(2030, 0, 1), 0, nodeCrypto),
        payerFsp: 'dfspa',
        payeeFsp: 'dfspb',
        amount: '3',
        currency: 'XXX',
        expiration: '2030-01-01T00:00:00.000Z',
      });
      expect(sdk.validateIlpAgainstTransferRequest(m.body)).toBe(true);
    });
  });

  describe("the simulator's payee and hub on SSC's packets", () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
      sim = await startSim();
    });
    afterAll(async () => {
      await sim?.close();
    });

    /** The SDK payee's quote path: transaction object from the quote request and response (DTO order). */
    function sdkQuote(version: IlpVersion, secret: string, amount: string, transferId: string) {
      const quoteRequest = {
        quoteId: transferId.replace(/^./, '0'),
        transactionId: transferId,
        transactionType: { scenario: 'TRANSFER', initiator: 'PAYER', initiatorType: 'CONSUMER' },
        payee: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '27720000001', fspId: 'payeefsp' } },
        payer: { partyIdInfo: { partyIdType: 'MSISDN', partyIdentifier: '27710000001', fspId: 'payerfsp' } },
        amountType: 'SEND',
        amount: { amount, currency: 'XXX' },
      };
      const quoteResponse = {
        transferAmount: { amount, currency: 'XXX' },
        expiration: new Date(Date.now() + 60_000).toISOString(),
      };
      return (
        ssc().ilp(version, secret) as unknown as {
          getQuoteResponseIlp(
            q: unknown,
            r: unknown,
          ): { ilpPacket: string; condition: string; fulfilment: string };
        }
      ).getQuoteResponseIlp(quoteRequest, quoteResponse);
    }

    it.each(VERSIONS)(
      '%s property: the payee derives the fulfilment SSC made, and SSC validates it',
      (version) => {
        fc.assert(
          fc.property(transactionArb, secretArb, (tx, secret) => {
            const sdk = ssc().ilp(version, secret);
            const made = sdk.getResponseIlp(JSON.parse(transactionJson(tx)));
            const derived = deriveFulfilment(made.ilpPacket, ilpSecretKey(secret));
            expect(derived).toEqual({ ok: true, value: made.fulfilment });
            expect(sdk.validateFulfil(made.fulfilment, made.condition)).toBe(true);
          }),
          { numRuns: 100 },
        );
        // SSC's own serialisation (insertion order in 19.18.8 and older) derives the same way.
        const q = sdkQuote(version, 'mojaloop-sdk', '12.5', ulid(Date.now(), 1, nodeCrypto));
        expect(deriveFulfilment(q.ilpPacket, ilpSecretKey('mojaloop-sdk'))).toEqual({
          ok: true,
          value: q.fulfilment,
        });
      },
    );

    it.each(VERSIONS)(
      '%s: a transfer carrying an SDK-made quote packet commits at the simulated hub',
      async (version) => {
        for (const amount of ['1', '99.1234']) {
          const transferId = ulid(Date.now(), 1, nodeCrypto);
          const q = sdkQuote(version, 'mojaloop-sdk', amount, transferId);
          const res = await postTransfer(sim, {
            transferId,
            payerFsp: 'payerfsp',
            payeeFsp: 'payeefsp',
            amount: { amount, currency: 'XXX' },
            ilpPacket: q.ilpPacket,
            condition: q.condition,
            expiration: new Date(Date.now() + 30_000).toISOString(),
          });
          expect(res.status).toBe(202);
          const outcome = await waitOutcome(sim, transferId);
          expect(outcome?.state).toBe('COMMITTED');
        }
      },
    );
  });
});

/** The FSPIOP view of a pacs.008 the Testing Toolkit checks in ISO mode. */
function iso(body: unknown): {
  payerFsp: string;
  payeeFsp: string;
  amount: unknown;
  ilpPacket: string;
  condition: string;
} {
  const t = transferFromIso(body);
  if (!t.ok) throw new Error(t.error);
  return t.value;
}
