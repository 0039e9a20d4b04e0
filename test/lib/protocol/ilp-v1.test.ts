/**
 * The ILP v1 code against independent oracles: `ilp-packet` 2.2.0 (`serializeIlpPayment`, loaded
 * from conformance/node_modules; skipped when absent) and a reference encoder written here with
 * Buffer for the OER bytes, and node:crypto re-implementing the SDK's v1 secret scheme.
 */
import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64UrlEncode } from '../../../lib/protocol/bytes.ts';
import {
  fulfilmentFromIlpPacket,
  ilpSecretKey,
  ilpVersionOfPacket,
  transactionJsonOfPacket,
} from '../../../lib/protocol/ilp.ts';
import {
  buildIlpV1,
  decodeIlpPayment,
  encodeIlpPayment,
  type IlpPayment,
  ilpV1Address,
} from '../../../lib/protocol/ilp-v1.ts';
import { transferMaterialBuilder } from '../../../lib/protocol/material.ts';
import { nodeCrypto } from '../../../node/crypto.ts';
import { loadSscOracle, reportSkip } from '../../support/ssc-oracle.ts';
import { fspIdArb, ilpMoneyArb, ilpUnits, msisdnArb } from './arbitraries.ts';

const FILE = 'test/lib/protocol/ilp-v1.test.ts';
const UINT64_MAX = 2n ** 64n - 1n;
const loaded = loadSscOracle();
const ilpPacketV1 = 'oracle' in loaded ? loaded.oracle.ilpPacketV1 : undefined;
if (!ilpPacketV1) reportSkip(FILE, `ilp-packet 2.2.0 comparisons: ${(loaded as { skip: string }).skip}`);

