/**
 * Per-transfer expiry timers (central-ledger's timeout handler). Each in-flight transfer has one
 * entry in the shared timer heap (sim/runtime/scheduler.ts), removed as soon as the transfer is
 * final, so the heap only ever holds in-flight transfers — a far-future expiration (the harness
 * uses 2030) costs nothing once the transfer completes.
 */
import type { Scheduler } from '../runtime/scheduler.ts';
import type { TransferRecord } from './ledger.ts';

export function armExpiry(
  scheduler: Scheduler,
  r: TransferRecord,
  onExpire: (r: TransferRecord) => void,
): void {
  if (Number.isFinite(r.expirationMs) && r.expirationMs > Date.now()) {
    r.expiry = scheduler.at(r.expirationMs, onExpire, r);
  }
}

export function disarmExpiry(scheduler: Scheduler, r: TransferRecord): void {
  if (r.expiry) {
    scheduler.cancel(r.expiry);
    r.expiry = undefined;
  }
}
