/**
 * Every FSPIOP body the core builds, validated against the published JSON schemas of
 * `@mojaloop/api-snippets` (v2.0, and v1.1 from its bundled OpenAPI document) over generated cases.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  errorBody,
  P2P_TRANSACTION_TYPE,
  partiesPath,
  partiesPutBody,
  party,
  quotesPostBody,
  quotesPutBody,
  transferFulfilBody,
  transferPatchBody,
  transfersPostBody,
} from '../../../lib/protocol/bodies.ts';
import { canonicalJson } from '../../../lib/protocol/canonical-json.ts';
import { ulid, uuidV4 } from '../../../lib/protocol/ids.ts';
import { transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { fspiopDateTime } from '../../../lib/protocol/patterns.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { fspIdArb, ilpMoneyArb, msisdnArb } from './arbitraries.ts';
import { fspiopV2Schemas, fspiopV11Schemas, type SchemaSet } from './schemas.ts';

let v2: SchemaSet;
let v11: SchemaSet;
beforeAll(() => {
  v2 = fspiopV2Schemas();
  v11 = fspiopV11Schemas();
});

const RUNS = 200;
const perTransfer = transferMaterialBuilder({ crypto: nodeCrypto });
const fixed = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed' });

const idKindArb = fc.constantFrom('ulid', 'uuid');
const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2100, 0, 1) });
const newIdOf = (kind: string, at: number, runner: number) =>
  kind === 'ulid' ? ulid(at, runner, nodeCrypto) : uuidV4(runner, nodeCrypto);

describe('POST /transfers', () => {
  it('property: per-transfer and fixed-packet bodies validate (v2.0 always; v1.1 exactly when the id is a UUID)', () => {
    fc.assert(
      fc.property(
        idKindArb,
        fc.integer({ min: 0, max: 1023 }),
        fspIdArb,
        fspIdArb,
        msisdnArb,
        ilpMoneyArb,
        instantArb,
        fc.boolean(),
        (kind, runner, payerFsp, payeeFsp, msisdn, money, at, useFixed) => {
          const transferId = newIdOf(kind, at, runner);
          const spec = {
            transferId,
            payerFsp,
            payeeFsp,
            payerMsisdn: msisdn,
            payeeMsisdn: msisdn,
            amount: money.amount,
            currency: money.currency,
            expiration: fspiopDateTime(at + 30_000),
          };
          const m = (useFixed ? fixed : perTransfer)(spec);
          // What goes on the wire is the JSON text: validate its parse, as the hub does.
          const wire = JSON.parse(JSON.stringify(m.body));
          v2.assertValid('TransfersPostRequest', wire);
          const e11 = v11.errors('TransfersPostRequest', wire);
          if (kind === 'uuid') expect(e11).toBeUndefined();
          else expect(e11).toMatch(/transferId/);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('refuses what the hub would reject, naming the field', () => {
    const base = {
      transferId: ulid(Date.UTC(2026, 0, 1), 0, nodeCrypto),
      payerFsp: 'a',
      payeeFsp: 'b',
      amount: '1',
      currency: 'USD',
      ilpPacket: 'AAAA',
      condition: 'GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA',
      expiration: '2030-01-01T00:00:00.000Z',
    };
    expect(() => transfersPostBody(base)).not.toThrow();
    for (const amount of ['1.0', '01', '1.12345', '1234567890123456789', '-1', '1e3', ' 1', '']) {
      expect(() => transfersPostBody({ ...base, amount })).toThrow(
        /^amount\.amount: expected an FSPIOP amount/,
      );
    }
    expect(() => transfersPostBody({ ...base, currency: 'usd' })).toThrow(/^amount\.currency/);
    for (const expiration of ['2030-01-01T00:00:00Z', '2030-01-01', '2030-01-01T00:00:00.00Z', 'soon']) {
      expect(() => transfersPostBody({ ...base, expiration })).toThrow(
        /^expiration: expected an FSPIOP DateTime with milliseconds/,
      );
    }
    expect(() => transfersPostBody({ ...base, transferId: base.transferId.toLowerCase() })).toThrow(
      /^transferId/,
    );
  });
});

describe('payee and hub callbacks', () => {
  it('property: PUT /transfers/{ID} (COMMITTED, RESERVED) and PATCH validate in v2.0 and v1.1', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        instantArb,
        fc.constantFrom('COMMITTED', 'RESERVED') as fc.Arbitrary<'COMMITTED' | 'RESERVED'>,
        fc.constantFrom('COMMITTED', 'ABORTED') as fc.Arbitrary<'COMMITTED' | 'ABORTED'>,
        (f, at, state, patchState) => {
          const fulfil = transferFulfilBody({
            fulfilment: Buffer.from(f).toString('base64url'),
            completedTimestamp: fspiopDateTime(at),
            transferState: state,
          });
          v2.assertValid('TransfersIDPutResponse', fulfil);
          v11.assertValid('TransfersIDPutResponse', fulfil);
          const patch = transferPatchBody({
            completedTimestamp: fspiopDateTime(at),
            transferState: patchState,
          });
          v2.assertValid('TransfersIDPatchResponse', patch);
          v11.assertValid('TransfersIDPatchResponse', patch);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a payee cannot fulfil with ABORTED (the hub ignores it; reject with /error instead)', () => {
    expect(() =>
      transferFulfilBody({
        fulfilment: 'V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0',
        completedTimestamp: '2030-01-01T00:00:00.000Z',
        transferState: 'ABORTED' as 'COMMITTED',
      }),
    ).toThrow(/transferState/);
  });

  it('property: error bodies validate; descriptions are cut to 128 characters', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[1-9][0-9]{3}$/),
        fc.string({ maxLength: 300 }),
        (code, description) => {
          const body = errorBody(code, description);
          v2.assertValid('ErrorInformationObject', body);
          v11.assertValid('ErrorInformationObject', body);
          expect(body.errorInformation.errorDescription.length).toBeLessThanOrEqual(128);
        },
      ),
      { numRuns: RUNS },
    );
    expect(() => errorBody('0100', 'x')).toThrow(/errorCode/);
    expect(() => errorBody('31000', 'x')).toThrow(/errorCode/);
  });
});

describe('quotes and parties', () => {
  it('property: POST /quotes, PUT /quotes/{ID} and PUT /parties validate', () => {
    fc.assert(
      fc.property(
        idKindArb,
        fspIdArb,
        fspIdArb,
        msisdnArb,
        msisdnArb,
        ilpMoneyArb,
        instantArb,
        fc.option(fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,40}$/), { nil: undefined }),
        (kind, payerFsp, payeeFsp, payerMsisdn, payeeMsisdn, money, at, name) => {
          const payer = party({ idValue: payerMsisdn, fspId: payerFsp, name });
          const payee = party({ idValue: payeeMsisdn, fspId: payeeFsp });
          const quote = quotesPostBody({
            quoteId: newIdOf(kind, at, 1),
            transactionId: newIdOf(kind, at, 1),
            payer,
            payee,
            amount: money.amount,
            currency: money.currency,
            expiration: fspiopDateTime(at + 60_000),
            note: 'load test',
          });
          v2.assertValid('QuotesPostRequest', quote);
          if (kind === 'uuid') v11.assertValid('QuotesPostRequest', quote);
          const m = perTransfer({
            transferId: quote.transactionId,
            quoteId: quote.quoteId,
            payerFsp,
            payeeFsp,
            payer,
            payee,
            amount: money.amount,
            currency: money.currency,
            expiration: quote.expiration!,
          });
          const put = quotesPutBody({
            transferAmount: money.amount,
            currency: money.currency,
            expiration: quote.expiration!,
            ilpPacket: m.ilpPacket,
            condition: m.condition,
            payeeFspFee: '1',
          });
          v2.assertValid('QuotesIDPutResponse', put);
          v11.assertValid('QuotesIDPutResponse', put);
          v2.assertValid('PartiesTypeIDPutResponse', partiesPutBody(payee));
          v11.assertValid('PartiesTypeIDPutResponse', partiesPutBody(payer));
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('parties paths', () => {
    expect(partiesPath('MSISDN', '27710000001')).toBe('/parties/MSISDN/27710000001');
    expect(partiesPath('ACCOUNT_ID', 'abc', 'x1')).toBe('/parties/ACCOUNT_ID/abc/x1');
    expect(() => partiesPath('MSISDN', 'a/b')).toThrow(/parties id/);
    expect(() => partiesPath('MSISDN', '')).toThrow(/parties id/);
  });
});

describe('ILP transaction object', () => {
  it('is the SDK shape: the v2.0 Transaction schema accepts it once `expiration` is dropped, and not with it', () => {
    const m = perTransfer({
      transferId: ulid(Date.UTC(2026, 0, 1), 2, nodeCrypto),
      payerFsp: 'payerfsp',
      payeeFsp: 'payeefsp',
      payerMsisdn: '27710000001',
      payeeMsisdn: '27720000001',
      amount: '10.5',
      currency: 'USD',
      expiration: '2030-01-01T00:00:00.000Z',
      note: 'hello',
    });
    const tx = JSON.parse(JSON.stringify(m.transaction));
    expect(Object.keys(tx).sort()).toEqual([
      'amount',
      'expiration',
      'note',
      'payee',
      'payer',
      'quoteId',
      'transactionId',
      'transactionType',
    ]);
    expect(tx.transactionType).toEqual(P2P_TRANSACTION_TYPE);
    expect(v2.errors('Transaction', tx)).toMatch(/additional properties/);
    const { expiration: _e, ...specShape } = tx;
    v2.assertValid('Transaction', specShape);
  });

  it('canonical JSON sorts keys at every level and otherwise equals JSON.stringify', () => {
    /** Reference: sorted keys written by hand, nothing else (what safe-stable-stringify does). */
    const ref = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : ref(x))).join(',')}]`;
      if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const parts = Object.keys(o)
          .sort()
          .filter((k) => o[k] !== undefined)
          .map((k) => `${JSON.stringify(k)}:${ref(o[k])}`);
        return `{${parts.join(',')}}`;
      }
      return JSON.stringify(v);
    };
    const keyed = fc.dictionary(
      fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('0', '10', '2', 'a', 'B', 'é', '__proto__')),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), keyed, fc.array(keyed, { maxLength: 3 })), (v) => {
        const text = canonicalJson(v);
        expect(text).toBe(ref(v));
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(v) ?? 'null'));
        const sortedAgain = canonicalJson(JSON.parse(text));
        expect(sortedAgain).toBe(text);
      }),
      { numRuns: 300 },
    );
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    );
    // An own "__proto__" key stays a key in the reordered copy; integer-like keys sort as text.
    expect(canonicalJson(JSON.parse('{"z":1,"__proto__":{"b":1,"a":2}}'))).toBe(
      '{"__proto__":{"a":2,"b":1},"z":1}',
    );
    expect(canonicalJson({ b: 1, 10: 'x', 2: 'y' })).toBe('{"10":"x","2":"y","b":1}');
  });
});