/** An OER length prefix, written independently of lib/protocol/oer.ts. */
function oerLength(n: number): Buffer {
  if (n < 128) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let l = n; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** The v1 Payment as the format describes it: 01 | len | amount(8) | len account | len data | 00. */
function reference(p: IlpPayment): Buffer {
  const amount = Buffer.alloc(8);
  amount.writeBigUInt64BE(BigInt(p.amount));
  const account = Buffer.from(p.account, 'latin1');
  const content = Buffer.concat([
    amount,
    oerLength(account.length),
    account,
    oerLength(p.data.length),
    Buffer.from(p.data),
    Buffer.from([0]),
  ]);
  return Buffer.concat([Buffer.from([1]), oerLength(content.length), content]);
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

/** OER prefix boundaries: 127/128 (one vs two bytes), 255/256 (two vs three), 65535/65536. */
const BOUNDARIES = [0, 1, 126, 127, 128, 129, 254, 255, 256, 257, 1000, 65534, 65535, 65536, 65537];

/** Data length that puts the *content* length at `target` for `account` (content = 8 + account + data + 1). */
function dataLengthFor(target: number, account: string): number {
  const accountPart = oerLength(account.length).length + account.length;
  const rest = target - 9 - accountPart;
  for (let d = Math.max(0, rest - 5); d <= rest; d++) if (oerLength(d).length + d === rest) return d;
  return Math.max(0, rest - 3);
}

describe('ILP v1 Payment encoding', () => {
  const table: Array<[string, IlpPayment]> = [
    ['zero amount, empty data', { amount: '0', account: 'g.x', data: new Uint8Array(0) }],
    ['uint64 max', { amount: UINT64_MAX.toString(), account: 'g.payeefsp.msisdn.1', data: bytesOf(10, 1) }],
    ['2^53 + 1', { amount: (2n ** 53n + 1n).toString(), account: 'g.a.b.c', data: bytesOf(3, 2) }],
    ['empty account', { amount: '5', account: '', data: bytesOf(5, 4) }],
  ];
  for (const len of [125, 126, 127, 128, 129, 255, 256, 300]) {
    table.push([
      `account length ${len}`,
      { amount: '1050', account: `g.${'a'.repeat(len - 2)}`, data: bytesOf(9, len) },
    ]);
  }
  for (const len of BOUNDARIES) {
    table.push([
      `data length ${len}`,
      { amount: '1050', account: 'g.payeefsp.msisdn.27713803913', data: bytesOf(len, len + 11) },
    ]);
  }
  for (const target of [127, 128, 255, 256, 65535, 65536]) {
    const account = 'g.payeefsp.msisdn.27713803913';
    table.push([
      `content length ${target}`,
      { amount: '1', account, data: bytesOf(dataLengthFor(target, account), target) },
    ]);
  }

  it.each(table)(
    '%s: bytes = the reference layout (and ilp-packet 2.2.0), decodes to the same fields',
    (_n, p) => {
      const ours = Buffer.from(encodeIlpPayment(p));
      expect(ours.equals(reference(p))).toBe(true);
      if (ilpPacketV1) {
        const theirs = ilpPacketV1.serializeIlpPayment({
          amount: p.amount,
          account: p.account,
          data: Buffer.from(p.data),
        });
        expect(ours.equals(theirs)).toBe(true);
        const back = ilpPacketV1.deserializeIlpPayment(ours);
        expect([back.amount, back.account, Buffer.from(back.data).equals(Buffer.from(p.data))]).toEqual([
          p.amount,
          p.account,
          true,
        ]);
      }
      const decoded = decodeIlpPayment(ours);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) return;
      expect(decoded.value.amount).toBe(p.amount);
      expect(decoded.value.account).toBe(p.account);
      expect(Buffer.from(decoded.value.data).equals(Buffer.from(p.data))).toBe(true);
    },
  );

  it('the content-length cases really sit on the prefix boundaries', () => {
    for (const target of [127, 128, 255, 256, 65535, 65536]) {
      const account = 'g.payeefsp.msisdn.27713803913';
      const packet = encodeIlpPayment({
        amount: '1',
        account,
        data: bytesOf(dataLengthFor(target, account), 1),
      });
      expect(packet.length - 1 - oerLength(target).length).toBe(target);
      expect(Buffer.from(packet.subarray(1, 1 + oerLength(target).length)).equals(oerLength(target))).toBe(
        true,
      );
    }
  });

  it('property: amounts x accounts x data lengths across the prefix boundaries', () => {
    const accountArb = fc.oneof(
      fc.stringMatching(/^g\.[a-z0-9]{1,20}(\.[a-z0-9_~-]{1,20}){0,3}$/),
      fc.constantFrom(126, 127, 128, 129, 255, 256).map((n) => `g.${'x'.repeat(n - 2)}`),
      // Non-ASCII party ids: one byte per code unit, as ilp-packet writes them.
      fc.string({ maxLength: 30, unit: 'binary' }).map((s) => `g.fsp.msisdn.${s}`),
    );
    const dataLengthArb = fc.oneof(fc.constantFrom(...BOUNDARIES), fc.integer({ min: 0, max: 2000 }));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: UINT64_MAX }),
        accountArb,
        dataLengthArb,
        fc.integer(),
        (amount, account, dataLength, seed) => {
          const p: IlpPayment = { amount: amount.toString(), account, data: bytesOf(dataLength, seed) };
          const ours = Buffer.from(encodeIlpPayment(p));
          expect(ours.equals(reference(p))).toBe(true);
          if (ilpPacketV1) {
            const theirs = ilpPacketV1.serializeIlpPayment({
              amount: p.amount,
              account,
              data: Buffer.from(p.data),
            });
            expect(ours.equals(theirs)).toBe(true);
          }
          const back = decodeIlpPayment(ours);
          expect(back.ok && back.value.amount).toBe(p.amount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses amounts the packet cannot carry (ilp-packet would wrap them)', () => {
    for (const amount of ['18446744073709551616', '-1', '1.5', '', 'x']) {
      expect(() => encodeIlpPayment({ amount, account: 'g.x', data: new Uint8Array(0) }), amount).toThrow(
        /unsigned 64-bit/,
      );
    }
  });

  it('decoding never throws, whatever the bytes; version detection reads the type byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeIlpPayment(bytes);
        expect(typeof r.ok).toBe('boolean');
        if (bytes[0] !== 1) expect(r.ok).toBe(false);
        const text = base64UrlEncode(bytes);
        expect(typeof transactionJsonOfPacket(text).ok).toBe('boolean');
        expect(typeof fulfilmentFromIlpPacket(text, ilpSecretKey('s'), nodeCrypto).ok).toBe('boolean');
        const v = ilpVersionOfPacket(text);
        expect(v).toBe(bytes[0] === 1 ? 'v1' : bytes[0] === 12 ? 'v4' : undefined);
      }),
      { numRuns: 500 },
    );
    const packet = encodeIlpPayment({ amount: '1', account: 'g.x', data: bytesOf(200, 3) });
    for (let cut = 0; cut < packet.length - 1; cut += 7) {
      expect(decodeIlpPayment(packet.subarray(0, cut)).ok).toBe(false);
    }
    expect(ilpVersionOfPacket('')).toBeUndefined();
    expect(ilpVersionOfPacket('!!!!')).toBeUndefined();
  });
});

