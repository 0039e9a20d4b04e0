/**
 * The callback relay (payer side): keeps the first final outcome of each transfer whose callbacks
 * reached a simulated payer DFSP and serves them to k6 — collect (cursor batches per runner), wait
 * (long-poll per transfer) and stats. Wire types and the client live in lib/protocol/relay.ts.
 *
 * Memory is bounded by one insertion-ordered index (TTL, count cap and byte budget) that every
 * other structure is a subset of: per-runner queues only hold entries still in the index and not
 * yet acknowledged, and parked long-polls are capped and leave every list the moment they are
 * answered, expire or their client goes away. An outcome evicted before anyone read it is counted
 * per runner (`evictedUnread`), never silently lost. The index also remembers delivered outcomes
 * until they age out, so a later callback for the same transfer is counted as a duplicate. Party
 * and quote callbacks (the e2e flow) are kept as their body text under the same three bounds.
 *
 * Stored text is bounded too: transfer ids are at most 64 characters, error descriptions are cut
 * to FSPIOP's 128, and everything kept is detached from the request it came in (`ownedText`).
 *
 * Access (sim/runtime/auth.ts): with a shared secret, a runner credential collects and waits only
 * for its own runner's outcomes, and a cursor can never acknowledge more than the relay has handed
 * out to that runner. When the hub runs in this process, callbacks for transfers it never saw are
 * counted (`unknownTransfers`) and not delivered.
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
  type RelayPhaseCounts,
  type RelayState,
  type RelayStats,
} from '../../lib/protocol/relay.ts';
import { e2eStartMs } from '../../lib/protocol/trace.ts';
import { DESCRIPTION_MAX, errorResponse, FspiopError, methodNotAllowed } from '../fspiop/errors.ts';
import type { Principal } from '../runtime/auth.ts';
import {
  cutText,
  json,
  ownedText,
  parseJson,
  queryParams,
  type SimRequest,
  type SimResponse,
  safeDecode,
  textBytes,
} from '../runtime/message.ts';
import type { Scheduler, TimerEntry } from '../runtime/scheduler.ts';

export interface RelayOptions {
  /** Keep outcomes (and party/quote callbacks) at most this long (ms). */
  ttlMs: number;
  /** Keep at most this many outcomes, and at most this many party/quote callbacks. */
  max: number;
  /** Byte budget of the retained outcomes (estimated heap, see OUTCOME_OVERHEAD). Default 64 MiB. */
  maxBytes?: number;
  /** Byte budget of the retained party/quote callbacks (their body text). Default 64 MiB. */
  phaseMaxBytes?: number;
  /** Cap on parked long-polls (collect + wait + phase wait). */
  maxWaiters: number;
  /**
   * A parked collect woken by an arrival answers this much later (ms), so one answer carries the
   * outcomes of that window instead of one request per outcome at 1000/s. Default 10.
   */
  lingerMs?: number;
}

/** Default byte budgets of the outcome and phase stores. */
export const RELAY_DEFAULT_MAX_BYTES = 64 * 1024 * 1024;
export const RELAY_DEFAULT_PHASE_MAX_BYTES = 64 * 1024 * 1024;
/** Longest transfer id kept (what `/relay/wait/<id>` accepts). */
export const RELAY_MAX_ID = 64;
/** Longest party/quote key kept (what `/relay/phase/<phase>/<key>` accepts). */
export const RELAY_MAX_KEY = 300;

/**
 * Heap bytes of one retained outcome beyond its strings: the outcome object, the index entry, the
 * Map slot and the queue slot (measured with V8 on Node 20: ~330 bytes for a committed outcome
 * with a 26-character id; the strings are added with `textBytes`).
 */
const OUTCOME_OVERHEAD = 300;
/** Heap bytes of one retained party/quote callback beyond its key and body text. */
const PHASE_OVERHEAD = 300;

interface Entry {
  o: RelayOutcome;
  seq: number;
  delivered: boolean;
  /** Estimated heap bytes (counted against `maxBytes`). */
  bytes: number;
}

interface CollectWaiter {
  runner: number;
  cursor: string;
  max: number;
  resolve: (r: SimResponse) => void;
  timer: TimerEntry | undefined;
  done: boolean;
}

