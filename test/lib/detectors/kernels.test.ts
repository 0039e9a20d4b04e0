import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketSeries } from '../../../lib/detectors/bucket-series.ts';
import { cleanWindow } from '../../../lib/detectors/clean.ts';
import { poissonTail } from '../../../lib/detectors/hub.ts';
import { P2Median } from '../../../lib/detectors/p2-median.ts';
import {
  diffNoiseSigma,
  lagNoiseSigma,
  medianInPlace,
  periodicNoiseSigma,
  selectInPlace,
} from '../../../lib/detectors/robust.ts';
import { Prng } from '../../../node/prng.ts';

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

describe('robust kernels', () => {
  it('selectInPlace returns the k-th smallest for any input', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.nat(),
        (xs, k0) => {
          const k = k0 % xs.length;
          const a = Float64Array.from(xs);
          expect(selectInPlace(a, xs.length, k)).toBe(sorted(xs)[k]);
        },
      ),
    );
  });

  it('medianInPlace matches the sorted median (odd and even lengths, ties)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 60 }), (xs) => {
        const s = sorted(xs);
        const n = s.length;
        const want = n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
        expect(medianInPlace(Float64Array.from(xs), n)).toBe(want);
      }),
    );
  });

  it('P-square median is exact up to 5 samples and close after', () => {
    const rng = new Prng(3);
    const p = new P2Median();
    for (const n of [1, 2, 3, 4, 5]) {
      p.reset();
      const xs = Array.from({ length: n }, () => rng.normal());
      for (const x of xs) p.add(x);
      expect(p.value()).toBeCloseTo(medianInPlace(Float64Array.from(xs), n), 12);
    }
    for (const n of [50, 500, 5000]) {
      p.reset();
      const xs = Array.from({ length: n }, () => rng.lognormal(100, 0.4));
      for (const x of xs) p.add(x);
      const exact = medianInPlace(Float64Array.from(xs), n);
      // rank error under 5 % of n around the median
      const below = xs.filter((x) => x < p.value()).length / n;
      expect(Math.abs(below - 0.5)).toBeLessThan(0.05);
      expect(Math.abs(p.value() - exact) / exact).toBeLessThan(0.08);
    }
  });

  it('diff-based noise estimates sigma on noise, and ignores a level, a trend and a few jumps', () => {
    const rng = new Prng(9);
    const n = 720;
    const y = new Float64Array(n);
    const v = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) y[i] = 200 + 0.5 * i + 4 * rng.normal() + (i % 90 === 45 ? 100 : 0);
    const s = diffNoiseSigma(y, v, n, new Float64Array(n));
    expect(s).toBeGreaterThan(3.4);
    expect(s).toBeLessThan(4.6);
    // empty buckets are skipped, not read as zero differences
    for (let i = 0; i < n; i += 3) v[i] = 0;
    const s2 = diffNoiseSigma(y, v, n, new Float64Array(n));
    expect(s2).toBeGreaterThan(3.1);
    expect(s2).toBeLessThan(4.9);
  });

  it('lag noise cancels a periodic signal; the periodic estimate switches only for one', () => {
    const rng = new Prng(4);
    const n = 360;
    const saw = new Float64Array(n);
    const flat = new Float64Array(n);
    const v = new Uint8Array(n).fill(1);
    // a 6-bucket sawtooth whose drop falls inside a bucket (that bucket holds a mixed median)
    const cycle = [0, 16, 32, 48, 64, 32];
    for (let i = 0; i < n; i++) {
      saw[i] = 100 + cycle[i % 6]! + 2 * rng.normal();
      flat[i] = 100 + 2 * rng.normal();
    }
    const tmp = new Float64Array(n);
    expect(lagNoiseSigma(saw, v, n, 6, tmp)).toBeLessThan(2.6);
    // the short sawtooth inflates the difference-based estimate...
    const base = diffNoiseSigma(saw, v, n, tmp);
    expect(base).toBeGreaterThan(3);
    // ...and the periodic estimate finds the period and the true noise
    const out = new Float64Array(1);
    const per = periodicNoiseSigma(saw, v, n, base, 4, 16, 0.7, tmp, out);
    expect(per).toBeLessThan(2.6);
    expect(out[0]).toBe(6);
    const flatBase = diffNoiseSigma(flat, v, n, tmp);
    expect(periodicNoiseSigma(flat, v, n, flatBase, 4, 16, 0.7, tmp, out)).toBe(flatBase);
    expect(out[0]).toBe(0);
  });

  it('cleanWindow keeps ramps and edges, trims one- and two-bucket bursts, fills empties', () => {
    const n = 40;
    const y = new Float64Array(n);
    const v = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) y[i] = i < 20 ? i : 100; // ramp then a step
    y[8] = 500; // a one-bucket spike
    y[30] = 400; // a two-bucket burst
    y[31] = 400;
    v[12] = 0; // an empty bucket
    const out = new Float64Array(n);
    cleanWindow(y, v, n, 1, 3, out);
    expect(out[8]).toBeLessThan(15);
    expect(out[12]).toBe(11); // carried forward
    expect(out[19]).toBe(19);
    expect(out[20]).toBe(100); // the step survives
    expect(out[30]).toBeLessThanOrEqual(103);
    expect(out[31]).toBeLessThanOrEqual(103);
    expect(out[5]).toBe(5);
  });
});

