/** The transfer-material builder: per-transfer and fixed-packet modes. */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { P2P_TRANSACTION_TYPE, party } from '../../../lib/protocol/bodies.ts';
import { canonicalJson } from '../../../lib/protocol/canonical-json.ts';
import {
  buildIlpV4,
  conditionOfIlpPacket,
  fulfilmentFromIlpPacket,
  ilpSecretKey,
  transactionJsonOfPacket,
} from '../../../lib/protocol/ilp.ts';
import { DEFAULT_ILP_SECRET, transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { transactionJson, transactionObject } from '../../../lib/protocol/transaction.ts';
import { nodeCrypto } from '../../../node/crypto.ts';

const spec = (transferId: string, amount = '10.5') => ({
  transferId,
  payerFsp: 'payerfsp',
  payeeFsp: 'payeefsp',
  payerMsisdn: '27710000001',
  payeeMsisdn: '27720000001',
  amount,
  currency: 'USD',
  expiration: '2030-01-01T00:00:00.000Z',
});
const sha = (f: string) => createHash('sha256').update(Buffer.from(f, 'base64url')).digest('base64url');

describe('per-transfer ILP', () => {
  const build = transferMaterialBuilder({ crypto: nodeCrypto });

  it('one packet per transfer, carrying that transfer; body fields match', () => {
    const a = build(spec('01JBVM14S6SC453EY9XB9GXQB5'));
    const b = build(spec('01JBVM14S6SC453EY9XB9GXQB6'));
    expect(a.ilpPacket).not.toBe(b.ilpPacket);
    expect(a.condition).not.toBe(b.condition);
    expect(a.body.ilpPacket).toBe(a.ilpPacket);
    expect(a.body.condition).toBe(a.condition);
    expect(sha(a.fulfilment!)).toBe(a.condition);
    const tx = JSON.parse((transactionJsonOfPacket(a.ilpPacket) as { value: string }).value);
    expect(tx.transactionId).toBe('01JBVM14S6SC453EY9XB9GXQB5');
    expect(tx.quoteId).toBe('01JBVM14S6SC453EY9XB9GXQB5');
    expect(tx.payer.partyIdInfo).toEqual({
      partyIdType: 'MSISDN',
      partyIdentifier: '27710000001',
      fspId: 'payerfsp',
    });
    expect(tx.payee.partyIdInfo.fspId).toBe('payeefsp');
    expect(tx.amount).toEqual({ amount: '10.5', currency: 'USD' });
    // Deterministic: the same transfer gives the same material (a duplicate resend is identical).
    expect(build(spec('01JBVM14S6SC453EY9XB9GXQB5'))).toEqual(a);
  });

  it('given parties and ids are used as they are', () => {
    const payee = party({ idType: 'ACCOUNT_ID', idValue: 'acc-1', fspId: 'payeefsp', name: 'Bob' });
    const m = build({
      ...spec('01JBVM14S6SC453EY9XB9GXQB5'),
      payee,
      quoteId: '01JBVM14S6SC453EY9XB9GXQB7',
      note: 'n',
    });
    expect(m.transaction?.payee).toBe(payee);
    expect(m.transaction?.quoteId).toBe('01JBVM14S6SC453EY9XB9GXQB7');
    expect(m.transaction?.note).toBe('n');
  });

  it('checks the body fields before any ILP work, naming them', () => {
    expect(() => build(spec('01JBVM14S6SC453EY9XB9GXQB5', '10.50'))).toThrow(/^amount\.amount/);
    expect(() => build(spec('01JBVM14S6SC453EY9XB9GXQB5', '10.505'))).toThrow(/USD has 2 decimals/);
    expect(() => build({ ...spec('x'), transferId: 'x' })).toThrow(/^transferId/);
  });
});

describe('fixed-packet ILP', () => {
  it('one packet/condition for every transfer; a payee with the secret can still fulfil it', () => {
    const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed' });
    const a = build(spec('01JBVM14S6SC453EY9XB9GXQB5'));
    const b = build(spec('01JBVM14S6SC453EY9XB9GXQB6', '99'));
    expect(a.ilpPacket).toBe(b.ilpPacket);
    expect(a.condition).toBe(b.condition);
    expect(a.body.transferId).not.toBe(b.body.transferId);
    expect(b.body.amount.amount).toBe('99');
    expect(a.transaction).toBeUndefined();
    expect(sha(a.fulfilment!)).toBe(a.condition);
    expect(fulfilmentFromIlpPacket(a.ilpPacket, ilpSecretKey(DEFAULT_ILP_SECRET), nodeCrypto)).toEqual({
      ok: true,
      value: a.fulfilment,
    });
    expect(conditionOfIlpPacket(a.ilpPacket)).toEqual({ ok: true, value: a.condition });
  });

  it('accepts a given consistent pair and refuses an inconsistent one', () => {
    const pair = buildIlpV4(
      { transactionJson: '{"x":1}', amount: '100', currency: 'XXX', expiration: '2024-12-05T00:00:00.000Z' },
      ilpSecretKey('other'),
      nodeCrypto,
    );
    const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed', fixedIlp: pair });
    expect(build(spec('01JBVM14S6SC453EY9XB9GXQB5')).condition).toBe(pair.condition);
    expect(() =>
      transferMaterialBuilder({
        crypto: nodeCrypto,
        ilp: 'fixed',
        fixedIlp: { ...pair, condition: 'GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA' },
      }),
    ).toThrow(/different condition/);
    expect(() =>
      transferMaterialBuilder({
        crypto: nodeCrypto,
        ilp: 'fixed',
        fixedIlp: { ...pair, fulfilment: 'V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0' },
      }),
    ).toThrow(/fulfilment/);
    expect(() =>
      transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed', fixedIlp: { ...pair, ilpPacket: '!!' } }),
    ).toThrow(/^fixedIlp\.ilpPacket/);
  });

  it('refuses bad configuration', () => {
    expect(() => transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'sometimes' as 'fixed' })).toThrow(
      /^ilp: expected/,
    );
    expect(() => transferMaterialBuilder({ crypto: nodeCrypto, secret: '' })).toThrow(/^secret/);
  });
});

