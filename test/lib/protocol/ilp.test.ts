/**
 * The ILP v4 code against independent oracles: the `ilp-packet` npm package for the OER bytes, and
 * node:crypto re-implementing the SDK's HMAC secret scheme from its description.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { deserializeIlpPrepare, serializeIlpPrepare } from 'ilp-packet';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode } from '../../../lib/protocol/bytes.ts';
import {
  buildIlpV4,
  conditionFromFulfilment,
  conditionOfIlpPacket,
  decodeIlpPrepare,
  encodeIlpPrepare,
  fulfilmentFromIlpPacket,
  type IlpPrepare,
  ilpSecretKey,
  interledgerTime,
  MOJALOOP_ILP_ADDRESS,
  transactionJsonOfPacket,
} from '../../../lib/protocol/ilp.ts';
import { transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { amountToIlpUnits } from '../../../lib/protocol/money.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { fspIdArb, instantArb, moneyArb, msisdnArb } from './arbitraries.ts';

const UINT64_MAX = 2n ** 64n - 1n;

/** The packet as the oracle writes it. */
function oracle(p: IlpPrepare): Buffer {
  return serializeIlpPrepare({
    amount: p.amount,
    expiresAt: p.expiresAt,
    executionCondition: Buffer.from(p.executionCondition),
    destination: p.destination,
    data: Buffer.from(p.data),
  });
}

