/**
 * The VU pool of k6's arrival-rate executors, shared by the two trace models (generator-trace.ts,
 * one runner's scheduling; k6-run.ts, a whole run against a hub): a due start takes the
 * longest-idle VU or is dropped when none is idle (k6 never queues a start), and a VU returns to
 * the pool when its iteration ends. Deterministic: no randomness of its own.
 */
export class VuPool {
  // idle VUs: FIFO ring (longest idle first); busy VUs: min-heap by the time they are free
  private readonly idleRing: Int32Array;
  private idleHead = 0;
  private idleLen: number;
  private readonly heapT: Float64Array;
  private readonly heapV: Int32Array;
  private heapN = 0;

  constructor(readonly maxVUs: number) {
    if (!Number.isInteger(maxVUs) || maxVUs < 1)
      throw new Error(`maxVUs: expected an integer >= 1, got ${maxVUs}`);
    this.idleRing = new Int32Array(maxVUs);
    for (let i = 0; i < maxVUs; i++) this.idleRing[i] = i;
    this.idleLen = maxVUs;
    this.heapT = new Float64Array(maxVUs);
    this.heapV = new Int32Array(maxVUs);
  }

  /** VUs running an iteration. */
  get busy(): number {
    return this.maxVUs - this.idleLen;
  }

  get idle(): number {
    return this.idleLen;
  }

  /** Returns to the pool every VU whose iteration ended at or before `t`. */
  release(t: number): void {
    while (this.heapN > 0 && this.heapT[0]! <= t) {
      this.idleRing[(this.idleHead + this.idleLen) % this.maxVUs] = this.pop();
      this.idleLen++;
    }
  }

  /** Takes the longest-idle VU for a start: its index, or -1 when none is idle (the start is dropped). */
  take(): number {
    if (this.idleLen === 0) return -1;
    const v = this.idleRing[this.idleHead]!;
    this.idleHead = (this.idleHead + 1) % this.maxVUs;
    this.idleLen--;
    return v;
  }

  /** Holds a taken VU until its iteration ends at `until`. */
  hold(v: number, until: number): void {
    let i = this.heapN++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.heapT[p]! <= until) break;
      this.heapT[i] = this.heapT[p]!;
      this.heapV[i] = this.heapV[p]!;
      i = p;
    }
    this.heapT[i] = until;
    this.heapV[i] = v;
  }

  private pop(): number {
    const v = this.heapV[0]!;
    const t = this.heapT[--this.heapN]!;
    const w = this.heapV[this.heapN]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= this.heapN) break;
      if (c + 1 < this.heapN && this.heapT[c + 1]! < this.heapT[c]!) c++;
      if (this.heapT[c]! >= t) break;
      this.heapT[i] = this.heapT[c]!;
      this.heapV[i] = this.heapV[c]!;
      i = c;
    }
    this.heapT[i] = t;
    this.heapV[i] = w;
    return v;
  }
}
