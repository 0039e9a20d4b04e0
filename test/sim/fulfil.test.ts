/**
 * The simulator's Node-native ILP fast paths must give exactly what the protocol core gives:
 * fulfilments and conditions for random transactions, and the core's own answer (error or value)
 * for anything unusual.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode } from '../../lib/protocol/bytes.ts';
import { conditionFromFulfilment, fulfilmentFromIlpPacket, ilpSecretKey } from '../../lib/protocol/ilp.ts';
import { transferMaterialBuilder } from '../../lib/protocol/material.ts';
import { nodeCrypto } from '../../node/crypto.ts';
import { conditionOf, deriveFulfilment } from '../../sim/fspiop/fulfil.ts';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

describe('deriveFulfilment / conditionOf', () => {
  it('equal the core on random transactions (v1 and v4, amounts, currencies, notes with any Unicode, secrets)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('v1' as const, 'v4' as const),
        fc.stringMatching(ULID),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom('XXX', 'USD', 'JPY', 'BHD'),
        fc.string({ unit: 'grapheme', maxLength: 40 }),
        fc.string({ minLength: 1, maxLength: 20 }),
        (ilpVersion, id, amount, currency, note, secret) => {
          const build = transferMaterialBuilder({ crypto: nodeCrypto, secret, ilpVersion });
          const m = build({
            transferId: id,
            payerFsp: 'a',
            payeeFsp: 'b',
            amount: String(amount),
            currency,
            expiration: '2030-01-01T00:00:00.000Z',
            note,
          });
          const key = ilpSecretKey(secret);
          const fast = deriveFulfilment(m.ilpPacket, key);
          expect(fast).toEqual(fulfilmentFromIlpPacket(m.ilpPacket, key, nodeCrypto));
          expect(fast.ok && fast.value).toBe(m.fulfilment);
          expect(conditionOf(m.fulfilment!)).toBe(m.condition);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('give the core answer for malformed packets and fulfilments', () => {
    const key = ilpSecretKey('mojaloop-sdk');
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.uint8Array({ maxLength: 200 }).map((b) => base64UrlEncode(b)),
          // Packets that start like a v1 Payment or a v4 Prepare, then anything (truncated, padded).
          fc
            .tuple(fc.constantFrom(1, 12), fc.uint8Array({ maxLength: 120 }), fc.constantFrom('', '=', '=='))
            .map(([type, rest, pad]) => base64UrlEncode(Uint8Array.from([type, ...rest])) + pad),
          fc
            .tuple(fc.integer({ min: 0, max: 60 }), fc.constantFrom('v1' as const, 'v4' as const))
            .map(([cut, ilpVersion]) => {
              const m = transferMaterialBuilder({ crypto: nodeCrypto, ilpVersion })({
                transferId: '01JBVM14S6SC453EY9XB9GXQB5',
                payerFsp: 'a',
                payeeFsp: 'b',
                amount: '1',
                currency: 'XXX',
                expiration: '2030-01-01T00:00:00.000Z',
              });
              return m.ilpPacket.slice(0, m.ilpPacket.length - cut);
            }),
        ),
        (packet) => {
          expect(deriveFulfilment(packet, key)).toEqual(fulfilmentFromIlpPacket(packet, key, nodeCrypto));
        },
      ),
      { numRuns: 500 },
    );
    for (const f of [
      '',
      'abc',
      'A'.repeat(43),
      `${'A'.repeat(43)}=`,
      'A'.repeat(44),
      '+'.repeat(43),
      '*'.repeat(43),
    ]) {
      expect(conditionOf(f), f).toBe(conditionFromFulfilment(f, nodeCrypto));
    }
  });
});
