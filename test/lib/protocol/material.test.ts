/** The transfer-material builder: per-transfer and fixed-packet modes. */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { P2P_TRANSACTION_TYPE, party } from '../../../lib/protocol/bodies.ts';
import { canonicalJson } from '../../../lib/protocol/canonical-json.ts';
import {
  conditionOfIlpPacket,
  fulfilmentFromIlpPacket,
  ilpSecretKey,
  ilpVersionOfPacket,
  transactionJsonOfPacket,
} from '../../../lib/protocol/ilp.ts';
import { decodeIlpPayment } from '../../../lib/protocol/ilp-v1.ts';
import {
  checkFixedIlp,
  DEFAULT_ILP_SECRET,
  type FixedIlp,
  fixedIlpComputer,
  fixedIlpPairs,
  fixedMaterialBuilder,
  transferMaterialBuilder,
} from '../../../lib/protocol/material.ts';
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

  it('v1: an ILP Payment addressed to the payee, carrying the same transaction object', () => {
    const v1 = transferMaterialBuilder({ crypto: nodeCrypto, ilpVersion: 'v1' });
    const m = v1({
      ...spec('01JBVM14S6SC453EY9XB9GXQB5'),
      payee: party({ idType: 'ACCOUNT_ID', idValue: 'AbC', fspId: 'PayeeFSP', subIdOrType: 'X' }),
    });
    expect(ilpVersionOfPacket(m.ilpPacket)).toBe('v1');
    const decoded = decodeIlpPayment(Buffer.from(m.ilpPacket, 'base64url'));
    expect(decoded.ok && decoded.value.account).toBe('g.PayeeFSP.account_id.abc.x');
    expect(decoded.ok && decoded.value.amount).toBe('1050');
    expect(JSON.parse((transactionJsonOfPacket(m.ilpPacket) as { value: string }).value)).toEqual(
      JSON.parse(JSON.stringify(m.transaction)),
    );
    // HMAC over the packet text, keyed with ASCII of base64(secret).
    const key = Buffer.from(Buffer.from(DEFAULT_ILP_SECRET).toString('base64'), 'ascii');
    expect(m.fulfilment).toBe(createHmac('sha256', key).update(m.ilpPacket, 'ascii').digest('base64url'));
    expect(sha(m.fulfilment!)).toBe(m.condition);
    expect(m.body.ilpPacket).toBe(m.ilpPacket);
    expect(m.body.condition).toBe(m.condition);
  });

  it('checks the body fields before any ILP work, naming them', () => {
    expect(() => build(spec('01JBVM14S6SC453EY9XB9GXQB5', '10.50'))).toThrow(/^amount\.amount/);
    expect(() => build(spec('01JBVM14S6SC453EY9XB9GXQB5', '10.505'))).toThrow(/USD has 2 decimals/);
    expect(() => build({ ...spec('x'), transferId: 'x' })).toThrow(/^transferId/);
  });
});