/** A party/quote callback waiting for its phase wait: the body is kept as text (compact). */
interface PhaseEntry {
  phase: RelayPhase;
  key: string;
  /** The callback body as received. */
  text: string;
  /** Whether `text` is JSON (then it is handed out as the `body` value, else as a string). */
  isJson: boolean;
  errorPath: boolean;
  arrivedAtMs: number;
  bytes: number;
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
  /** Parked collects; each leaves the set when it is answered, expires or its client goes away. */
  readonly waiters = new Set<CollectWaiter>();
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

function forbidden(detail: string): SimResponse {
  return new FspiopError('3000', detail, undefined, 403).response();
}

/** Whose credential `who` is, for error messages. */
function whose(who: Principal | undefined): string {
  return who?.kind === 'runner' ? `runner ${who.runner}'s` : 'not a runner credential';
}

/** Whether `who` may read runner `runner`'s outcomes (undefined: access is not checked). */
function mayRead(who: Principal | undefined, runner: number): boolean {
  return who === undefined || who.kind === 'operator' || (who.kind === 'runner' && who.runner === runner);
}

/** The bounds of one store, as `/health` reports them. */
export interface StoreBounds {
  retained: number;
  bytes: number;
  max: number;
  maxBytes: number;
  ttlMs: number;
}

export interface RelayBounds {
  outcomes: StoreBounds;
  phases: StoreBounds;
  waiters: { parked: number; max: number };
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
  private unknownTransfers = 0;
  /** Estimated heap bytes of the retained outcomes and party/quote callbacks. */
  private bytes = 0;
  private phaseBytes = 0;
  private readonly maxBytes: number;
  private readonly phaseMaxBytes: number;
  /** Party/quote callbacks in arrival order (eviction), and per key (FIFO hand-out). */
  private readonly phaseAll = new Set<PhaseEntry>();
  private readonly phaseByKey = new Map<string, PhaseEntry[]>();
  private readonly phaseWaiters = new Map<string, PhaseWaiter[]>();
  private phaseCounts: RelayPhaseCounts = { received: 0, delivered: 0, evictedUnread: 0 };
  /**
   * Whether the hub knows a transfer; set when the hub runs in this process. A transfer callback
   * for a transfer it never saw is counted (`unknownTransfers`) and not delivered.
   */
  knownTransfer: ((transferId: string) => boolean) | undefined;

  constructor(
    private readonly options: RelayOptions,
    private readonly scheduler: Scheduler,
  ) {
    this.maxBytes = options.maxBytes ?? RELAY_DEFAULT_MAX_BYTES;
    this.phaseMaxBytes = options.phaseMaxBytes ?? RELAY_DEFAULT_PHASE_MAX_BYTES;
  }

  private partition(runner: number): Partition {
    let p = this.partitions.get(runner);
    if (!p) {
      p = new Partition();
      this.partitions.set(runner, p);
    }
    return p;
  }

  /**
   * Files a callback. Only the first final outcome per transfer is kept; later ones are duplicates.
   * Ids longer than {@link RELAY_MAX_ID} are the caller's to refuse (the payer answers 3100).
   */
  record(c: CallbackInput): void {
    if (this.knownTransfer && !this.knownTransfer(c.transferId)) {
      this.unknownTransfers++;
      return;
    }
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
    const transferId = ownedText(c.transferId);
    const o: RelayOutcome = { transferId, state: c.state, arrivedAtMs: c.arrivedAtMs, runner };
    let bytes = OUTCOME_OVERHEAD + textBytes(transferId);
    if (c.errorCode !== undefined) {
      o.errorCode = ownedText(cutText(c.errorCode, 32));
      bytes += textBytes(o.errorCode);
    }
    if (c.errorDescription !== undefined) {
      o.errorDescription = ownedText(cutText(c.errorDescription, DESCRIPTION_MAX));
      bytes += textBytes(o.errorDescription);
    }
    const sent = e2eStartMs(c.tracestate) ?? idTimeMs(transferId);
    if (sent !== undefined) o.sentAtMs = sent;
    const p = this.partition(runner);
    const e: Entry = { o, seq: ++p.seq, delivered: false, bytes };
    p.queue.push(e);
    p.counts.received++;
    this.index.set(transferId, e);
    this.bytes += bytes;
    while (this.index.size > this.options.max || this.bytes > this.maxBytes) {
      if (!this.evictOldest()) break;
    }
    const byId = this.waitersById.get(transferId);
    if (byId) {
      this.waitersById.delete(transferId);
      for (const w of byId) this.answerWait(w, e);
    }
    if (p.waiters.size > 0 && !p.flushing) {
      p.flushing = true;
      this.scheduler.after(this.options.lingerMs ?? 10, this.flushWaiters, p);
    }
  }

