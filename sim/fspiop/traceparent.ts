/**
 * Trace ids for outgoing calls (W3C trace context): a brand-new trace, or the next hop of an
 * incoming one. Shared by the hub (every hop it sends) and the DFSP outbound API (each request it
 * starts).
 */
import { randomFillSync } from 'node:crypto';
import { parseTraceparent } from '../../lib/protocol/trace.ts';

/**
 * Span and trace ids come from a pool of random bytes refilled 8 KiB at a time: one
 * `randomFillSync` per ~1000 ids instead of a crypto call (and a copy) per hop.
 */
const pool = Buffer.allocUnsafe(8192);
let poolOffset = pool.length;
const ZEROS = /^0+$/;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const out = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  // All-zero ids are invalid in W3C trace context.
  return ZEROS.test(out) ? `${out.slice(0, -1)}1` : out;
}

/** A traceparent for a brand-new trace (the hub's timeout span). */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}

/** The hop's traceparent: same trace, new parent-id; a new trace when the incoming one is missing/bad. */
export function nextTraceparent(incoming: string | undefined): string {
  const p = parseTraceparent(incoming);
  return p ? `00-${p.traceId}-${randomHex(8)}-${p.flags}` : newTraceparent();
}
