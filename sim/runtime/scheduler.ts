/**
 * One timer structure for the whole simulator: injected latencies, transfer expiry, long-poll
 * deadlines and outbound-API waits all go through it.
 *
 * Why not one `setTimeout` per item: at 2000 transfers/s with a 60 s expiration that is 120 000 live
 * Node timers, each a closure and a linked-list node inside libuv's timer list, re-armed and torn
 * down constantly. Here the items sit in one binary min-heap (each entry remembers its heap index,
 * so cancelling is O(log n)) and exactly one Node timer is armed, for the earliest deadline.
 * Zero-delay work is batched behind a single `setImmediate`, so a handler never re-enters another
 * handler on the same stack and I/O is never starved.
 *
 * Every task runs inside try/catch: a bug in one handler is counted and logged once, never a crash.
 */

export type Task<A> = (arg: A) => void;

/** A scheduled item; keep it to cancel. `index` is -1 once it ran or was cancelled. */
export interface TimerEntry {
  at: number;
  seq: number;
  index: number;
  fn: Task<unknown>;
  arg: unknown;
}

export class Scheduler {
  private readonly heap: TimerEntry[] = [];
  private seq = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private immediate: Array<Task<unknown> | unknown> = [];
  private immediateArmed = false;
  private closed = false;
  private firing = false;
  /** Tasks that threw (kept going). */
  taskErrors = 0;
  private readonly onError: (e: unknown) => void;

  constructor(onError?: (e: unknown) => void) {
    let logged = false;
    this.onError =
      onError ??
      ((e) => {
        if (!logged) {
          logged = true;
          console.error('sim: a scheduled task failed (further failures are only counted):', e);
        }
      });
  }

  /** Pending timed entries (not counting deferred zero-delay work). */
  get size(): number {
    return this.heap.length;
  }

  /** Runs `fn(arg)` soon, after the current stack and pending I/O callbacks (one setImmediate per batch). */
  defer<A>(fn: Task<A>, arg: A): void {
    if (this.closed) return;
    this.immediate.push(fn, arg);
    if (!this.immediateArmed) {
      this.immediateArmed = true;
      setImmediate(this.drainImmediate);
    }
  }

  private readonly drainImmediate = (): void => {
    this.immediateArmed = false;
    const batch = this.immediate;
    this.immediate = [];
    for (let i = 0; i < batch.length; i += 2) {
      try {
        (batch[i] as Task<unknown>)(batch[i + 1]);
      } catch (e) {
        this.taskErrors++;
        this.onError(e);
      }
    }
  };

  /** Runs `fn(arg)` after `delayMs` (0 or less: deferred). Returns the entry for `cancel`. */
  after<A>(delayMs: number, fn: Task<A>, arg: A): TimerEntry | undefined {
    if (this.closed) return undefined;
    if (!(delayMs > 0)) {
      this.defer(fn, arg);
      return undefined;
    }
    return this.at(Date.now() + delayMs, fn, arg);
  }

  /** Runs `fn(arg)` at the wall-clock instant `atMs`. */
  at<A>(atMs: number, fn: Task<A>, arg: A): TimerEntry | undefined {
    if (this.closed) return undefined;
    const e: TimerEntry = {
      at: atMs,
      seq: this.seq++,
      index: this.heap.length,
      fn: fn as Task<unknown>,
      arg,
    };
    this.heap.push(e);
    this.up(e.index);
    if (!this.firing && atMs < this.armedFor) this.arm();
    return e;
  }

  cancel(e: TimerEntry | undefined): void {
    if (!e || e.index < 0) return;
    this.removeAt(e.index);
  }

  /** Stops everything; pending work is dropped. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const e of this.heap) e.index = -1;
    this.heap.length = 0;
    this.immediate = [];
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const top = this.heap[0];
    if (!top) {
      this.armedFor = Number.POSITIVE_INFINITY;
      return;
    }
    this.armedFor = top.at;
    // Node caps timers at 2^31-1 ms; a farther deadline just re-arms when this one fires.
    const delay = Math.min(Math.max(0, top.at - Date.now()), 2_147_000_000);
    this.timer = setTimeout(this.fire, delay);
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    // Bounded: at most the entries due now (new ones scheduled by tasks land in the future or in defer).
    let budget = this.heap.length;
    this.firing = true;
    while (budget-- > 0) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.removeAt(0);
      try {
        top.fn(top.arg);
      } catch (e) {
        this.taskErrors++;
        this.onError(e);
      }
    }
    this.firing = false;
    if (!this.closed) this.arm();
  };

  private less(a: TimerEntry, b: TimerEntry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const a = h[i]!;
    const b = h[j]!;
    h[i] = b;
    h[j] = a;
    b.index = i;
    a.index = j;
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(this.heap[i]!, this.heap[p]!)) break;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(this.heap[l]!, this.heap[m]!)) m = l;
      if (r < n && this.less(this.heap[r]!, this.heap[m]!)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  private removeAt(i: number): void {
    const h = this.heap;
    const e = h[i]!;
    const last = h.pop()!;
    e.index = -1;
    if (last !== e) {
      h[i] = last;
      last.index = i;
      this.down(i);
      this.up(last.index);
    }
  }
}
