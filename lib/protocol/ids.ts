/**
 * Transfer, quote and transaction identifiers.
 *
 * Each id carries the index of the k6 runner that made it (0..1023), so that the callback relay
 * can partition outcomes per runner from the transferId alone, which survives every hop of the hub
 * (trace context does not: the hub's timeout callbacks start a new trace).
 *
 * - ULID (upper case, Crockford base32): 10 characters of millisecond time, then 16 of randomness,
 *   the first 2 of which are the runner index; 70 random bits remain.
 * - UUID v1 (lower case, time-based; `uuid`): the 60-bit timestamp counts 100 ns since 1582-10-15
 *   (the millisecond of creation, then 14 random bits below it), the node field starts with the
 *   runner index in 10 bits; 52 random bits remain (clock sequence and node). Valid under the
 *   FSPIOP 1.x pattern (version nibble 1-5), and it carries its send time, so latency does not
 *   depend on the hub echoing `tracestate`.
 * - UUID v4 (lower case, random; `uuid4`): the first 3 hex digits are the runner index (0..4095
 *   fit, 0..1023 used); 110 random bits remain. No time: latency then needs `tracestate`.
 */
import { hexEncode } from './bytes.ts';
import type { CryptoProvider } from './crypto.ts';

export const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const MAX_RUNNERS = 1024;
export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-7][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export type IdKind = 'ulid' | 'uuid' | 'uuid4';

/** Milliseconds between the UUID epoch (1582-10-15) and the Unix epoch. */
const UUID_EPOCH_OFFSET_MS = 12_219_292_800_000;
/** Largest Unix ms a 60-bit UUID v1 timestamp (100-ns units since 1582) holds: in the year 5236. */
export const UUID_V1_MAX_TIME = Math.floor(2 ** 60 / 10_000) - UUID_EPOCH_OFFSET_MS - 1;

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

/**
 * A lower-case time-based UUID (version 1) for `nowMs`: the 60-bit timestamp is the millisecond in
 * 100-ns units plus a random 0..9999 below it, so ids of one millisecond differ there too; the node
 * field begins with the runner index. The timestamp exceeds 2^53, so it is composed exactly from
 * parts that stay below it.
 */
export function uuidV1(nowMs: number, runner: number, crypto: CryptoProvider): string {
  checkRunner(runner);
  if (!(nowMs >= 0 && nowMs <= UUID_V1_MAX_TIME)) {
    throw new Error(
      `nowMs: expected a millisecond timestamp 0..${UUID_V1_MAX_TIME} for a UUID v1, got ${nowMs}`,
    );
  }
  const b = crypto.randomBytes(16);
  const ms = Math.floor(nowMs) + UUID_EPOCH_OFFSET_MS;
  const ticks = ((b[0]! << 8) | b[1]!) % 10_000;
  // T = ms × 10 000 + ticks = A × 2^20 + L, with A = msHi × 10 000 and L = msLo × 10 000 + ticks
  const msHi = Math.floor(ms / 0x100000);
  const A = msHi * 10_000;
  const L = (ms - msHi * 0x100000) * 10_000 + ticks;
  const lowSum = (A % 0x1000) * 0x100000 + (L % 0x100000000);
  const timeLow = lowSum % 0x100000000;
  const above = Math.floor(A / 0x1000) + Math.floor(L / 0x100000000) + Math.floor(lowSum / 0x100000000);
  b[0] = Math.floor(timeLow / 0x1000000) & 0xff;
  b[1] = (timeLow >>> 16) & 0xff;
  b[2] = (timeLow >>> 8) & 0xff;
  b[3] = timeLow & 0xff;
  b[4] = (above >>> 8) & 0xff;
  b[5] = above & 0xff;
  b[6] = 0x10 | ((above >>> 24) & 0x0f);
  b[7] = (above >>> 16) & 0xff;
  b[8] = (b[8]! & 0x3f) | 0x80;
  // node: the runner index in its first 10 bits
  b[10] = (runner >>> 2) & 0xff;
  b[11] = ((runner & 0x03) << 6) | (b[11]! & 0x3f);
  const h = hexEncode(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function newId(kind: IdKind, nowMs: number, runner: number, crypto: CryptoProvider): string {
  return kind === 'ulid'
    ? ulid(nowMs, runner, crypto)
    : kind === 'uuid'
      ? uuidV1(nowMs, runner, crypto)
      : uuidV4(runner, crypto);
}

/** The runner index embedded by `ulid`/`uuidV4`, or undefined for an id of another shape. */
export function runnerOfId(id: string): number | undefined {
  if (ULID_PATTERN.test(id)) return CROCKFORD.indexOf(id[10]!) * 32 + CROCKFORD.indexOf(id[11]!);
  if (UUID_PATTERN.test(id)) {
    // v1: the first 10 bits of the node field; v4 (and others): the first 3 hex digits
    const r =
      id[14] === '1' ? Number.parseInt(id.slice(24, 27), 16) >>> 2 : Number.parseInt(id.slice(0, 3), 16);
    return r < MAX_RUNNERS ? r : undefined;
  }
  return undefined;
}

/**
 * The send time an id carries, ms: a ULID's time, or a v1 UUID's timestamp (to the millisecond);
 * undefined for ids without one (UUID v4).
 */
export function idTimeMs(id: string): number | undefined {
  const u = ulidTimeMs(id);
  if (u !== undefined) return u;
  if (!UUID_PATTERN.test(id) || id[14] !== '1') return undefined;
  // 60-bit timestamp T = hiMid × 2^32 + low (time_hi · time_mid · time_low), in 100-ns units;
  // T / 10 000 exactly, as 2^32 = 429 496 × 10 000 + 7 296
  const hiMid = Number.parseInt(id.slice(15, 18), 16) * 0x10000 + Number.parseInt(id.slice(9, 13), 16);
  const low = Number.parseInt(id.slice(0, 8), 16);
  const ms = hiMid * 429_496 + Math.floor((hiMid * 7_296 + low) / 10_000);
  return ms - UUID_EPOCH_OFFSET_MS;
}

/** The millisecond timestamp of a ULID (a send-time fallback when trace context was lost). */
export function ulidTimeMs(id: string): number | undefined {
  if (!ULID_PATTERN.test(id)) return undefined;
  let t = 0;
  for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(id[i]!);
  return t;
}