describe('ILP v1 address, fulfilment and condition', () => {
  it('the address: g.<fspId>.<type>.<id>[.<subId>], all but the FSP id lower-cased', () => {
    expect(ilpV1Address({ fspId: 'payeefsp', partyIdType: 'MSISDN', partyIdentifier: '27713803913' })).toBe(
      'g.payeefsp.msisdn.27713803913',
    );
    expect(
      ilpV1Address({
        fspId: 'PayeeFSP',
        partyIdType: 'EMAIL',
        partyIdentifier: 'A@B.Org',
        partySubIdOrType: 'Home',
      }),
    ).toBe('g.PayeeFSP.email.a@b.org.home');
    expect(
      ilpV1Address({ fspId: 'f', partyIdType: 'ACCOUNT_ID', partyIdentifier: 'X', partySubIdOrType: '' }),
    ).toBe('g.f.account_id.x');
  });

  it('property: builder output = the SDK v1 scheme re-implemented with node:crypto; the payee derives the same fulfilment', () => {
    const secretArb = fc.oneof(
      fc.constant('mojaloop-sdk'),
      fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
    );
    fc.assert(
      fc.property(
        secretArb,
        ilpMoneyArb,
        fspIdArb,
        fspIdArb,
        msisdnArb,
        fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: undefined }),
        (secret, money, payerFsp, payeeFsp, msisdn, note) => {
          const build = transferMaterialBuilder({ crypto: nodeCrypto, secret, ilpVersion: 'v1' });
          const m = build({
            transferId: '01JBVM14S6SC453EY9XB9GXQB5',
            payerFsp,
            payeeFsp,
            payerMsisdn: msisdn,
            payeeMsisdn: msisdn,
            amount: money.amount,
            currency: money.currency,
            expiration: '2030-01-01T00:00:00.000Z',
            note,
          });
          const packet = Buffer.from(m.ilpPacket, 'base64url');
          expect(packet.toString('base64url')).toBe(m.ilpPacket);
          const decoded = decodeIlpPayment(packet);
          if (!decoded.ok) throw new Error(decoded.error);
          expect(decoded.value.amount).toBe(ilpUnits(money.amount, money.decimals).toString());
          expect(decoded.value.account).toBe(`g.${payeeFsp}.msisdn.${msisdn}`);
          const json = Buffer.from(Buffer.from(decoded.value.data).toString('ascii'), 'base64url').toString(
            'utf8',
          );
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(m.transaction)));
          // HMAC-SHA256(ascii(base64(secret)), ascii(base64url packet text)).
          const key = Buffer.from(Buffer.from(secret, 'utf8').toString('base64'), 'ascii');
          const fulfilment = createHmac('sha256', key)
            .update(Buffer.from(m.ilpPacket, 'ascii'))
            .digest('base64url');
          expect(m.fulfilment).toBe(fulfilment);
          expect(createHash('sha256').update(Buffer.from(fulfilment, 'base64url')).digest('base64url')).toBe(
            m.condition,
          );
          expect(fulfilmentFromIlpPacket(m.ilpPacket, ilpSecretKey(secret), nodeCrypto)).toEqual({
            ok: true,
            value: m.fulfilment,
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the HMAC covers the text as received: a padded form of the same packet has another fulfilment', () => {
    const key = ilpSecretKey('mojaloop-sdk');
    const m = buildIlpV1(
      { transactionJson: '{"a":1}', amount: '1', currency: 'USD', account: 'g.x.msisdn.1' },
      key,
      nodeCrypto,
    );
    const padded = m.ilpPacket + '='.repeat((4 - (m.ilpPacket.length % 4)) % 4);
    if (padded !== m.ilpPacket) {
      const f = fulfilmentFromIlpPacket(padded, key, nodeCrypto);
      expect(f.ok && f.value).not.toBe(m.fulfilment);
    }
    const other = fulfilmentFromIlpPacket(m.ilpPacket, ilpSecretKey('another'), nodeCrypto);
    expect(other.ok && other.value).not.toBe(m.fulfilment);
  });
});