function bytesOf(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Independent exact scaling: whole * 10^d + fraction, as a bigint. */
function scaled(amount: string, decimals: number): bigint {
  const [whole, frac = ''] = amount.split('.');
  return BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(frac.padEnd(decimals, '0') || '0');
}

/** Content-length prefix boundaries of OER: 127/128 (one vs two bytes), 255/256, 65535/65536. */
const BOUNDARIES = [0, 1, 126, 127, 128, 129, 254, 255, 256, 257, 1000, 65534, 65535, 65536, 65537];

describe('ILP Prepare encoding vs the ilp-packet oracle', () => {
  const condition = bytesOf(32, 7);

  const table: Array<[string, IlpPrepare]> = [
    [
      'zero amount, empty data',
      {
        amount: '0',
        expiresAt: new Date(Date.UTC(2030, 0, 1)),
        executionCondition: condition,
        destination: MOJALOOP_ILP_ADDRESS,
        data: new Uint8Array(0),
      },
    ],
    [
      'uint64 max',
      {
        amount: UINT64_MAX.toString(),
        expiresAt: new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 1)),
        executionCondition: condition,
        destination: MOJALOOP_ILP_ADDRESS,
        data: bytesOf(10, 1),
      },
    ],
    [
      '2^53 + 1 (beyond double precision)',
      {
        amount: (2n ** 53n + 1n).toString(),
        expiresAt: new Date(Date.UTC(2024, 11, 5, 9, 8, 7, 654)),
        executionCondition: condition,
        destination: 'g.mojaloop',
        data: bytesOf(3, 2),
      },
    ],
    [
      'far future expiry 9999-12-31T23:59:59.999Z',
      {
        amount: '1',
        expiresAt: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)),
        executionCondition: condition,
        destination: 'g.mojaloop',
        data: bytesOf(5, 3),
      },
    ],
    [
      'long destination 300 chars',
      {
        amount: '5',
        expiresAt: new Date(Date.UTC(2031, 5, 6)),
        executionCondition: condition,
        destination: `g.${'a'.repeat(298)}`,
        data: bytesOf(5, 4),
      },
    ],
  ];
  for (const len of BOUNDARIES) {
    table.push([
      `data length ${len}`,
      {
        amount: '1050',
        expiresAt: new Date(Date.UTC(2030, 0, 1, 12)),
        executionCondition: condition,
        destination: 'g.mojaloop',
        data: bytesOf(len, len + 11),
      },
    ]);
  }

  it.each(table)('%s: bytes identical, decodes to the same fields', (_name, p) => {
    const ours = encodeIlpPrepare(p);
    const theirs = oracle(p);
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    const back = decodeIlpPrepare(theirs);
    expect(back.ok).toBe(true);
    if (!back.ok) return;
    expect(back.value.amount).toBe(p.amount);
    expect(back.value.expiresAt.getTime()).toBe(p.expiresAt.getTime());
    expect(Buffer.from(back.value.executionCondition).equals(Buffer.from(p.executionCondition))).toBe(true);
    expect(back.value.destination).toBe(p.destination);
    expect(Buffer.from(back.value.data).equals(Buffer.from(p.data))).toBe(true);
  });

  it('property: amounts x currencies x expiries x destinations x data lengths across every length-prefix boundary', () => {
    const destinationArb = fc.oneof(
      fc.constant(MOJALOOP_ILP_ADDRESS),
      fc.stringMatching(/^g\.[a-z0-9]{1,20}(\.[a-z0-9_~-]{1,20}){0,3}$/),
      fc.constantFrom(125, 126, 127, 128, 254, 255, 256).map((n) => `g.${'x'.repeat(n - 2)}`),
    );
    // Data lengths: each boundary, plus lengths that put the *content* length on a boundary.
    const dataLengthArb = fc.oneof(
      fc.constantFrom(...BOUNDARIES),
      fc.integer({ min: 0, max: 2000 }),
      fc.constantFrom(127, 128, 255, 256, 65535, 65536).map((target) => ({ target })),
    );
    fc.assert(
      fc.property(
        moneyArb,
        instantArb,
        destinationArb,
        dataLengthArb,
        fc.integer(),
        (money, at, destination, len, seed) => {
          let dataLength: number;
          if (typeof len === 'number') dataLength = len;
          else {
            // content = 8 + 17 + 32 + prefix(dest) + dest + prefix(data) + data
            const destPart =
              destination.length + (destination.length < 128 ? 1 : destination.length < 256 ? 2 : 3);
            const rest = len.target - 57 - destPart;
            dataLength = Math.max(0, rest - (rest < 128 ? 1 : rest < 258 ? 2 : rest < 65539 ? 3 : 4));
          }
          const units = scaled(money.amount, money.decimals);
          const p: IlpPrepare = {
            amount: units.toString(),
            expiresAt: new Date(at),
            executionCondition: bytesOf(32, seed),
            destination,
            data: bytesOf(dataLength, seed ^ 0x5bd1e995),
          };
          expect(amountToIlpUnits(money.amount, money.currency)).toBe(units.toString());
          if (units > UINT64_MAX) {
            expect(() => encodeIlpPrepare(p)).toThrow(/unsigned 64-bit/);
            // The oracle silently wraps modulo 2^64, a corrupt amount: refusing is the right call.
            expect(deserializeIlpPrepare(oracle(p)).amount).toBe((units % 2n ** 64n).toString());
            return;
          }
          const ours = encodeIlpPrepare(p);
          expect(Buffer.from(ours).equals(oracle(p))).toBe(true);
          const theirs = deserializeIlpPrepare(Buffer.from(ours));
          expect(theirs.amount).toBe(p.amount);
          expect(theirs.expiresAt.getTime()).toBe(at);
          expect(theirs.destination).toBe(destination);
          expect(theirs.data.length).toBe(dataLength);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses what the packet cannot carry instead of writing corrupt bytes', () => {
    const base = { amount: '1', executionCondition: condition, destination: 'g.x', data: new Uint8Array(1) };
    expect(() => encodeIlpPrepare({ ...base, expiresAt: new Date(Date.UTC(10000, 0, 1)) })).toThrow(
      /0000\.\.9999/,
    );
    expect(() => encodeIlpPrepare({ ...base, expiresAt: new Date(Number.NaN) })).toThrow(/expiresAt/);
    expect(() =>
      encodeIlpPrepare({ ...base, amount: '18446744073709551616', expiresAt: new Date() }),
    ).toThrow(/64-bit/);
    expect(() => encodeIlpPrepare({ ...base, amount: '-1', expiresAt: new Date() })).toThrow(/64-bit/);
    expect(() =>
      encodeIlpPrepare({ ...base, executionCondition: new Uint8Array(31), expiresAt: new Date() }),
    ).toThrow(/32 bytes/);
    expect(() => interledgerTime(new Date(Date.UTC(-1, 0, 1)))).toThrow(/0000\.\.9999/);
  });

  it('keeps years below 100 and refuses impossible dates when decoding (Date.UTC would shift them)', () => {
    const d = new Date(0);
    d.setUTCFullYear(50, 0, 1);
    const packet = encodeIlpPrepare({
      amount: '1',
      expiresAt: d,
      executionCondition: condition,
      destination: 'g.x',
      data: new Uint8Array(0),
    });
    const back = decodeIlpPrepare(packet);
    expect(back.ok && back.value.expiresAt.toISOString()).toBe('0050-01-01T00:00:00.000Z');
    // Month 13 in an otherwise valid packet.
    const bad = Uint8Array.from(packet);
    const t = Buffer.from('20241301000000000', 'ascii');
    bad.set(t, 2 + 8);
    const r = decodeIlpPrepare(bad);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(/not a valid UTC date-time/);
  });

  it('decoding never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeIlpPrepare(bytes);
        expect(typeof r.ok).toBe('boolean');
        const text = base64UrlEncode(bytes);
        expect(typeof transactionJsonOfPacket(text).ok).toBe('boolean');
        expect(typeof fulfilmentFromIlpPacket(text, ilpSecretKey('s'), nodeCrypto).ok).toBe('boolean');
        expect(typeof conditionOfIlpPacket(text).ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
    // Valid envelope and fields, hostile data: bytes that are not UTF-8 once base64-decoded.
    const hostile = encodeIlpPrepare({
      amount: '1',
      expiresAt: new Date(Date.UTC(2030, 0, 1)),
      executionCondition: condition,
      destination: 'g.x',
      data: Buffer.from(Buffer.from([0xf4, 0xbf, 0xbf, 0xbf, 0xff, 0xc0]).toString('base64url'), 'ascii'),
    });
    const json = transactionJsonOfPacket(base64UrlEncode(hostile));
    expect(json.ok).toBe(true);
    expect(json.ok && json.value).toContain('\ufffd');
  });
});

describe('fulfilment and condition', () => {
  it('the known-good pair of the Mojaloop harness', () => {
    const f = 'V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0';
    expect(conditionFromFulfilment(f, nodeCrypto)).toBe('GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA');
    expect(createHash('sha256').update(Buffer.from(f, 'base64url')).digest('base64url')).toBe(
      'GIxd5xcohkmnnXolpTv_OxwpyaH__Oiq49JTvCo8pyA',
    );
  });

  it('refuses fulfilments that are not 32 bytes', () => {
    expect(conditionFromFulfilment('abc', nodeCrypto)).toBeUndefined();
    expect(
      conditionFromFulfilment('V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC0AA', nodeCrypto),
    ).toBeUndefined();
    expect(
      conditionFromFulfilment('V-IalzIzy-zxy0SrlY1Ku2OE9aS4KgGZ0W-Zq5_BeC!', nodeCrypto),
    ).toBeUndefined();
  });

  it('property: builder output = SDK scheme re-implemented with node:crypto; payee derives the same fulfilment from the packet', () => {
    const secretArb = fc.oneof(
      fc.constant('mojaloop-sdk'),
      fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
    );
    fc.assert(
      fc.property(
        secretArb,
        moneyArb.filter((m) => scaled(m.amount, m.decimals) <= UINT64_MAX),
        fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(9999, 0, 1) }),
        fspIdArb,
        fspIdArb,
        msisdnArb,
        fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: undefined }),
        (secret, money, at, payerFsp, payeeFsp, msisdn, note) => {
          const build = transferMaterialBuilder({ crypto: nodeCrypto, secret });
          const expiration = new Date(at).toISOString();
          const m = build({
            transferId: '01JBVM14S6SC453EY9XB9GXQB5',
            payerFsp,
            payeeFsp,
            payerMsisdn: msisdn,
            payeeMsisdn: msisdn,
            amount: money.amount,
            currency: money.currency,
            expiration,
            note,
          });
          // Decode with the oracle, not with our own decoder.
          const packet = deserializeIlpPrepare(Buffer.from(m.ilpPacket, 'base64url'));
          expect(packet.destination).toBe('g.mojaloop');
          expect(packet.amount).toBe(scaled(money.amount, money.decimals).toString());
          expect(packet.expiresAt.getTime()).toBe(at);
          expect(packet.executionCondition.toString('base64url')).toBe(m.condition);
          const json = Buffer.from(packet.data.toString('ascii'), 'base64url').toString('utf8');
          const tx = JSON.parse(json);
          expect(tx).toEqual(JSON.parse(JSON.stringify(m.transaction)));
          // Both SDK generations reproduce the text: re-stringify in parsed order, and sorted keys.
          expect(JSON.stringify(tx)).toBe(json);
          // SDK secret scheme, independently: HMAC-SHA256(ascii(base64(secret)), ascii(base64(json))).
          const key = Buffer.from(Buffer.from(secret, 'utf8').toString('base64'), 'ascii');
          const msg = Buffer.from(Buffer.from(json, 'utf8').toString('base64'), 'ascii');
          const fulfilment = createHmac('sha256', key).update(msg).digest('base64url');
          expect(m.fulfilment).toBe(fulfilment);
          expect(createHash('sha256').update(Buffer.from(fulfilment, 'base64url')).digest('base64url')).toBe(
            m.condition,
          );
          // The payee side: fulfilment from the packet alone.
          const derived = fulfilmentFromIlpPacket(m.ilpPacket, ilpSecretKey(secret), nodeCrypto);
          expect(derived).toEqual({ ok: true, value: m.fulfilment });
          expect(conditionOfIlpPacket(m.ilpPacket)).toEqual({ ok: true, value: m.condition });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a wrong secret derives a different fulfilment (the check can fail)', () => {
    const ilp = buildIlpV4(
      { transactionJson: '{"a":1}', amount: '1', currency: 'USD', expiration: '2030-01-01T00:00:00.000Z' },
      ilpSecretKey('mojaloop-sdk'),
      nodeCrypto,
    );
    const other = fulfilmentFromIlpPacket(ilp.ilpPacket, ilpSecretKey('another'), nodeCrypto);
    expect(other.ok && other.value).not.toBe(ilp.fulfilment);
  });
});