describe('fixed-packet ILP', () => {
  const txOf = (ilpPacket: string) =>
    JSON.parse((transactionJsonOfPacket(ilpPacket) as { value: string }).value);

  it.each(['v1', 'v4'] as const)(
    '%s: one packet/condition per pair and amount; a payee with the secret can still fulfil it',
    (ilpVersion) => {
      const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed', ilpVersion });
      const a = build(spec('01JBVM14S6SC453EY9XB9GXQB5'));
      const b = build(spec('01JBVM14S6SC453EY9XB9GXQB6'));
      expect(a.ilpPacket).toBe(b.ilpPacket);
      expect(a.condition).toBe(b.condition);
      expect(a.body.transferId).not.toBe(b.body.transferId);
      expect(a.transaction).toBeUndefined();
      expect(ilpVersionOfPacket(a.ilpPacket)).toBe(ilpVersion);
      expect(sha(a.fulfilment!)).toBe(a.condition);
      expect(fulfilmentFromIlpPacket(a.ilpPacket, ilpSecretKey(DEFAULT_ILP_SECRET), nodeCrypto)).toEqual({
        ok: true,
        value: a.fulfilment,
      });
      if (ilpVersion === 'v4')
        expect(conditionOfIlpPacket(a.ilpPacket)).toEqual({ ok: true, value: a.condition });
      // Another amount or another pair: another packet, naming that transfer.
      const c = build(spec('01JBVM14S6SC453EY9XB9GXQB7', '99'));
      const d = build({ ...spec('01JBVM14S6SC453EY9XB9GXQB8'), payeeFsp: 'otherfsp' });
      expect(new Set([a.ilpPacket, c.ilpPacket, d.ilpPacket]).size).toBe(3);
      expect(txOf(c.ilpPacket).amount).toEqual({ amount: '99', currency: 'USD' });
      expect(txOf(d.ilpPacket).payee.partyIdInfo.fspId).toBe('otherfsp');
      expect(build(spec('01JBVM14S6SC453EY9XB9GXQB9', '99')).ilpPacket).toBe(c.ilpPacket);
    },
  );

  // Before: one packet naming payer "payer", payee "payee", 1 XXX for every transfer, which the
  // SDK's and the Testing Toolkit's validateIlpAgainstTransferRequest refuse (3106).
  it.each(['v1', 'v4'] as const)(
    '%s: the fixed packet names the payer FSP, payee FSP, amount and currency of the transfer it rides on',
    (ilpVersion) => {
      const build = transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'fixed', ilpVersion });
      for (const [payerFsp, payeeFsp, amount, currency] of [
        ['payerfsp', 'payeefsp', '10.5', 'USD'],
        ['dfspa', 'dfspb', '1', 'XXX'],
        ['dfspb', 'dfspa', '250', 'JPY'],
      ] as const) {
        const m = build({ ...spec('01JBVM14S6SC453EY9XB9GXQB5', amount), payerFsp, payeeFsp, currency });
        const tx = txOf(m.ilpPacket);
        expect(tx.payer.partyIdInfo.fspId).toBe(m.body.payerFsp);
        expect(tx.payee.partyIdInfo.fspId).toBe(m.body.payeeFsp);
        expect(tx.amount).toEqual(m.body.amount);
        expect(tx.payer.partyIdInfo.fspId).not.toBe('payer');
      }
    },
  );

  it('precomputed pairs: used by pair index or by FSPs and amount; others are computed, never mismatched', () => {
    const pairs = fixedIlpPairs({ crypto: nodeCrypto, ilpVersion: 'v1' }, [
      { payerFsp: 'payerfsp', payeeFsp: 'payeefsp', amount: '10.5', currency: 'USD' },
      { payerFsp: 'payeefsp', payeeFsp: 'payerfsp', amount: '10.5', currency: 'USD' },
    ]);
    let computed = 0;
    const compute = fixedIlpComputer({ crypto: nodeCrypto, ilpVersion: 'v1' });
    const build = fixedMaterialBuilder(pairs, (s) => {
      computed++;
      return compute(s);
    });
    expect(build({ ...spec('01JBVM14S6SC453EY9XB9GXQB5'), pairIndex: 0 }).ilpPacket).toBe(
      pairs[0]!.ilpPacket,
    );
    // A wrong hint costs a lookup, not a wrong packet.
    expect(build({ ...spec('01JBVM14S6SC453EY9XB9GXQB5'), pairIndex: 1 }).ilpPacket).toBe(
      pairs[0]!.ilpPacket,
    );
    const back = { ...spec('01JBVM14S6SC453EY9XB9GXQB5'), payerFsp: 'payeefsp', payeeFsp: 'payerfsp' };
    expect(build(back).ilpPacket).toBe(pairs[1]!.ilpPacket);
    expect(computed).toBe(0);
    const other = build(spec('01JBVM14S6SC453EY9XB9GXQB5', '7'));
    expect(computed).toBe(1);
    expect(build(spec('01JBVM14S6SC453EY9XB9GXQB6', '7')).ilpPacket).toBe(other.ilpPacket);
    expect(computed).toBe(1);
    expect(txOf(other.ilpPacket).amount.amount).toBe('7');
    // The computed pair equals the precomputed one for the same inputs (coordinator and VU agree).
    expect(compute(pairs[0]!)).toEqual(pairs[0]);
    // Without a way to compute, a transfer outside the pairs is refused rather than mislabelled.
    expect(() => fixedMaterialBuilder(pairs)(spec('01JBVM14S6SC453EY9XB9GXQB5', '7'))).toThrow(
      /no packet for/,
    );
  });

  it('accepts a given consistent pair and refuses an inconsistent one', () => {
    const [pair] = fixedIlpPairs({ crypto: nodeCrypto, secret: 'other', ilpVersion: 'v4' }, [
      { payerFsp: 'payerfsp', payeeFsp: 'payeefsp', amount: '10.5', currency: 'USD' },
    ]);
    const given = (f: Partial<FixedIlp>, ilpVersion: 'v1' | 'v4' = 'v4') =>
      fixedMaterialBuilder(checkFixedIlp([{ ...pair!, ...f }], ilpVersion, nodeCrypto));
    expect(given({})(spec('01JBVM14S6SC453EY9XB9GXQB5')).condition).toBe(pair!.condition);
    expect(() => given({ condition: 'GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA' })).toThrow(
      /^fixedIlp\[0\]\.ilpPacket: the packet carries a different condition/,
    );
    expect(() => given({ fulfilment: 'V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0' })).toThrow(
      /^fixedIlp\[0\]\.fulfilment/,
    );
    expect(() => given({ ilpPacket: '!!' })).toThrow(/^fixedIlp\[0\]\.ilpPacket/);
    expect(() => given({}, 'v1')).toThrow(
      /^fixedIlp\[0\]\.ilpPacket: an ILP v4 packet, but the run uses ILP v1/,
    );
    // A packet that names another transfer.
    expect(() => given({ payerFsp: 'payer' })).toThrow(/names payer FSP "payerfsp", the transfer "payer"/);
    expect(() => given({ amount: '10.50' })).toThrow(/names amount "10.5", the transfer "10.50"/);
    expect(() => given({ currency: 'XXX' })).toThrow(/names currency "USD"/);
  });

  it('refuses bad configuration', () => {
    expect(() => transferMaterialBuilder({ crypto: nodeCrypto, ilp: 'sometimes' as 'fixed' })).toThrow(
      /^ilp: expected/,
    );
    expect(() => transferMaterialBuilder({ crypto: nodeCrypto, secret: '' })).toThrow(/^secret/);
    expect(() => transferMaterialBuilder({ crypto: nodeCrypto, ilpVersion: 'v2' as 'v1' })).toThrow(
      /^ilpVersion: expected "v1" or "v4"/,
    );
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
