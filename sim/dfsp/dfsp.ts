/**
 * One simulated DFSP's state: its counters, the payee's memory of answered prepares, and the
 * outbound API's waits for callbacks. The handlers (payee.ts, payer.ts, outbound.ts) act on it;
 * routes.ts dispatches a request to them.
 *
 * Which role a transfer callback is for: the payee remembers the ids of the prepares it answered;
 * a PUT/PATCH for one of those is a payee notification (commit confirmation, PATCH, error copy),
 * anything else is a payer callback.
 */
import { ownedText, type SimRequest } from '../runtime/message.ts';
import type { TimerEntry } from '../runtime/scheduler.ts';
import type { DfspContext } from './context.ts';

/** Longest id the payee remembers (FSPIOP ids are 26 or 36 characters); longer ones are not kept. */
export const MAX_REMEMBERED_ID = 128;

export interface DfspCounters {
  preparesAnswered: number;
  payeeNotifications: number;
  payerCallbacks: number;
  partiesAnswered: number;
  quotesAnswered: number;
  malformed: number;
}

/**
 * Ids seen recently, bounded: two generations of at most `perGeneration` ids each, each id at most
 * {@link MAX_REMEMBERED_ID} characters (and detached from the request it came in).
 */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  constructor(readonly perGeneration: number) {}
  add(id: string): void {
    if (id.length > MAX_REMEMBERED_ID || this.current.has(id)) return;
    if (this.current.size >= this.perGeneration) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(ownedText(id));
  }
  get size(): number {
    return this.current.size + this.previous.size;
  }
  /** Most ids ever held. */
  get max(): number {
    return 2 * this.perGeneration;
  }
  has(id: string): boolean {
    return this.current.has(id) || this.previous.has(id);
  }
  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}

export interface WaitHandle {
  promise: Promise<SimRequest | undefined>;
  cancel: () => void;
}

export interface PendingWait {
  resolve: (r: SimRequest | undefined) => void;
  timer: TimerEntry | undefined;
}

export class DfspSim {
  readonly payeeIds: RecentIds;
  readonly counters: DfspCounters = {
    preparesAnswered: 0,
    payeeNotifications: 0,
    payerCallbacks: 0,
    partiesAnswered: 0,
    quotesAnswered: 0,
    malformed: 0,
  };
  /** Outbound-API waits by callback key (`transfers:<id>`, `quotes:<id>`, `parties:<Type>/<ID>[/<SubId>]`). */
  private readonly pending = new Map<string, PendingWait[]>();
  private pendingCount = 0;

  constructor(
    readonly fspId: string,
    readonly ctx: DfspContext,
  ) {
    this.payeeIds = new RecentIds(ctx.options.payeeMemory);
  }

  /**
   * Waits for the callback with `key`; the promise resolves undefined on timeout or `cancel()`.
   * Undefined when this DFSP already has `maxPendingOutbound` waits.
   */
  waitFor(key: string, timeoutMs: number): WaitHandle | undefined {
    if (this.pendingCount >= this.ctx.options.maxPendingOutbound) return undefined;
    let w!: PendingWait;
    const promise = new Promise<SimRequest | undefined>((resolve) => {
      w = { resolve, timer: undefined };
    });
    this.pendingCount++;
    w.timer = this.ctx.scheduler.after(timeoutMs, () => this.settle(key, w, undefined), undefined);
    const list = this.pending.get(key);
    if (list) list.push(w);
    else this.pending.set(key, [w]);
    return { promise, cancel: () => this.settle(key, w, undefined) };
  }

  private settle(key: string, w: PendingWait, req: SimRequest | undefined): void {
    const list = this.pending.get(key);
    if (!list) return;
    const i = list.indexOf(w);
    if (i < 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.pending.delete(key);
    this.pendingCount--;
    this.ctx.scheduler.cancel(w.timer);
    w.resolve(req);
  }

  /** Outbound-API waits in progress, against `maxPendingOutbound`. */
  get pendingWaits(): number {
    return this.pendingCount;
  }

  /** Hands a callback to whoever waits for `key`; true when someone did. */
  resolvePending(key: string, req: SimRequest): boolean {
    const list = this.pending.get(key);
    if (!list) return false;
    for (const w of [...list]) this.settle(key, w, req);
    return true;
  }
}