describe('transaction JSON fast path', () => {
  it('property: equals the generic canonical JSON for plain and unusual transaction objects', () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    const partyArb = fc.oneof(
      fc.record({ idValue: text, fspId: text }).map((p) => party(p)),
      fc
        .record({ idValue: text, fspId: text, name: text, subIdOrType: fc.option(text, { nil: undefined }) })
        .map((p) => party(p)),
      fc.record({ partyIdInfo: fc.record({ partyIdentifier: text, fspId: text, partyIdType: text }) }),
      fc.record({
        partyIdInfo: fc.record({ fspId: fc.integer(), partyIdType: text, partyIdentifier: text }),
      }),
    );
    const typeArb = fc.oneof(
      fc.constant(P2P_TRANSACTION_TYPE),
      fc.record({ scenario: text, initiator: text, initiatorType: text }),
      fc.record({ scenario: text, initiator: text, initiatorType: text }).map((t) => Object.freeze(t)),
      fc.constant(
        Object.freeze({
          scenario: 'TRANSFER',
          initiator: 'PAYER',
          initiatorType: 'CONSUMER',
          refundInfo: { originalTransactionId: 'x' },
        }),
      ),
    );
    fc.assert(
      fc.property(
        partyArb,
        partyArb,
        typeArb,
        text,
        text,
        fc.option(text, { nil: undefined }),
        fc.boolean(),
        (payer, payee, type, id, amount, note, extra) => {
          const tx = transactionObject({
            quoteId: id,
            transactionId: `${id}x`,
            transactionType: type as typeof P2P_TRANSACTION_TYPE,
            payer: payer as ReturnType<typeof party>,
            payee: payee as ReturnType<typeof party>,
            expiration: '2030-01-01T00:00:00.000Z',
            amount,
            currency: 'USD',
            note,
          });
          if (extra)
            (tx as unknown as Record<string, unknown>).extensionList = {
              extension: [{ key: 'k', value: 'v' }],
            };
          expect(transactionJson(tx)).toBe(canonicalJson(tx));
        },
      ),
      { numRuns: 500 },
    );
  });
});
