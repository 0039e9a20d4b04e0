/**
 * The callback relay (payer side): keeps the first final outcome of each transfer whose callbacks
 * reached a simulated payer DFSP and serves them to k6 — collect (cursor batches per runner), wait
 * (long-poll per transfer) and stats. Wire types and the client live in lib/protocol/relay.ts.
 *
 * Memory is bounded by one insertion-ordered index (TTL + cap) that every other structure is a
 * subset of: per-runner queues only hold entries still in the index and not yet acknowledged, and
 * parked long-polls are capped. An outcome evicted before anyone read it is counted per runner
 * (`evictedUnread`), never silently lost. The index also remembers delivered outcomes until they
 * age out, so a later callback for the same transfer is counted as a duplicate.
 */

import { idTimeMs, runnerOfId } from '../../lib/protocol/ids.ts';
import {
  RELAY_MAX_BATCH,
  RELAY_MAX_WAIT_MS,
  RELAY_SERVED_CURSOR,
  type RelayBatch,
  type RelayCounts,
  type RelayOutcome,
  type RelayPhase,
  type RelayPhaseCallback,
  type RelayPhaseCounts,
  type RelayState,
  type RelayStats,
} from '../../lib/protocol/relay.ts';
import { e2eStartMs } from '../../lib/protocol/trace.ts';
import { errorResponse, methodNotAllowed } from '../fspiop/errors.ts';
import { json, queryParams, type SimRequest, type SimResponse, safeDecode } from '../runtime/message.ts';
import type { Scheduler, TimerEntry } from '../runtime/scheduler.ts';

export interface RelayOptions {
  /** Keep outcomes at most this long (ms). */
  ttlMs: number;
  /** Keep at most this many outcomes. */
  max: number;
  /** Cap on parked long-polls (collect + wait). */
  maxWaiters: number;
  /**
   * A parked collect woken by an arrival answers this much later (ms), so one answer carries the
   * outcomes of that window instead of one request per outcome at 1000/s. Default 10.
   */
  lingerMs?: number;
}

interface Entry {
  o: RelayOutcome;
  seq: number;
  delivered: boolean;
}

interface CollectWaiter {
  runner: number;
  cursor: string;
  max: number;
  resolve: (r: SimResponse) => void;
  timer: TimerEntry | undefined;
  done: boolean;
}

interface PhaseEntry {
  cb: RelayPhaseCallback;
  /** Taken by a wait, or evicted. */
  gone: boolean;
}

interface PhaseWaiter {
  k: string;
  resolve: (r: SimResponse) => void;
  timer: TimerEntry | undefined;
  done: boolean;
}

interface WaitWaiter {
  id: string;
  resolve: (r: SimResponse) => void;
  timer: TimerEntry | undefined;
  done: boolean;
}

class Partition {
  queue: Entry[] = [];
  head = 0;
  seq = 0;
  /** Seq of the last outcome handed out in an answered batch (what `cursor=served` acknowledges). */
  served = 0;
  counts: RelayCounts = { received: 0, delivered: 0, evictedUnread: 0, duplicates: 0, pending: 0 };
  waiters: CollectWaiter[] = [];
  /** A linger flush is scheduled for this partition's waiters. */
  flushing = false;

