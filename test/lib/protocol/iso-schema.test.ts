/**
 * ISO 20022 transfer bodies against the published v2.0 ISO 20022 JSON schemas of
 * `@mojaloop/api-snippets` (18 MB: parsed once here, only four schemas compiled).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ulid, uuidV4 } from '../../../lib/protocol/ids.ts';
import {
  isoTransferErrorBody,
  isoTransferFulfilBody,
  isoTransferPatchBody,
  isoTransfersPostBody,
  transferFromIso,
} from '../../../lib/protocol/iso20022.ts';
import { transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { fspiopDateTime, ISO_AMOUNT } from '../../../lib/protocol/patterns.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { fspIdArb, ilpMoneyArb, msisdnArb } from './arbitraries.ts';
import { type IsoSchemaSet, isoChoiceRepairs, isoSchemas } from './schemas.ts';

const POST = 'Execute_FIToFICustomerCreditTransferV13';
const STATUS = 'PacsStatus_FIToFIPaymentStatusReportV15';
const ERROR = 'PacsError_FIToFIPaymentStatusReportV15';
/** A choice type on its own (Dbtr.Id / Cdtr.Id), small enough to compile twice. */
const CHOICE = 'Party52Choice';

let iso: IsoSchemaSet;
beforeAll(() => {
  iso = isoSchemas([POST, STATUS, ERROR, CHOICE]);
});

const perTransfer = transferMaterialBuilder({ crypto: nodeCrypto });
const fixed = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed' });
const instantArb = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2100, 0, 1) });

describe('ISO 20022 schemas as published', () => {
  it('reject every choice element, so the tests repair them (additionalProperties moved into each branch)', () => {
    expect(isoChoiceRepairs).toBeGreaterThan(0);
    const m = perTransfer({
      transferId: ulid(Date.UTC(2026, 0, 1), 0, nodeCrypto),
      payerFsp: 'payerfsp',
      payeeFsp: 'payeefsp',
      amount: '2',
      currency: 'XXX',
      expiration: '2030-01-01T00:00:00.000Z',
    });
    const body = isoTransfersPostBody(m.body, {
      msgId: ulid(Date.UTC(2026, 0, 1), 0, nodeCrypto),
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    // As published, the choice type refuses the very element it offers.
    const orgId = { OrgId: { Othr: { Id: 'payerfsp' } } };
    const raw = iso.raw(CHOICE);
    expect(raw(orgId)).toBe(false);
    expect(raw.errors?.[0]?.keyword).toBe('additionalProperties');
    iso.assertValid(CHOICE, orgId);
    expect(iso.errors(CHOICE, { ...orgId, PrvtId: {} })).toBeDefined();
    iso.assertValid(POST, body);
    // The repair still refuses a second choice branch or a foreign element.
    const both = structuredClone(body) as unknown as {
      CdtTrfTxInf: { VrfctnOfTerms: Record<string, string> };
    };
    both.CdtTrfTxInf.VrfctnOfTerms.Sh256Sgntr = m.condition;
    both.CdtTrfTxInf.VrfctnOfTerms.Other = 'x';
    expect(iso.errors(POST, both)).toBeDefined();
  });
});

describe('ISO 20022 transfer bodies', () => {
  it('property: pacs.008 POST validates and maps back to the FSPIOP body, condition decoded from the packet', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1023 }),
        fspIdArb,
        fspIdArb,
        msisdnArb,
        ilpMoneyArb.filter((m) => ISO_AMOUNT.test(m.amount)),
        instantArb,
        fc.boolean(),
        (runner, payerFsp, payeeFsp, msisdn, money, at, useFixed) => {
          const transferId = ulid(at, runner, nodeCrypto);
          const m = (useFixed ? fixed : perTransfer)({
            transferId,
            payerFsp,
            payeeFsp,
            payerMsisdn: msisdn,
            payeeMsisdn: msisdn,
            amount: money.amount,
            currency: money.currency,
            expiration: fspiopDateTime(at + 60_000),
          });
          const body = isoTransfersPostBody(m.body, {
            msgId: ulid(at, runner, nodeCrypto),
            createdAt: fspiopDateTime(at),
          });
          const wire = JSON.parse(JSON.stringify(body));
          iso.assertValid(POST, wire);
          expect(transferFromIso(wire)).toEqual({ ok: true, value: JSON.parse(JSON.stringify(m.body)) });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('property: pacs.002 PUT (COMM/RESV), PATCH (COMM/ABOR) and PacsError validate', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        instantArb,
        fc.constantFrom('COMMITTED', 'RESERVED') as fc.Arbitrary<'COMMITTED' | 'RESERVED'>,
        fc.constantFrom('COMMITTED', 'ABORTED') as fc.Arbitrary<'COMMITTED' | 'ABORTED'>,
        fc.stringMatching(/^[1-9][0-9]{3}$/),
        fc.string({ maxLength: 200 }),
        (f, at, state, patchState, code, description) => {
          const h = { msgId: ulid(at, 5, nodeCrypto), createdAt: fspiopDateTime(at) };
          const put = isoTransferFulfilBody({
            ...h,
            fulfilment: Buffer.from(f).toString('base64url'),
            completedTimestamp: fspiopDateTime(at),
            transferState: state,
          });
          iso.assertValid(STATUS, put);
          expect(put.TxInfAndSts?.TxSts).toBe(state === 'COMMITTED' ? 'COMM' : 'RESV');
          iso.assertValid(
            STATUS,
            isoTransferPatchBody({ ...h, completedTimestamp: fspiopDateTime(at), transferState: patchState }),
          );
          const err = isoTransferErrorBody({ ...h, errorCode: code, errorDescription: description });
          iso.assertValid(ERROR, err);
          expect(err.TxInfAndSts?.StsRsnInf?.AddtlInf?.length).toBeLessThanOrEqual(105);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses what ISO mode cannot carry, naming the field', () => {
    const m = perTransfer({
      transferId: uuidV4(1, nodeCrypto),
      payerFsp: 'a',
      payeeFsp: 'b',
      amount: '1',
      currency: 'USD',
      expiration: '2030-01-01T00:00:00.000Z',
    });
    const h = { msgId: 'M1', createdAt: '2026-01-01T00:00:00.000Z' };
    expect(() => isoTransfersPostBody(m.body, h)).toThrow(
      /^transferId: ISO 20022 mode needs an upper-case ULID/,
    );
    const big = {
      ...m.body,
      transferId: ulid(0, 0, nodeCrypto),
      amount: { currency: 'XXX' as const, amount: '123456789012345.1234' },
    };
    expect(() => isoTransfersPostBody(big, h)).toThrow(/^amount\.amount: ISO 20022 allows at most 18 digits/);
    expect(() =>
      isoTransfersPostBody(
        { ...big, amount: { currency: 'XXX', amount: '1' } },
        { ...h, msgId: 'x'.repeat(36) },
      ),
    ).toThrow(/^msgId/);
    expect(transferFromIso({ CdtTrfTxInf: {} })).toEqual({
      ok: false,
      error: 'missing CdtTrfTxInf.PmtId.TxId',
    });
    expect(transferFromIso('nope').ok).toBe(false);
  });
});
