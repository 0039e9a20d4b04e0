/**
 * The hub's transfer ledger: one record per transfer id, plus cumulative counters for
 * reconciliation (`GET /admin/ledger`).
 *
 * Memory is bounded: records are kept in insertion order and evicted when older than the retention
 * TTL or beyond the cap. A record evicted while still in flight (e.g. a 2030 expiration whose
 * callback was lost) is counted as `evictedInFlight`; counters are cumulative and never evicted, so
 * reconciliation totals stay exact however long the run.
 */
import type { TimerEntry } from '../runtime/scheduler.ts';

export type TransferState = 'RECEIVED' | 'RESERVED' | 'COMMITTED' | 'ABORTED';
export type Api = 'fspiop' | 'iso20022';

export interface TransferRecord {
  transferId: string;
  payerFsp: string;
  payeeFsp: string;
  amount: string;
  currency: string;
  /** Amount in 10^-4 units. */
  units: bigint;
  condition: string;
  expiration: string;
  expirationMs: number;
  api: Api;
  state: TransferState;
  /** Whether the payer's position currently holds this amount. */
  reserved: boolean;
  prepareHash: string;
  fulfilHash?: string;
  fulfilment?: string;
  completedTimestamp?: string;
  errorCode?: string;
  errorDescription?: string;
  createdAtMs: number;
  completedAtMs?: number;
  /** The payee asked for a commit notification (fulfil sent with RESERVED). */
  reserveNotification?: boolean;
  expiry?: TimerEntry;
}

export interface RetentionOptions {
  /** Keep records at most this long (ms). */
  ttlMs: number;
  /** Keep at most this many records. */
  max: number;
}

function bump(m: Record<string, number>, key: string, by = 1): void {
  m[key] = (m[key] ?? 0) + by;
}

export class Ledger {
  private readonly records = new Map<string, TransferRecord>();
  readonly counters = {
    /** POST /transfers accepted (202) with a new id. */
    received: 0,
    /** Transfers that reached a final state, by state. */
    final: { COMMITTED: 0, ABORTED: 0 } as Record<'COMMITTED' | 'ABORTED', number>,
    /** Aborted transfers by error code. */
    abortedByCode: {} as Record<string, number>,
    /** Synchronous rejections (4xx/5xx answers to DFSP requests) by code. */
    syncRejected: {} as Record<string, number>,
    /** Duplicate POSTs: resent state, ignored (in progress), modified (3106). */
    duplicatePrepare: { resent: 0, ignored: 0, modified: 0 },
    /** Duplicate fulfils: resent state, ignored, modified (3106). */
    duplicateFulfil: { resent: 0, ignored: 0, modified: 0 },
    /** PUT with transferState ABORTED (REJECT): ignored as the reference hub does. */
    rejectIgnored: 0,
    /** RESERVED fulfils sent with content version 1.0: dropped. */
    reservedV10Dropped: 0,
    /** Fulfil/error callbacks for unknown transfers. */
    unknownTransferCallbacks: 0,
    /** Errors from a payee for transfers already final. */
    lateErrors: 0,
    evicted: 0,
    evictedInFlight: 0,
  };
  onEvictInFlight: (r: TransferRecord) => void = () => {};

  constructor(private readonly retention: RetentionOptions) {}

  get size(): number {
    return this.records.size;
  }

  get(id: string): TransferRecord | undefined {
    return this.records.get(id);
  }

  add(r: TransferRecord): void {
    this.records.set(r.transferId, r);
    this.counters.received++;
    if (this.records.size > this.retention.max) this.evictOldest();
  }

  /** Records the final state of a transfer in the counters (call once per transfer). */
  finish(
    r: TransferRecord,
    state: 'COMMITTED' | 'ABORTED',
    nowMs: number,
    code?: string,
    description?: string,
  ): void {
    r.state = state;
    r.completedAtMs = nowMs;
    this.counters.final[state]++;
    if (state === 'ABORTED') {
      r.errorCode = code;
      r.errorDescription = description;
      if (code) bump(this.counters.abortedByCode, code);
    }
  }

  countSyncRejection(code: string): void {
    bump(this.counters.syncRejected, code);
  }

  private evictOldest(): void {
    const first = this.records.values().next();
    if (first.done) return;
    this.evict(first.value);
  }

  private evict(r: TransferRecord): void {
    this.records.delete(r.transferId);
    this.counters.evicted++;
    if (r.state === 'RECEIVED' || r.state === 'RESERVED') {
      this.counters.evictedInFlight++;
      this.onEvictInFlight(r);
    }
  }

  /** Drops records older than the TTL (insertion order = age order). */
  sweep(nowMs: number): void {
    const cutoff = nowMs - this.retention.ttlMs;
    for (const r of this.records.values()) {
      if (r.createdAtMs > cutoff) break;
      this.evict(r);
    }
  }

  /** Current states of the retained records. */
  statesRetained(): Record<TransferState, number> {
    const out: Record<TransferState, number> = { RECEIVED: 0, RESERVED: 0, COMMITTED: 0, ABORTED: 0 };
    for (const r of this.records.values()) out[r.state]++;
    return out;
  }

  clear(): void {
    for (const r of this.records.values()) this.onEvictInFlight(r);
    this.records.clear();
    const c = this.counters;
    c.received = 0;
    c.final = { COMMITTED: 0, ABORTED: 0 };
    c.abortedByCode = {};
    c.syncRejected = {};
    c.duplicatePrepare = { resent: 0, ignored: 0, modified: 0 };
    c.duplicateFulfil = { resent: 0, ignored: 0, modified: 0 };
    c.rejectIgnored = 0;
    c.reservedV10Dropped = 0;
    c.unknownTransferCallbacks = 0;
    c.lateErrors = 0;
    c.evicted = 0;
    c.evictedInFlight = 0;
  }
}