  /** Answers the parked collects of a partition that now has outcomes. */
  private readonly flushWaiters = (p: Partition): void => {
    p.flushing = false;
    for (const w of p.waiters) {
      const batch = this.collect(w.runner, w.cursor, w.max);
      // finishCollect takes it out of the set (deleting while iterating a Set is well defined).
      if (batch.outcomes.length > 0) this.finishCollect(w, batch);
    }
  };

  /** Evicts the oldest outcome; false when there is none. */
  private evictOldest(): boolean {
    const first = this.index.values().next();
    if (first.done) return false;
    this.evict(first.value);
    return true;
  }

  private evict(e: Entry): void {
    this.index.delete(e.o.transferId);
    this.bytes -= e.bytes;
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
      if (e.arrivedAtMs > cutoff) break;
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
   * up to `max` outcomes after it. A cursor never acknowledges more than the relay has handed out
   * to this runner (a cursor from the future, forged or from another relay, acknowledges nothing
   * that was never read).
   */
  collect(runner: number, cursor: string, max: number): RelayBatch {
    const p = this.partition(runner);
    const acked = cursor === RELAY_SERVED_CURSOR ? p.served : Math.min(this.parseCursor(cursor), p.served);
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
    w.timer = undefined;
    return true;
  }

  /** Retires a parked collect and takes it out of its partition's set. */
  private releaseCollect(w: CollectWaiter): boolean {
    if (!this.release(w)) return false;
    this.partitions.get(w.runner)?.waiters.delete(w);
    return true;
  }

  private finishCollect(w: CollectWaiter, batch: RelayBatch): void {
    if (!this.releaseCollect(w)) return;
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
  handleCollect(req: SimRequest, who?: Principal): SimResponse | Promise<SimResponse> {
    const q = queryParams(req.query);
    if (q.runner === undefined) return badParam('runner: required (the k6 runner index, 0..1023)');
    const runner = intParam(q, 'runner', 0, 0, 1023);
    if (typeof runner === 'string') return badParam(runner);
    if (!mayRead(who, runner)) {
      return forbidden(
        `runner: this credential is ${whose(who)}; runner ${runner}'s outcomes need runner ${runner}'s credential`,
      );
    }
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
      this.partition(runner).waiters.add(w);
      req.onClose?.(() => {
        this.releaseCollect(w);
      });
    });
  }