  compact(): void {
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/** What the payer simulator hands the relay for each transfer callback. */
export interface CallbackInput {
  transferId: string;
  /** Final state, or undefined for a non-final callback (counted as interim). */
  state: RelayState | undefined;
  errorCode?: string;
  errorDescription?: string;
  tracestate: string | undefined;
  arrivedAtMs: number;
}

function badParam(detail: string): SimResponse {
  return errorResponse('3100', detail);
}

function intParam(
  q: Record<string, string>,
  name: string,
  def: number,
  min: number,
  max: number,
): number | string {
  const raw = q[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d{1,9}$/.test(raw))
    return `${name}: expected an integer ${min}..${max}, got ${JSON.stringify(raw.slice(0, 20))}`;
  const v = Number(raw);
  if (v < min || v > max) return `${name}: expected an integer ${min}..${max}, got ${v}`;
  return v;
}

export class Relay {
  /** Changes on every start (and reset), so a cursor from a previous relay is recognised as stale. */
  private epoch = Date.now().toString(36);
  private readonly index = new Map<string, Entry>();
  private readonly partitions = new Map<number, Partition>();
  private readonly waitersById = new Map<string, WaitWaiter[]>();
  private waiterCount = 0;
  private interim = 0;
  private unpartitioned = 0;
  /** Party/quote callbacks in arrival order (eviction), and per key (FIFO hand-out). */
  private readonly phaseAll = new Set<PhaseEntry>();
  private readonly phaseByKey = new Map<string, PhaseEntry[]>();
  private readonly phaseWaiters = new Map<string, PhaseWaiter[]>();
  private phaseCounts: RelayPhaseCounts = { received: 0, delivered: 0, evictedUnread: 0 };

  constructor(
    private readonly options: RelayOptions,
    private readonly scheduler: Scheduler,
  ) {}

  private partition(runner: number): Partition {
    let p = this.partitions.get(runner);
    if (!p) {
      p = new Partition();
      this.partitions.set(runner, p);
    }
    return p;
  }

  /** Files a callback. Only the first final outcome per transfer is kept; later ones are duplicates. */
  record(c: CallbackInput): void {
    const existing = this.index.get(c.transferId);
    if (c.state === undefined) {
      this.interim++;
      return;
    }
    if (existing) {
      this.partition(existing.o.runner).counts.duplicates++;
      return;
    }
    let runner = runnerOfId(c.transferId);
    if (runner === undefined) {
      runner = 0;
      this.unpartitioned++;
    }
    const o: RelayOutcome = { transferId: c.transferId, state: c.state, arrivedAtMs: c.arrivedAtMs, runner };
    if (c.errorCode !== undefined) o.errorCode = c.errorCode;
    if (c.errorDescription !== undefined) o.errorDescription = c.errorDescription;
    const sent = e2eStartMs(c.tracestate) ?? idTimeMs(c.transferId);
    if (sent !== undefined) o.sentAtMs = sent;
    const p = this.partition(runner);
    const e: Entry = { o, seq: ++p.seq, delivered: false };
    p.queue.push(e);
    p.counts.received++;
    this.index.set(c.transferId, e);
    if (this.index.size > this.options.max) this.evictOldest();
    const byId = this.waitersById.get(c.transferId);
    if (byId) {
      this.waitersById.delete(c.transferId);
      for (const w of byId) this.answerWait(w, e);
    }
    if (p.waiters.length > 0 && !p.flushing) {
      p.flushing = true;
      this.scheduler.after(this.options.lingerMs ?? 10, this.flushWaiters, p);
    }
  }

  /** Answers the parked collects of a partition that now has outcomes. */
  private readonly flushWaiters = (p: Partition): void => {
    p.flushing = false;
    const ws = p.waiters;
    p.waiters = [];
    for (const w of ws) {
      if (w.done) continue;
      const batch = this.collect(w.runner, w.cursor, w.max);
      if (batch.outcomes.length === 0) p.waiters.push(w);
      else this.finishCollect(w, batch);
    }
  };

  private evictOldest(): void {
    const first = this.index.values().next();
    if (!first.done) this.evict(first.value);
  }

  private evict(e: Entry): void {
    this.index.delete(e.o.transferId);
    const p = this.partition(e.o.runner);
    if (!e.delivered) p.counts.evictedUnread++;
    if (p.queue[p.head] === e) {
      p.head++;
      p.compact();
    }
  }

  /** Drops outcomes older than the TTL. */
  sweep(nowMs: number): void {
    const cutoff = nowMs - this.options.ttlMs;
    for (const e of this.index.values()) {
      if (e.o.arrivedAtMs > cutoff) break;
      this.evict(e);
    }
    for (const e of this.phaseAll) {
      if (e.cb.arrivedAtMs > cutoff) break;
      this.evictPhase(e);
    }
  }

  private parseCursor(cursor: string): number {
    const dot = cursor.indexOf('.');
    if (dot < 0 || cursor.slice(0, dot) !== this.epoch) return 0;
    const n = Number(cursor.slice(dot + 1));
    return Number.isSafeInteger(n) && n >= 0 ? n : 0;
  }

  /**
   * Acknowledges everything up to `cursor` (`served`: everything already handed out), then returns
   * up to `max` outcomes after it.
   */
  collect(runner: number, cursor: string, max: number): RelayBatch {
    const p = this.partition(runner);
    const acked = cursor === RELAY_SERVED_CURSOR ? p.served : this.parseCursor(cursor);
    while (p.head < p.queue.length && p.queue[p.head]!.seq <= acked) {
      const e = p.queue[p.head]!;
      if (!e.delivered) {
        e.delivered = true;
        p.counts.delivered++;
      }
      p.head++;
    }
    p.compact();
    const outcomes: RelayOutcome[] = [];
    let last = acked;
    for (let i = p.head; i < p.queue.length && outcomes.length < max; i++) {
      const e = p.queue[i]!;
      last = e.seq;
      if (!e.delivered) outcomes.push(e.o);
    }
    return {
      cursor: `${this.epoch}.${last}`,
      outcomes,
      evicted: p.counts.evictedUnread,
      duplicates: p.counts.duplicates,
    };
  }

  /**
   * Retires a parked request: marks it done, frees its waiter slot and cancels its timer. False when
   * it was already done (answered, expired or closed), so the caller must not answer it again.
   */
  private release(w: { done: boolean; timer: TimerEntry | undefined }): boolean {
    if (w.done) return false;
    w.done = true;
    this.waiterCount--;
    this.scheduler.cancel(w.timer);
    return true;
  }

  private finishCollect(w: CollectWaiter, batch: RelayBatch): void {
    if (!this.release(w)) return;
    w.resolve(this.answer(w.runner, batch));
  }

  /** Answers a collect, remembering how far the partition's outcomes have been handed out. */
  private answer(runner: number, batch: RelayBatch): SimResponse {
    const p = this.partition(runner);
    const last = this.parseCursor(batch.cursor);
    if (last > p.served) p.served = last;
    return json(200, batch);
  }

  private answerWait(w: WaitWaiter, e: Entry): void {
    if (!this.release(w)) return;
    if (!e.delivered) {
      e.delivered = true;
      this.partition(e.o.runner).counts.delivered++;
    }
    w.resolve(json(200, e.o));
  }

  /** `GET /relay/outcomes?runner=&cursor=&max=&waitMs=` */
  handleCollect(req: SimRequest): SimResponse | Promise<SimResponse> {
    const q = queryParams(req.query);
    if (q.runner === undefined) return badParam('runner: required (the k6 runner index, 0..1023)');
    const runner = intParam(q, 'runner', 0, 0, 1023);
    if (typeof runner === 'string') return badParam(runner);
    const max = intParam(q, 'max', 1000, 1, RELAY_MAX_BATCH);
    if (typeof max === 'string') return badParam(max);
    const waitMs = intParam(q, 'waitMs', 0, 0, RELAY_MAX_WAIT_MS);
    if (typeof waitMs === 'string') return badParam(waitMs);
    const cursor = q.cursor ?? '';
    if (cursor.length > 64) return badParam('cursor: expected the opaque cursor of the previous answer');
    const batch = this.collect(runner, cursor, max);
    if (batch.outcomes.length > 0 || waitMs === 0 || this.waiterCount >= this.options.maxWaiters)
      return this.answer(runner, batch);
    // Park with the cursor as acknowledged now, so a wake-up answers from the same point.
    return new Promise<SimResponse>((resolve) => {
      const w: CollectWaiter = { runner, cursor: batch.cursor, max, resolve, timer: undefined, done: false };
      this.waiterCount++;
      w.timer = this.scheduler.after(
        waitMs,
        (x: CollectWaiter) => this.finishCollect(x, this.collect(x.runner, x.cursor, x.max)),
        w,
      );
      this.partition(runner).waiters.push(w);
      req.onClose?.(() => {
        this.release(w);
      });
    });
  }

  /** `GET /relay/wait/<transferId>?timeoutMs=` */
  handleWait(req: SimRequest, rawId: string): SimResponse | Promise<SimResponse> {
    const id = safeDecode(rawId);
    if (id.length === 0 || id.length > 64) return badParam('transferId: expected 1..64 characters');
    const q = queryParams(req.query);
    const timeoutMs = intParam(q, 'timeoutMs', 10_000, 0, RELAY_MAX_WAIT_MS);
    if (typeof timeoutMs === 'string') return badParam(timeoutMs);
    const e = this.index.get(id);
    if (e) {
      if (!e.delivered) {
        e.delivered = true;
        this.partition(e.o.runner).counts.delivered++;
      }
      return json(200, e.o);
    }
    if (timeoutMs === 0) return { status: 204 };
    if (this.waiterCount >= this.options.maxWaiters) {
      return errorResponse('2003', `relay: ${this.options.maxWaiters} requests are already waiting`);
    }
    return new Promise<SimResponse>((resolve) => {
      const w: WaitWaiter = { id, resolve, timer: undefined, done: false };
      this.waiterCount++;
      w.timer = this.scheduler.after(timeoutMs, (x: WaitWaiter) => this.expireWait(x), w);
      let list = this.waitersById.get(id);
      if (!list) {
        list = [];
        this.waitersById.set(id, list);
      }
      list.push(w);
      req.onClose?.(() => {
        if (!w.done) this.expireWait(w);
      });
    });
  }

  private expireWait(w: WaitWaiter): void {
    if (!this.release(w)) return;
    const list = this.waitersById.get(w.id);
    if (list) {
      const rest = list.filter((x) => x !== w);
      if (rest.length === 0) this.waitersById.delete(w.id);
      else this.waitersById.set(w.id, rest);
    }
    w.resolve({ status: 204 });
  }

  // ---------------------------------------------------------------- phase callbacks (e2e flow)

  /** Files a party (`key` = `<Type>/<ID>[/<SubId>]`) or quote (`key` = quoteId) callback. */
  recordPhase(
    phase: RelayPhase,
    key: string,
    bodyText: string,
    errorPath: boolean,
    arrivedAtMs: number,
  ): void {
    let body: unknown = bodyText;
    try {
      body = JSON.parse(bodyText);
    } catch {
      // kept as text; the client reports it as unreadable
    }
    const cb: RelayPhaseCallback = { phase, key, body, errorPath, arrivedAtMs };
    this.phaseCounts.received++;
    const k = `${phase}:${key}`;
    const waiters = this.phaseWaiters.get(k);
    while (waiters && waiters.length > 0) {
      const w = waiters.shift()!;
      if (w.done) continue;
      if (waiters.length === 0) this.phaseWaiters.delete(k);
      this.phaseCounts.delivered++;
      this.finishPhase(w, json(200, cb));
      return;
    }
    if (waiters) this.phaseWaiters.delete(k);
    const e: PhaseEntry = { cb, gone: false };
    this.phaseAll.add(e);
    const list = this.phaseByKey.get(k);
    if (list) list.push(e);
    else this.phaseByKey.set(k, [e]);
    if (this.phaseAll.size > this.options.max) {
      const first = this.phaseAll.values().next();
      if (!first.done) this.evictPhase(first.value);
    }
  }

  private evictPhase(e: PhaseEntry): void {
    this.phaseAll.delete(e);
    if (!e.gone) {
      e.gone = true;
      this.phaseCounts.evictedUnread++;
    }
    const k = `${e.cb.phase}:${e.cb.key}`;
    const list = this.phaseByKey.get(k);
    if (list) {
      const i = list.indexOf(e);
      if (i >= 0) list.splice(i, 1);
      if (list.length === 0) this.phaseByKey.delete(k);
    }
  }

  private finishPhase(w: PhaseWaiter, r: SimResponse): void {
    if (!this.release(w)) return;
    w.resolve(r);
  }

  /** `GET /relay/phase/<parties|quotes>/<key>?timeoutMs=` */
  handlePhaseWait(req: SimRequest, rest: string): SimResponse | Promise<SimResponse> {
    const slash = rest.indexOf('/');
    const phase = slash < 0 ? rest : rest.slice(0, slash);
    if (phase !== 'parties' && phase !== 'quotes') return badParam('phase: expected "parties" or "quotes"');
    const key = safeDecode(slash < 0 ? '' : rest.slice(slash + 1));
    if (key.length === 0 || key.length > 300) return badParam('key: expected 1..300 characters');
    const q = queryParams(req.query);
    const timeoutMs = intParam(q, 'timeoutMs', 10_000, 0, RELAY_MAX_WAIT_MS);
    if (typeof timeoutMs === 'string') return badParam(timeoutMs);
    const k = `${phase}:${key}`;
    const list = this.phaseByKey.get(k);
    if (list && list.length > 0) {
      const e = list.shift()!;
      if (list.length === 0) this.phaseByKey.delete(k);
      this.phaseAll.delete(e);
      e.gone = true;
      this.phaseCounts.delivered++;
      return json(200, e.cb);
    }
    if (timeoutMs === 0) return { status: 204 };
    if (this.waiterCount >= this.options.maxWaiters) {
      return errorResponse('2003', `relay: ${this.options.maxWaiters} requests are already waiting`);
    }
    return new Promise<SimResponse>((resolve) => {
      const w: PhaseWaiter = { k, resolve, timer: undefined, done: false };
      this.waiterCount++;
      const remove = (): void => {
        const ws = this.phaseWaiters.get(k);
        if (ws) {
          const i = ws.indexOf(w);
          if (i >= 0) ws.splice(i, 1);
          if (ws.length === 0) this.phaseWaiters.delete(k);
        }
      };
      w.timer = this.scheduler.after(
        timeoutMs,
        (x: PhaseWaiter) => {
          remove();
          this.finishPhase(x, { status: 204 });
        },
        w,
      );
      const ws = this.phaseWaiters.get(k);
      if (ws) ws.push(w);
      else this.phaseWaiters.set(k, [w]);
      req.onClose?.(() => {
        if (!w.done) {
          remove();
          this.finishPhase(w, { status: 204 });
        }
      });
    });
  }

  stats(): RelayStats {
    const runners: Record<string, RelayCounts> = {};
    const totals: RelayCounts = { received: 0, delivered: 0, evictedUnread: 0, duplicates: 0, pending: 0 };
    for (const [r, p] of this.partitions) {
      const c = p.counts;
      const pending = Math.max(0, c.received - c.delivered - c.evictedUnread);
      runners[String(r)] = { ...c, pending };
      totals.received += c.received;
      totals.delivered += c.delivered;
      totals.evictedUnread += c.evictedUnread;
      totals.duplicates += c.duplicates;
      totals.pending += pending;
    }
    return {
      runners,
      totals,
      phases: { ...this.phaseCounts },
      interim: this.interim,
      unpartitioned: this.unpartitioned,
    };
  }

  /** Looks up the retained outcome of one transfer (admin ledger lookup). */
  outcomeOf(transferId: string): RelayOutcome | undefined {
    return this.index.get(transferId)?.o;
  }

  /** Forgets everything (admin reset); parked requests are answered empty. */
  reset(): void {
    for (const p of this.partitions.values()) {
      for (const w of p.waiters)
        this.finishCollect(w, { cursor: '', outcomes: [], evicted: 0, duplicates: 0 });
    }
    for (const list of this.waitersById.values()) for (const w of [...list]) this.expireWait(w);
    for (const ws of this.phaseWaiters.values()) for (const w of ws) this.finishPhase(w, { status: 204 });
    this.phaseWaiters.clear();
    this.phaseAll.clear();
    this.phaseByKey.clear();
    this.phaseCounts = { received: 0, delivered: 0, evictedUnread: 0 };
    this.index.clear();
    this.partitions.clear();
    this.waitersById.clear();
    this.waiterCount = 0;
    this.interim = 0;
    this.unpartitioned = 0;
    this.epoch = (Date.now() + 1).toString(36) + Math.floor(Math.random() * 1e6).toString(36);
  }

  /** Routes `/relay/...` (path relative to the relay). */
  handle(req: SimRequest, sub: string): SimResponse | Promise<SimResponse> {
    if (req.method !== 'GET') return methodNotAllowed(`${req.method} is not allowed on the relay`);
    if (sub === '/outcomes') return this.handleCollect(req);
    if (sub === '/stats') return json(200, this.stats());
    if (sub.startsWith('/wait/')) return this.handleWait(req, sub.slice('/wait/'.length));
    if (sub.startsWith('/phase/')) return this.handlePhaseWait(req, sub.slice('/phase/'.length));
    return errorResponse('3002', `unknown relay path ${sub.slice(0, 80)}`);
  }
}
