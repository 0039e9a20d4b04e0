/**
 * Transfer, quote and transaction identifiers.
 *
 * Each id carries the index of the k6 runner that made it (0..1023), so that the callback relay
 * can partition outcomes per runner from the transferId alone, which survives every hop of the hub
 * (trace context does not: the hub's timeout callbacks start a new trace).
 *
 * - ULID (upper case, Crockford base32): 10 characters of millisecond time, then 16 of randomness,
 *   the first 2 of which are the runner index; 70 random bits remain.
 * - UUID v4 (lower case): the first 3 hex digits are the runner index (0..4095 fit, 0..1023 used);
 *   110 random bits remain.
 */
import { hexEncode } from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const MAX_RUNNERS = 1024;
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type IdKind = 'ulid' | 'uuid';

function checkRunner(runner: number): void {
  if (!Number.isInteger(runner) || runner < 0 || runner >= MAX_RUNNERS) {
    throw new Error(`runner: expected an integer 0..${MAX_RUNNERS - 1}, got ${runner}`);
  }
}

/** Largest ULID time: 48 bits of milliseconds (year 10889). */
const ULID_MAX_TIME = 2 ** 48 - 1;

/** A ULID for `nowMs` whose randomness starts with the runner index. */
export function ulid(nowMs: number, runner: number, crypto: CryptoProvider): string {
  checkRunner(runner);
  if (!(nowMs >= 0 && nowMs <= ULID_MAX_TIME)) {
    throw new Error(`nowMs: expected a millisecond timestamp 0..2^48-1 for a ULID, got ${nowMs}`);
  }
  // Built as a few long expressions, no loops: ULIDs are made per transfer, and in Sobek each `+=`
  // onto a growing string and each typed-array `.length` read are costly (measured in k6 2.2: 13.7 µs →
  // 8.9 µs with the random draw). The 50 time bits are two 25-bit halves, so 32-bit shifts apply.
  const t = Math.floor(nowMs);
  const hi = Math.floor(t / 0x2000000);
  const lo = t - hi * 0x2000000;
  const C = CROCKFORD;
  const r = crypto.randomBytes(14);
  return (
    C[(hi >>> 20) & 31]! +
    C[(hi >>> 15) & 31]! +
    C[(hi >>> 10) & 31]! +
    C[(hi >>> 5) & 31]! +
    C[hi & 31]! +
    C[(lo >>> 20) & 31]! +
    C[(lo >>> 15) & 31]! +
    C[(lo >>> 10) & 31]! +
    C[(lo >>> 5) & 31]! +
    C[lo & 31]! +
    C[(runner >>> 5) & 31]! +
    C[runner & 31]! +
    (C[r[0]! & 31]! +
      C[r[1]! & 31]! +
      C[r[2]! & 31]! +
      C[r[3]! & 31]! +
      C[r[4]! & 31]! +
      C[r[5]! & 31]! +
      C[r[6]! & 31]!) +
    (C[r[7]! & 31]! +
      C[r[8]! & 31]! +
      C[r[9]! & 31]! +
      C[r[10]! & 31]! +
      C[r[11]! & 31]! +
      C[r[12]! & 31]! +
      C[r[13]! & 31]!)
  );
}

/** A lower-case UUID v4 whose first three hex digits are the runner index. */
export function uuidV4(runner: number, crypto: CryptoProvider): string {
  checkRunner(runner);
  const b = crypto.randomBytes(16);
  b[0] = (runner >>> 4) & 0xff;
  b[1] = ((runner & 0x0f) << 4) | (b[1]! & 0x0f);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  // One table-driven hex pass, then slices (cheaper in Sobek than 20 `+=` onto a growing string).
  const h = hexEncode(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function newId(kind: IdKind, nowMs: number, runner: number, crypto: CryptoProvider): string {
  return kind === 'ulid' ? ulid(nowMs, runner, crypto) : uuidV4(runner, crypto);
}

/** The runner index embedded by `ulid`/`uuidV4`, or undefined for an id of another shape. */
export function runnerOfId(id: string): number | undefined {
  if (ULID_PATTERN.test(id)) return CROCKFORD.indexOf(id[10]!) * 32 + CROCKFORD.indexOf(id[11]!);
  if (UUID_PATTERN.test(id)) {
    const r = Number.parseInt(id.slice(0, 3), 16);
    return r < MAX_RUNNERS ? r : undefined;
  }
  return undefined;
}

/** The millisecond timestamp of a ULID (a send-time fallback when trace context was lost). */
export function ulidTimeMs(id: string): number | undefined {
  if (!ULID_PATTERN.test(id)) return undefined;
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(id[i]!);
  return t;
}
