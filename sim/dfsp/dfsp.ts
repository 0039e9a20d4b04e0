/**
 * A simulated DFSP: the FSPIOP endpoints the hub calls (`/dfsp/<fspId>/...`) and the synchronous
 * outbound API (`/dfsp/<fspId>/outbound/...`). Every simulated DFSP is both a payee (answers
 * POST /transfers, GET /parties, POST /quotes) and a payer (receives the callbacks of its own
 * requests, feeds the relay, resolves outbound-API waits).
 *
 * Which role a transfer callback is for: the payee remembers the ids of the prepares it answered;
 * a PUT/PATCH for one of those is a payee notification (commit confirmation, PATCH, error copy),
 * anything else is a payer callback.
 */
import type { Faults } from '../faults.ts';
import { errorResponse } from '../hub/errors.ts';
import type { SimRequest, SimResponse } from '../message.ts';
import type { Relay } from '../relay.ts';
import type { Scheduler, TimerEntry } from '../scheduler.ts';
import type { Transport } from '../transport.ts';
import { handleOutbound } from './outbound.ts';
import { onPartiesGet, onQuotesPost, onTransfersPost } from './payee.ts';
import { onPayerPartiesCallback, onPayerQuotesCallback, onTransferCallback } from './payer.ts';

export interface DfspOptions {
  /** HMAC key derived from the ILP secret (`ilpSecretKey`). */
  ilpKey: Uint8Array;
  /** Fulfil with transferState RESERVED (asks the hub for a commit PATCH). Default false. */
  reserveNotification: boolean;
  /** Payee checks that the prepare's condition matches its ILP packet (SDK CHECK_ILP). Default true. */
  checkIlp: boolean;
  /** Quote expiry when the quote request has none, seconds. */
  quoteExpirySeconds: number;
  /** Prepare expiry of outbound-API transfers, seconds (SDK EXPIRY_SECONDS). */
  transferExpirySeconds: number;
  /** How long the outbound API waits for each callback, ms (SDK REQUEST_PROCESSING_TIMEOUT_SECONDS). */
  outboundTimeoutMs: number;
  /** Max concurrent outbound-API waits per DFSP. */
  maxPendingOutbound: number;
  /** Payee memory of answered prepares (ids), per generation; two generations are kept. */
  payeeMemory: number;
}

export interface HubUrls {
  transfers: string;
  quotes: string;
  parties: string;
}

export interface DfspCounters {
  preparesAnswered: number;
  payeeNotifications: number;
  payerCallbacks: number;
  partiesAnswered: number;
  quotesAnswered: number;
  malformed: number;
}

/** What all simulated DFSPs of one process share. */
export class DfspContext {
  hubUrls: HubUrls = { transfers: '', quotes: '', parties: '' };

  constructor(
    readonly options: DfspOptions,
    readonly scheduler: Scheduler,
    readonly transport: Transport,
    readonly faults: Faults,
    /** The relay fed by payer callbacks; undefined for a payee-only service. */
    readonly relay: Relay | undefined,
  ) {}
}

/** Ids seen recently, bounded: two generations of at most `perGeneration` each. */
export class RecentIds {
  private current = new Set<string>();
  private previous = new Set<string>();
  constructor(private readonly perGeneration: number) {}
  add(id: string): void {
    if (this.current.size >= this.perGeneration) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(id);
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

  /** Hands a callback to whoever waits for `key`; true when someone did. */
  resolvePending(key: string, req: SimRequest): boolean {
    const list = this.pending.get(key);
    if (!list) return false;
    for (const w of [...list]) this.settle(key, w, req);
    return true;
  }

  /** Routes a request under `/dfsp/<fspId>`; `sub` is the rest of the path. */
  handle(req: SimRequest, sub: string): SimResponse | Promise<SimResponse> {
    if (sub.startsWith('/outbound/')) return handleOutbound(this, req, sub.slice('/outbound'.length));
    const segs = sub.split('/');
    const resource = segs[1];
    const m = req.method;
    if (resource === 'transfers') {
      if (segs.length === 2 && m === 'POST') return onTransfersPost(this, req);
      if (
        (segs.length === 3 && (m === 'PUT' || m === 'PATCH')) ||
        (segs.length === 4 && segs[3] === 'error' && m === 'PUT')
      ) {
        return onTransferCallback(this, req, segs[2]!, segs.length === 4);
      }
    } else if (resource === 'parties') {
      const isError = segs[segs.length - 1] === 'error';
      if (m === 'GET' && !isError && segs.length >= 4 && segs.length <= 5)
        return onPartiesGet(this, req, segs.slice(2));
      if (m === 'PUT')
        return onPayerPartiesCallback(this, req, segs.slice(2, isError ? -1 : undefined), isError);
    } else if (resource === 'quotes') {
      if (segs.length === 2 && m === 'POST') return onQuotesPost(this, req);
      if (m === 'PUT' && (segs.length === 3 || (segs.length === 4 && segs[3] === 'error'))) {
        return onPayerQuotesCallback(this, req, segs[2]!, segs.length === 4);
      }
    }
    return errorResponse('3002', `DFSP ${this.fspId} has no endpoint ${m} ${sub.slice(0, 80)}`);
  }
}
