/**
 * The simulator's ledger (`GET /admin/ledger`, saved as JSON) reduced to what the gate compares:
 * transfers the hub received, committed, aborted (by error code) and still had in flight.
 *
 * Two shapes are accepted (documented in docs/analyzer.md):
 * - the simulator's own report (sim/admin.ts): `{ "transfers": { "received", "final": { "COMMITTED",
 *   "ABORTED" }, "abortedByCode": {..}, "inFlight", "syncRejected": {..}, ... }, ... }`;
 * - a minimal hand-written one, for other hubs: `{ "committed": <n>, "rejected": { "<code>": <n> }
 *   | <n>, "timedOut"?: <n> }`.
 * Every field used is checked; a bad file fails with a message naming the field.
 */
import { readFile } from 'node:fs/promises';

export interface Ledger {
  committed: number;
  /** Transfers the hub aborted / rejected after accepting them, by error code. */
  rejected: Record<string, number>;
  /** Transfers the hub expired (minimal shape only; the simulator counts them as aborted 3303). */
  timedOut?: number;
  /** Transfers the hub accepted (202) with a new id. */
  received?: number;
  /** Accepted transfers without a final state when the ledger was read. */
  inFlight?: number;
  /** Synchronous rejections by code (requests refused before becoming transfers). */
  syncRejected?: Record<string, number>;
}

export class LedgerError extends Error {
  constructor(file: string, message: string) {
    super(`--ledger ${file}: ${message}`);
    this.name = 'LedgerError';
  }
}

function count(v: unknown): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function countMap(v: unknown, field: string, file: string): Record<string, number> {
  if (v === undefined) return {};
  if (!isObject(v))
    throw new LedgerError(
      file,
      `"${field}" must be an object { errorCode: count }, got ${JSON.stringify(v)}`,
    );
  const out: Record<string, number> = {};
  for (const [code, n] of Object.entries(v)) {
    if (!count(n))
      throw new LedgerError(
        file,
        `"${field}.${code}" must be a non-negative integer, got ${JSON.stringify(n)}`,
      );
    out[code] = n as number;
  }
  return out;
}

/** The simulator's report: `transfers.final`, `transfers.abortedByCode`, ... */
function parseSimLedger(t: Record<string, unknown>, file: string): Ledger {
  const final = t['final'];
  if (!isObject(final) || !count(final['COMMITTED']) || !count(final['ABORTED'])) {
    throw new LedgerError(
      file,
      `"transfers.final" must be { COMMITTED: <n>, ABORTED: <n> }, got ${JSON.stringify(final)}`,
    );
  }
  const byCode = countMap(t['abortedByCode'], 'transfers.abortedByCode', file);
  const coded = Object.values(byCode).reduce((s, n) => s + n, 0);
  const aborted = final['ABORTED'] as number;
  if (coded > aborted) {
    throw new LedgerError(
      file,
      `"transfers.abortedByCode" adds up to ${coded}, more than final.ABORTED ${aborted}`,
    );
  }
  const rejected = { ...byCode };
  if (aborted > coded) rejected['uncoded'] = aborted - coded;
  const ledger: Ledger = { committed: final['COMMITTED'] as number, rejected };
  for (const k of ['received', 'inFlight'] as const) {
    const v = t[k];
    if (v === undefined) continue;
    if (!count(v))
      throw new LedgerError(
        file,
        `"transfers.${k}" must be a non-negative integer, got ${JSON.stringify(v)}`,
      );
    ledger[k] = v as number;
  }
  if (t['syncRejected'] !== undefined)
    ledger.syncRejected = countMap(t['syncRejected'], 'transfers.syncRejected', file);
  return ledger;
}

/** Validates a parsed ledger document. */
export function parseLedger(doc: unknown, file = '<ledger>'): Ledger {
  if (!isObject(doc)) {
    throw new LedgerError(
      file,
      "expected a JSON object: the simulator's GET /admin/ledger, or { committed, rejected, timedOut? }",
    );
  }
  const o = doc;
  if (isObject(o['transfers'])) return parseSimLedger(o['transfers'], file);
  if (!count(o['committed'])) {
    throw new LedgerError(
      file,
      `"committed" must be a non-negative integer, got ${JSON.stringify(o['committed'])}`,
    );
  }
  let rejected: Record<string, number>;
  const r = o['rejected'];
  if (count(r)) rejected = { all: r as number };
  else if (r !== null && typeof r === 'object' && !Array.isArray(r)) {
    rejected = {};
    for (const [code, n] of Object.entries(r as Record<string, unknown>)) {
      if (!count(n))
        throw new LedgerError(
          file,
          `"rejected.${code}" must be a non-negative integer, got ${JSON.stringify(n)}`,
        );
      rejected[code] = n as number;
    }
  } else if (r === undefined) rejected = {};
  else {
    throw new LedgerError(
      file,
      `"rejected" must be an object { errorCode: count } or a count, got ${JSON.stringify(r)}`,
    );
  }
  const ledger: Ledger = { committed: o['committed'] as number, rejected };
  const t = o['timedOut'];
  if (t !== undefined) {
    if (!count(t))
      throw new LedgerError(file, `"timedOut" must be a non-negative integer, got ${JSON.stringify(t)}`);
    ledger.timedOut = t as number;
  }
  return ledger;
}

export async function readLedger(file: string): Promise<Ledger> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new LedgerError(file, `cannot read: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new LedgerError(file, `not valid JSON: ${(e as Error).message}`);
  }
  return parseLedger(doc, file);
}