  /** `GET /relay/wait/<transferId>?timeoutMs=` */
  handleWait(req: SimRequest, rawId: string, who?: Principal): SimResponse | Promise<SimResponse> {
    const id = safeDecode(rawId);
    if (id.length === 0 || id.length > RELAY_MAX_ID)
      return badParam(`transferId: expected 1..${RELAY_MAX_ID} characters`);
    const runner = runnerOfId(id) ?? 0;
    if (!mayRead(who, runner)) {
      return forbidden(`transferId: the transfer is runner ${runner}'s; this credential is ${whose(who)}`);
    }
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
      const w: WaitWaiter = { id: ownedText(id), resolve, timer: undefined, done: false };
      this.waiterCount++;
      w.timer = this.scheduler.after(timeoutMs, (x: WaitWaiter) => this.expireWait(x), w);
      let list = this.waitersById.get(w.id);
      if (!list) {
        list = [];
        this.waitersById.set(w.id, list);
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

  /**
   * Files a party (`key` = `<Type>/<ID>[/<SubId>]`) or quote (`key` = quoteId) callback. Keys longer
   * than {@link RELAY_MAX_KEY} are the caller's to refuse (the payer answers 3100).
   */
  recordPhase(
    phase: RelayPhase,
    key: string,
    bodyText: string,
    errorPath: boolean,
    arrivedAtMs: number,
  ): void {
    // Parsed only to know whether it is JSON (and nests within the depth limit); kept as text.
    const isJson = parseJson(bodyText).ok;
    this.phaseCounts.received++;
    const k = `${phase}:${key}`;
    const waiters = this.phaseWaiters.get(k);
    const e: PhaseEntry = {
      phase,
      key: ownedText(key),
      text: bodyText,
      isJson,
      errorPath,
      arrivedAtMs,
      bytes: PHASE_OVERHEAD + 3 * textBytes(key) + textBytes(bodyText),
      gone: false,
    };
    while (waiters && waiters.length > 0) {
      const w = waiters.shift()!;
      if (w.done) continue;
      if (waiters.length === 0) this.phaseWaiters.delete(k);
      this.phaseCounts.delivered++;
      e.gone = true;
      this.finishPhase(w, this.phaseAnswer(e));
      return;
    }
    if (waiters) this.phaseWaiters.delete(k);
    this.phaseAll.add(e);
    this.phaseBytes += e.bytes;
    const list = this.phaseByKey.get(k);
    if (list) list.push(e);
    else this.phaseByKey.set(ownedText(k), [e]);
    while (this.phaseAll.size > this.options.max || this.phaseBytes > this.phaseMaxBytes) {
      const first = this.phaseAll.values().next();
      if (first.done) break;
      this.evictPhase(first.value);
    }
  }

  /** The 200 answer of a phase wait: `{phase, key, body, errorPath, arrivedAtMs}`, body spliced as is. */
  private phaseAnswer(e: PhaseEntry): SimResponse {
    const body = e.isJson ? e.text : JSON.stringify(e.text);
    return {
      status: 200,
      body: `{"phase":"${e.phase}","key":${JSON.stringify(e.key)},"body":${body},"errorPath":${e.errorPath},"arrivedAtMs":${e.arrivedAtMs}}`,
      headers: { 'content-type': 'application/json' },
    };
  }

  private evictPhase(e: PhaseEntry): void {
    if (this.phaseAll.delete(e)) this.phaseBytes -= e.bytes;
    if (!e.gone) {
      e.gone = true;
      this.phaseCounts.evictedUnread++;
    }
    const k = `${e.phase}:${e.key}`;
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
    if (key.length === 0 || key.length > RELAY_MAX_KEY)
      return badParam(`key: expected 1..${RELAY_MAX_KEY} characters`);
    const q = queryParams(req.query);
    const timeoutMs = intParam(q, 'timeoutMs', 10_000, 0, RELAY_MAX_WAIT_MS);
    if (typeof timeoutMs === 'string') return badParam(timeoutMs);
    const k = `${phase}:${key}`;
    const list = this.phaseByKey.get(k);
    if (list && list.length > 0) {
      const e = list.shift()!;
      if (list.length === 0) this.phaseByKey.delete(k);
      if (this.phaseAll.delete(e)) this.phaseBytes -= e.bytes;
      e.gone = true;
      this.phaseCounts.delivered++;
      return this.phaseAnswer(e);
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
    const out: RelayStats = {
      runners,
      totals,
      phases: { ...this.phaseCounts },
      interim: this.interim,
      unpartitioned: this.unpartitioned,
    };
    if (this.knownTransfer) out.unknownTransfers = this.unknownTransfers;
    return out;
  }

  /** What the relay holds against its bounds (reported by `/health`). */
  bounds(): RelayBounds {
    return {
      outcomes: {
        retained: this.index.size,
        bytes: this.bytes,
        max: this.options.max,
        maxBytes: this.maxBytes,
        ttlMs: this.options.ttlMs,
      },
      phases: {
        retained: this.phaseAll.size,
        bytes: this.phaseBytes,
        max: this.options.max,
        maxBytes: this.phaseMaxBytes,
        ttlMs: this.options.ttlMs,
      },
      waiters: { parked: this.waiterCount, max: this.options.maxWaiters },
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
    this.bytes = 0;
    this.phaseBytes = 0;
    this.unknownTransfers = 0;
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

  /**
   * Routes `/relay/...` (path relative to the relay). `who`: the authenticated principal, when access
   * is checked (sim/runtime/auth.ts; the router lets only the operator and runners through).
   */
  handle(req: SimRequest, sub: string, who?: Principal): SimResponse | Promise<SimResponse> {
    if (req.method !== 'GET') return methodNotAllowed(`${req.method} is not allowed on the relay`);
    if (sub === '/outcomes') return this.handleCollect(req, who);
    if (sub === '/stats') return json(200, this.stats());
    if (sub.startsWith('/wait/')) return this.handleWait(req, sub.slice('/wait/'.length), who);
    if (sub.startsWith('/phase/')) return this.handlePhaseWait(req, sub.slice('/phase/'.length));
    return errorResponse('3002', `unknown relay path ${sub.slice(0, 80)}`);
  }
}
