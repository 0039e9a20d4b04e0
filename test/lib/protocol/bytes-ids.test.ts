/** Byte helpers against Buffer/TextEncoder, and the runner-carrying ids. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  base64Decode,
  base64Encode,
  base64UrlEncode,
  bytesToLatin1,
  hexEncode,
  utf8Decode,
  utf8Encode,
} from '../../../lib/protocol/bytes.ts';
import {
  CROCKFORD,
  idTimeMs,
  MAX_RUNNERS,
  newId,
  runnerOfId,
  ULID_PATTERN,
  UUID_PATTERN,
  UUID_V1_MAX_TIME,
  ulid,
  ulidTimeMs,
  uuidV1,
  uuidV4,
} from '../../../lib/protocol/ids.ts';
import { CORRELATION_ID_V1_1, CORRELATION_ID_V2_0, ISO_ULID } from '../../../lib/protocol/patterns.ts';
import { nodeCrypto } from '../../../node/crypto.ts';

describe('bytes', () => {
  it('base64 / base64url / hex match Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
        const buf = Buffer.from(b);
        expect(base64Encode(b)).toBe(buf.toString('base64'));
        expect(base64UrlEncode(b)).toBe(buf.toString('base64url'));
        expect(hexEncode(b)).toBe(buf.toString('hex'));
        expect(Buffer.from(base64Decode(buf.toString('base64'))!).equals(buf)).toBe(true);
        expect(Buffer.from(base64Decode(buf.toString('base64url'))!).equals(buf)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('base64Decode refuses foreign characters and impossible lengths instead of throwing', () => {
    for (const bad of ['a', 'ab!c', 'ab=c', 'abc===', '€€€€', 'abcde'])
      expect(base64Decode(bad)).toBeUndefined();
  });

  it('UTF-8 matches TextEncoder/TextDecoder on any string, lone surrogates included', () => {
    const enc = new TextEncoder();
    const dec = new TextDecoder();
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 60 }),
        fc.string({ unit: 'grapheme', maxLength: 30 }),
        (a, b) => {
          for (const s of [a, b, a + b]) {
            const ours = utf8Encode(s);
            expect(Buffer.from(ours).equals(Buffer.from(enc.encode(s)))).toBe(true);
            expect(utf8Decode(ours)).toBe(dec.decode(ours));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('utf8Decode never throws and maps every invalid sequence to U+FFFD', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const s = utf8Decode(b);
        expect(typeof s).toBe('string');
      }),
      { numRuns: 500 },
    );
    // Code point above U+10FFFF (used to throw RangeError), encoded surrogate, overlong form.
    expect(utf8Decode(Uint8Array.from([0xf4, 0xbf, 0xbf, 0xbf]))).not.toMatch(/[^\ufffd]/);
    expect(utf8Decode(Uint8Array.from([0xed, 0xa0, 0x80]))).toBe('\ufffd\ufffd\ufffd');
    expect(utf8Decode(Uint8Array.from([0xe0, 0x80, 0x80]))).not.toMatch(/\u0000/);
  });

  it('bytesToLatin1 handles large arrays (no argument-spread overflow)', () => {
    const big = new Uint8Array(300_000).map((_, i) => i & 0xff);
    const s = bytesToLatin1(big);
    expect(s.length).toBe(big.length);
    expect(s.charCodeAt(299_999)).toBe(299_999 & 0xff);
  });
});

describe('ids', () => {
  it('ULIDs: upper-case Crockford, runner round trip for all 0..1023, time round trip', () => {
    const now = Date.UTC(2026, 10, 28, 10, 0, 0, 123);
    for (let r = 0; r < MAX_RUNNERS; r++) {
      const id = ulid(now + r, r, nodeCrypto);
      expect(id).toMatch(ULID_PATTERN);
      expect(id).toMatch(ISO_ULID);
      expect(id).toMatch(CORRELATION_ID_V2_0);
      expect(id).not.toMatch(CORRELATION_ID_V1_1);
      expect(id).toBe(id.toUpperCase());
      expect(runnerOfId(id)).toBe(r);
      expect(ulidTimeMs(id)).toBe(now + r);
    }
  });

  it('UUIDs: lower-case v4 (valid for FSPIOP v1.1 and v2.0), runner round trip for all 0..1023', () => {
    for (let r = 0; r < MAX_RUNNERS; r++) {
      const id = uuidV4(r, nodeCrypto);
      expect(id).toMatch(UUID_PATTERN);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id).toMatch(CORRELATION_ID_V1_1);
      expect(id).toMatch(CORRELATION_ID_V2_0);
      expect(runnerOfId(id)).toBe(r);
      expect(ulidTimeMs(id)).toBeUndefined();
    }
  });

  it('time-based UUIDs (v1, the FSPIOP 1.x default): valid for v1.1 and v2.0, runner and send time round trip', () => {
    const now = Date.UTC(2026, 11, 4, 10, 0, 0, 123);
    for (let r = 0; r < MAX_RUNNERS; r++) {
      const id = uuidV1(now + r, r, nodeCrypto);
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(id).toMatch(CORRELATION_ID_V1_1);
      expect(id).toMatch(CORRELATION_ID_V2_0);
      expect(runnerOfId(id)).toBe(r);
      expect(idTimeMs(id)).toBe(now + r);
    }
    // the time that a UUID v4 does not carry
    expect(idTimeMs(uuidV4(3, nodeCrypto))).toBeUndefined();
    expect(idTimeMs(ulid(now, 3, nodeCrypto))).toBe(now);
  });

  it('UUID v1 timestamp against an independent BigInt decoding, over its whole range (to the year 5236)', () => {
    expect(() => uuidV1(UUID_V1_MAX_TIME + 1, 0, nodeCrypto)).toThrow(/nowMs/);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: UUID_V1_MAX_TIME }),
        fc.integer({ min: 0, max: 1023 }),
        (t, r) => {
          const id = uuidV1(t, r, nodeCrypto);
          const hex = id.replaceAll('-', '');
          const ticks =
            (BigInt(`0x${hex.slice(13, 16)}`) << 48n) |
            (BigInt(`0x${hex.slice(8, 12)}`) << 32n) |
            BigInt(`0x${hex.slice(0, 8)}`);
          // 100-ns ticks since 1582-10-15: the ms, plus less than one ms of random ticks
          const sinceUnix = ticks - 122_192_928_000_000_000n;
          expect(sinceUnix / 10_000n).toBe(BigInt(t));
          expect(idTimeMs(id)).toBe(t);
          expect(runnerOfId(id)).toBe(r);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ulidTimeMs round trip over the whole 48-bit range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 1023 }), (t, r) => {
        const id = ulid(t, r, nodeCrypto);
        expect(ulidTimeMs(id)).toBe(t);
        expect(runnerOfId(id)).toBe(r);
        // Lexicographic order follows time (ULIDs sort by creation).
        expect(ulid(t + 1 <= 2 ** 48 - 1 ? t + 1 : t, r, nodeCrypto).slice(0, 10) >= id.slice(0, 10)).toBe(
          true,
        );
      }),
      { numRuns: 300 },
    );
  });

  it('unique over many ids of one runner in one millisecond', () => {
    const n = 50_000;
    const ulids = new Set<string>();
    const uuids = new Set<string>();
    const uuid4s = new Set<string>();
    for (let i = 0; i < n; i++) {
      ulids.add(newId('ulid', 1_700_000_000_000, 7, nodeCrypto));
      uuids.add(newId('uuid', 1_700_000_000_000, 7, nodeCrypto));
      uuid4s.add(newId('uuid4', 1_700_000_000_000, 7, nodeCrypto));
    }
    expect(ulids.size).toBe(n);
    expect(uuids.size).toBe(n);
    expect(uuid4s.size).toBe(n);
  });

  it('uses the randomness it is given (70 random bits after the runner)', () => {
    const zeros = { ...nodeCrypto, randomBytes: (k: number) => new Uint8Array(k) };
    const ones = { ...nodeCrypto, randomBytes: (k: number) => new Uint8Array(k).fill(0xff) };
    expect(ulid(0, 0, zeros)).toBe('0'.repeat(26));
    expect(ulid(0, 1023, ones)).toBe(`${'0'.repeat(10)}ZZ${'Z'.repeat(14)}`);
    expect(CROCKFORD).toHaveLength(32);
  });

  it('refuses a bad runner or time with a clear error', () => {
    expect(() => ulid(0, 1024, nodeCrypto)).toThrow(/runner: expected an integer 0\.\.1023/);
    expect(() => uuidV4(-1, nodeCrypto)).toThrow(/runner/);
    expect(() => ulid(Number.NaN, 0, nodeCrypto)).toThrow(/nowMs/);
    expect(() => ulid(-5, 0, nodeCrypto)).toThrow(/nowMs/);
    expect(() => ulid(2 ** 48, 0, nodeCrypto)).toThrow(/nowMs/);
  });

  it('runnerOfId is undefined for foreign ids', () => {
    expect(runnerOfId('not-an-id')).toBeUndefined();
    expect(runnerOfId('01jbvm14s6sc453ey9xb9gxqb5')).toBeUndefined();
    expect(runnerOfId('fff00000-0000-4000-8000-000000000000')).toBeUndefined();
  });
});
