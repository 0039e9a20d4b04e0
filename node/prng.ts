/**
 * The one seeded pseudo-random number generator of the Node side: fault sampling in the simulator,
 * fuzz inputs, and the synthetic traces of the tests and benchmarks. The same seed gives the same
 * sequence on every machine and run, so a failing case can be replayed and accuracy figures are
 * reproducible. sfc32 (Chris Doty-Humphrey's Small Fast
 * Counting generator, public domain algorithm) seeded through splitmix32; plus the distributions
 * the traces need.
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spare = Number.NaN;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new Error(`seed: expected a finite number, got ${seed}`);
    let s = seed >>> 0 || 0x9e3779b9;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** uniform in [0, 1) */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** uniform in (0, 1]: safe for logarithms and negative powers */
  open(): number {
    return (this.u32() + 1) / 4294967296;
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** standard normal (Box-Muller, caching the second value) */
  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const v = this.spare;
      this.spare = Number.NaN;
      return v;
    }
    const r = Math.sqrt(-2 * Math.log(this.open()));
    const th = 2 * Math.PI * this.next();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  exp(mean: number): number {
    return -mean * Math.log(this.open());
  }

  /** lognormal with the given median and log-space sigma */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Pareto with the given median and tail index alpha (heavier for smaller alpha) */
  pareto(median: number, alpha: number): number {
    const xm = median / 2 ** (1 / alpha);
    return xm * this.open() ** (-1 / alpha);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/** Derives a well-mixed child seed, so each trace of a family has an independent stream. */
export function childSeed(seed: number, index: number): number {
  let z = (Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(index + 1, 0x165667b1)) | 0;
  z = Math.imul(z ^ (z >>> 15), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded source of uniform numbers in [0, 1), for code that only needs that. */
export function uniformSource(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}
