/**
 * The DFSP pool: which FSPs take part, which payer→payee pairs carry load and with what weight,
 * and the MSISDN range each FSP's parties live in. Validated once in init; the per-iteration pick
 * (`PairPicker.pick`) is a binary search over precomputed cumulative weights, no allocation.
 */
import { type Problems, shown } from './errors.ts';

export interface MsisdnRange {
  /** First MSISDN of the range, digits only (FSPIOP MSISDN: `^[1-9]\d{4,14}$`). */
  first: string;
  /** How many consecutive MSISDNs the range holds (>= 1). */
  count: number;
}

export interface Dfsp {
  /** FSPIOP FspId (1..32 characters). */
  id: string;
  /** Parties of this FSP (used as payer and payee identifiers). */
  msisdn: MsisdnRange;
}

export interface Pair {
  payer: string;
  payee: string;
  /** Relative share of the load (> 0). */
  weight: number;
}

export interface DfspPool {
  dfsps: readonly Dfsp[];
  pairs: readonly Pair[];
}

const FSP_ID = /^[A-Za-z0-9_.-]{1,32}$/;
const MSISDN = /^[1-9]\d{4,14}$/;

/** The pool that matches the embedded simulator's default participants. */
export const DEFAULT_POOL: DfspPool = {
  dfsps: [
    { id: 'payerfsp', msisdn: { first: '27710000000', count: 100_000 } },
    { id: 'payeefsp', msisdn: { first: '27720000000', count: 100_000 } },
  ],
  pairs: [{ payer: 'payerfsp', payee: 'payeefsp', weight: 1 }],
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseRange(raw: unknown, field: string, problems: Problems): MsisdnRange | undefined {
  if (!isRecord(raw)) {
    problems.add(
      field,
      `expected an object such as {"first": "27710000000", "count": 1000}, got ${shown(raw)}`,
    );
    return undefined;
  }
  const first = raw.first;
  const count = raw.count;
  let ok = true;
  if (typeof first !== 'string' || !MSISDN.test(first)) {
    problems.add(
      `${field}.first`,
      `expected an MSISDN string of 5 to 15 digits not starting with 0, got ${shown(first)}`,
    );
    ok = false;
  }
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    problems.add(`${field}.count`, `expected a positive integer, got ${shown(count)}`);
    ok = false;
  }
  if (!ok) return undefined;
  const f = first as string;
  const c = count as number;
  if (String(Number(f) + c - 1).length !== f.length) {
    problems.add(
      field,
      `first ${f} + count ${c} overflows ${f.length} digits; every MSISDN of a range has the same length`,
    );
    return undefined;
  }
  return { first: f, count: c };
}

/**
 * Validates the `dfsps` and `pairs` members of the JSON config. Problems are recorded under
 * `CONFIG dfsps[i]...` / `CONFIG pairs[i]...`; the returned pool is meaningful only when no
 * problem was added.
 */
export function parsePool(rawDfsps: unknown, rawPairs: unknown, problems: Problems): DfspPool {
  const dfsps: Dfsp[] = [];
  const ids = new Set<string>();
  if (!Array.isArray(rawDfsps) || rawDfsps.length === 0) {
    problems.add(
      'CONFIG dfsps',
      `expected a non-empty array of {"id", "msisdn": {"first", "count"}}, got ${shown(rawDfsps)}`,
    );
  } else {
    rawDfsps.forEach((raw, i) => {
      const field = `CONFIG dfsps[${i}]`;
      if (!isRecord(raw)) {
        problems.add(field, `expected an object {"id", "msisdn"}, got ${shown(raw)}`);
        return;
      }
      const id = raw.id;
      if (typeof id !== 'string' || !FSP_ID.test(id)) {
        problems.add(
          `${field}.id`,
          `expected an FSP id of 1 to 32 letters, digits, '.', '_' or '-', got ${shown(id)}`,
        );
        return;
      }
      if (ids.has(id)) {
        problems.add(`${field}.id`, `FSP ${shown(id)} is listed twice`);
        return;
      }
      ids.add(id);
      const msisdn = parseRange(raw.msisdn, `${field}.msisdn`, problems);
      if (msisdn) dfsps.push({ id, msisdn });
    });
  }
  const pairs: Pair[] = [];
  if (!Array.isArray(rawPairs) || rawPairs.length === 0) {
    problems.add(
      'CONFIG pairs',
      `expected a non-empty array of {"payer", "payee", "weight"} (the set of payer→payee pairs must not be empty), got ${shown(rawPairs)}`,
    );
  } else {
    const seen = new Set<string>();
    rawPairs.forEach((raw, i) => {
      const field = `CONFIG pairs[${i}]`;
      if (!isRecord(raw)) {
        problems.add(field, `expected an object {"payer", "payee", "weight"}, got ${shown(raw)}`);
        return;
      }
      const { payer, payee } = raw;
      const weight = raw.weight ?? 1;
      let ok = true;
      for (const [name, v] of [
        ['payer', payer],
        ['payee', payee],
      ] as const) {
        if (typeof v !== 'string' || !ids.has(v)) {
          problems.add(
            `${field}.${name}`,
            `unknown FSP ${shown(v)}; expected one of the ids in CONFIG dfsps (${[...ids].join(', ')})`,
          );
          ok = false;
        }
      }
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        problems.add(`${field}.weight`, `expected a positive number, got ${shown(weight)}`);
        ok = false;
      }
      if (ok && payer === payee) {
        problems.add(field, `payer and payee are both ${shown(payer)}; a pair must name two different FSPs`);
        ok = false;
      }
      const key = `${String(payer)}→${String(payee)}`;
      if (ok && seen.has(key)) {
        problems.add(field, `pair ${key} is listed twice; merge the weights`);
        ok = false;
      }
      seen.add(key);
      if (ok) pairs.push({ payer: payer as string, payee: payee as string, weight: weight as number });
    });
  }
  return { dfsps, pairs };
}

/** Chooses a pair by weight from a uniform number in [0, 1). */
export class PairPicker {
  private readonly cumulative: Float64Array;
  private readonly total: number;

  constructor(readonly pairs: readonly Pair[]) {
    if (pairs.length === 0) throw new Error('PairPicker: no pairs');
    this.cumulative = new Float64Array(pairs.length);
    let sum = 0;
    pairs.forEach((p, i) => {
      sum += p.weight;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  /** Index of the pair that owns `u` ∈ [0, 1): the first whose cumulative weight exceeds u × total. */
  pickIndex(u: number): number {
    const x = u * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  pick(u: number): Pair {
    return this.pairs[this.pickIndex(u)]!;
  }
}

/** The MSISDN at a uniform position `u` ∈ [0, 1) of a range. */
export function msisdnAt(range: MsisdnRange, u: number): string {
  const offset = Math.min(range.count - 1, Math.floor(u * range.count));
  return String(Number(range.first) + offset);
}
