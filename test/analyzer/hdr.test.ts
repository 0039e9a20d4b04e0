import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bucketIndex, bucketLow, bucketWidth, HDR_RELATIVE_ERROR, Hdr } from '../../analyzer/hdr.ts';
import { exactQuantile } from './helpers.ts';

/** Values spread over many magnitudes: 1 µs .. 100 s. */
const latency = fc.double({ min: 0.001, max: 100_000, noNaN: true, noDefaultInfinity: true });

function within(est: number, truth: number): boolean {
  // One bucket width relative to the value, plus the 1 µs truncation of recording.
  return Math.abs(est - truth) <= truth * HDR_RELATIVE_ERROR + 0.001 + 1e-9;
}

describe('Hdr', () => {
  it('indexes every value into the bucket that contains it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (x) => {
        const idx = bucketIndex(x);
        const lo = bucketLow(idx);
        return (
          lo <= x && x < lo + bucketWidth(idx) && bucketWidth(idx) <= Math.max(1, lo * HDR_RELATIVE_ERROR)
        );
      }),
    );
  });

  it('reports every quantile within its precision of the exact nearest-rank value', () => {
    fc.assert(
      fc.property(
        fc.array(latency, { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (xs, q) => {
          const h = new Hdr();
          for (const x of xs) h.record(x);
          const truth = exactQuantile(xs, q === 0 ? 1e-9 : q);
          return within(h.quantile(q === 0 ? 1e-9 : q), truth);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('merging the histograms of a partition equals one histogram of everything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(latency, { maxLength: 100 }), { minLength: 1, maxLength: 6 }),
        (parts) => {
          const all = new Hdr();
          const merged = new Hdr();
          for (const p of parts) {
            const h = new Hdr();
            for (const x of p) {
              h.record(x);
              all.record(x);
            }
            h.compact();
            merged.merge(h);
          }
          if (all.count === 0) return merged.count === 0;
          for (const q of [0.01, 0.5, 0.9, 0.95, 0.99, 0.999]) {
            if (merged.quantile(q) !== all.quantile(q)) return false;
          }
          return merged.count === all.count && merged.max === all.max && merged.min === all.min;
        },
      ),
    );
  });

  it('keeps its answers through compaction and regrowth', () => {
    const h = new Hdr();
    for (let i = 1; i <= 1000; i++) h.record(i * 0.37);
    const before = [0.5, 0.95, 0.99].map((q) => h.quantile(q));
    h.compact();
    expect([0.5, 0.95, 0.99].map((q) => h.quantile(q))).toEqual(before);
    h.record(0.0001);
    h.record(90_000);
    expect(h.count).toBe(1002);
    expect(h.quantile(1)).toBe(90_000);
    expect(h.quantile(0)).toBe(0.0001);
  });

  it('clamps negative and out-of-range values and counts them', () => {
    const h = new Hdr();
    h.record(-5);
    h.record(1e9); // ~11.6 days in ms: above the 71-minute range
    expect(h.clamped).toBe(2);
    expect(h.count).toBe(2);
    expect(h.quantile(0.5)).toBeGreaterThanOrEqual(-5);
  });

  it('is empty-safe and counts values above a line without over-counting', () => {
    const h = new Hdr();
    expect(Number.isNaN(h.quantile(0.5))).toBe(true);
    expect(h.countAbove(10)).toBe(0);
    for (let i = 0; i < 100; i++) h.record(i); // 0..99 ms
    const above = h.countAbove(49.5);
    expect(above).toBeLessThanOrEqual(50);
    expect(above).toBeGreaterThanOrEqual(49);
    expect(h.countAbove(1000)).toBe(0);
  });

  it('stays small: a second of 1000 latencies over three octaves needs a few KB', () => {
    const h = new Hdr();
    for (let i = 0; i < 1000; i++) h.record(50 + (i % 350));
    h.compact();
    expect(h.byteSize()).toBeLessThan(2_000);
  });
});
