/**
 * Duplicate detection as central-ledger does it (docs/facts/mojaloop.md#duplicates): the hash of
 * `JSON.stringify(parsedBody)` — key order as received, so a reordered body counts as modified —
 * stored per transfer id, once for the prepare and once for the fulfil.
 *
 * - Prepare: same hash and the transfer RESERVED/COMMITTED/ABORTED -> resend the current state from
 *   Hub to the payer; same hash still RECEIVED -> ignore; other hash -> 3106 to the payer.
 * - Fulfil: same hash and COMMITTED/ABORTED -> resend the state to the payee; same hash
 *   RECEIVED/RESERVED -> ignore; other hash -> 3106 to the payee.
 */
import * as nodeCryptoModule from 'node:crypto';
import type { TransferRecord } from './ledger.ts';

/** Node >= 20.12 has a one-shot `crypto.hash`, about twice as fast as createHash for small inputs. */
const oneShot = (nodeCryptoModule as { hash?: (alg: string, data: string, enc: 'base64') => string }).hash;

/** base64 SHA-256 of `JSON.stringify(parsed)`. Call before schema validation (ajv may coerce). */
export function bodyHash(parsed: unknown): string {
  const text = JSON.stringify(parsed);
  return oneShot
    ? oneShot('sha256', text, 'base64')
    : nodeCryptoModule.createHash('sha256').update(text).digest('base64');
}

export type DuplicateAction = 'resend' | 'ignore' | 'modified';

export function prepareDuplicateAction(existing: TransferRecord, hash: string): DuplicateAction {
  if (existing.prepareHash !== hash) return 'modified';
  return existing.state === 'RECEIVED' ? 'ignore' : 'resend';
}

/** Undefined when this is the first fulfil of the transfer. */
export function fulfilDuplicateAction(existing: TransferRecord, hash: string): DuplicateAction | undefined {
  if (existing.fulfilHash === undefined) return undefined;
  if (existing.fulfilHash !== hash) return 'modified';
  return existing.state === 'COMMITTED' || existing.state === 'ABORTED' ? 'resend' : 'ignore';
}
