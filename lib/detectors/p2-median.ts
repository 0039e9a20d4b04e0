/**
 * Streaming median of one bucket: the P-square algorithm (Jain and Chlamtac, 1985) for p = 0.5.
 * Five markers, constant memory, a handful of comparisons per sample, no allocation; exact for up
 * to five samples. Reused across buckets with `reset()`.
 */
export class P2Median {
  /** marker heights */
  private readonly q = new Float64Array(5);
  /** actual marker positions (1-based) */
  private readonly pos = new Float64Array(5);
  /** desired marker positions */
  private readonly want = new Float64Array(5);
  private n = 0;

  reset(): void {
    this.n = 0;
  }

  get count(): number {
    return this.n;
  }

  add(x: number): void {
    const q = this.q;
    const n = this.n;
    if (n < 5) {
      // insertion into the sorted first samples
      let i = n;
      while (i > 0 && q[i - 1]! > x) {
        q[i] = q[i - 1]!;
        i--;
      }
      q[i] = x;
      this.n = n + 1;
      if (this.n === 5) {
        const pos = this.pos;
        const want = this.want;
        for (let j = 0; j < 5; j++) pos[j] = j + 1;
        want[0] = 1;
        want[1] = 2;
        want[2] = 3;
        want[3] = 4;
        want[4] = 5;
      }
      return;
    }
    const pos = this.pos;
    const want = this.want;
    let k: number;
    if (x < q[0]!) {
      q[0] = x;
      k = 0;
    } else if (x < q[1]!) k = 0;
    else if (x < q[2]!) k = 1;
    else if (x < q[3]!) k = 2;
    else if (x <= q[4]!) k = 3;
    else {
      q[4] = x;
      k = 3;
    }
    for (let j = k + 1; j < 5; j++) pos[j] = pos[j]! + 1;
    this.n = n + 1;
    // desired positions for p = 0.5 grow by 0, 1/4, 1/2, 3/4, 1 per sample
    want[1] = want[1]! + 0.25;
    want[2] = want[2]! + 0.5;
    want[3] = want[3]! + 0.75;
    want[4] = want[4]! + 1;
    for (let j = 1; j <= 3; j++) {
      const d = want[j]! - pos[j]!;
      const up = pos[j + 1]! - pos[j]!;
      const down = pos[j - 1]! - pos[j]!;
      if ((d >= 1 && up > 1) || (d <= -1 && down < -1)) {
        const s = d >= 0 ? 1 : -1;
        const qp = this.parabolic(j, s);
        if (q[j - 1]! < qp && qp < q[j + 1]!) q[j] = qp;
        else q[j] = q[j]! + (s * (q[j + s]! - q[j]!)) / (pos[j + s]! - pos[j]!);
        pos[j] = pos[j]! + s;
      }
    }
  }

  private parabolic(j: number, s: number): number {
    const q = this.q;
    const n = this.pos;
    const nj = n[j]!;
    const np = n[j + 1]!;
    const nm = n[j - 1]!;
    return (
      q[j]! +
      (s / (np - nm)) *
        ((nj - nm + s) * ((q[j + 1]! - q[j]!) / (np - nj)) +
          (np - nj - s) * ((q[j]! - q[j - 1]!) / (nj - nm)))
    );
  }

  /** The median estimate; NaN when empty. */
  value(): number {
    const n = this.n;
    if (n === 0) return Number.NaN;
    if (n >= 5) return this.q[2]!;
    const q = this.q;
    return n & 1 ? q[n >> 1]! : (q[(n >> 1) - 1]! + q[n >> 1]!) / 2;
  }
}