describe('poissonTail', () => {
  it('matches the exact Poisson upper tail', () => {
    const exact = (k: number, l: number) => {
      let p = 0;
      let term = Math.exp(-l);
      for (let j = 0; j < k; j++) {
        p += term;
        term *= l / (j + 1);
      }
      return 1 - p;
    };
    for (const [k, l] of [
      [1, 0.5],
      [3, 0.15],
      [8, 0.5],
      [12, 2],
      [20, 5],
    ] as const) {
      expect(poissonTail(k, l)).toBeCloseTo(exact(k, l), 12);
      expect(poissonTail(k, l) / exact(k, l)).toBeCloseTo(1, 6);
    }
    expect(poissonTail(0, 3)).toBe(1);
    expect(poissonTail(4, 0)).toBe(0);
  });
});

describe('BucketSeries', () => {
  it('closes buckets on time, counts samples, records gaps as empty', () => {
    const b = new BucketSeries(1000, 8);
    expect(b.add(10_200, 5)).toBe(0);
    b.add(10_900, 7);
    expect(b.add(11_100, 1)).toBe(1); // closes [10000, 11000)
    expect(b.size).toBe(1);
    expect(b.cnt[b.indexOf(0)]).toBe(2);
    expect(b.med[b.indexOf(0)]).toBe(6);
    expect(b.max[b.indexOf(0)]).toBe(7);
    expect(b.add(14_000, 3)).toBe(3); // closes 11000 (1 sample), 12000 and 13000 (empty)
    expect(b.size).toBe(4);
    expect(b.cnt[b.indexOf(0)]).toBe(0);
    expect(Number.isNaN(b.med[b.indexOf(0)]!)).toBe(true);
    // a gap longer than the ring keeps at most `capacity` buckets and counts all closes
    const before = b.closed;
    expect(b.advance(100_000)).toBe(86);
    expect(b.closed).toBe(before + 86);
    expect(b.size).toBe(8);
  });

  it('rejects bad sizes with the field name', () => {
    expect(() => new BucketSeries(0, 8)).toThrow(/bucketMs/);
    expect(() => new BucketSeries(1000, 2)).toThrow(/capacity/);
  });

  it('pushBucket takes pre-aggregated buckets with gaps', () => {
    const b = new BucketSeries(1000, 16);
    b.pushBucket(0, 10, 5, 12, 0);
    b.pushBucket(3000, 20, 4, 25, 1);
    expect(b.size).toBe(4);
    const out = new Float64Array(4);
    const valid = new Uint8Array(4);
    b.copyRecent(b.med, 4, out, valid);
    expect(Array.from(valid)).toEqual([1, 0, 0, 1]);
    expect(out[0]).toBe(10);
    expect(out[3]).toBe(20);
  });
});
