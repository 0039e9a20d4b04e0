import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { add, eq, ONE, parseRat, type Rat, rat, ratString, ZERO } from '../../../lib/plan/rational.ts';
import {
  equalStriping,
  filledSequence,
  formatSegment,
  formatSequence,
  iterationsPerRunner,
  operatorSegments,
  parseSegment,
  parseSequence,
  runnerIndexOf,
  type Segment,
  Striping,
  scaleCount,
  scheduledTicks,
  shareForSegment,
  splitArrivalRate,
  splitInt,
} from '../../../lib/plan/segments.ts';

const sumRat = (xs: Rat[]): Rat => xs.reduce(add, ZERO);
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('parsing segments and sequences (k6 syntax)', () => {
  it.each([
    ['1/4:2/4', '1/4:1/2'],
    ['0.25:0.5', '1/4:1/2'],
    ['25%:50%', '1/4:1/2'],
    ['2/4:75%', '1/2:3/4'],
    ['1/5', '0:1/5'],
    ['20%', '0:1/5'],
    ['0.2', '0:1/5'],
    ['2.5e-1:1', '1/4:1'],
    ['', '0:1'],
  ])('%s is %s', (text, expected) => {
    expect(formatSegment(parseSegment(text))).toBe(expected);
  });

  it('treats null/undefined as the whole test', () => {
    expect(formatSegment(parseSegment(null))).toBe('0:1');
    expect(formatSegment(parseSegment(undefined))).toBe('0:1');
  });

  it.each([
    ['12.5%:50%', /whole percentages/],
    ['3/4:1/4', /must be less than its end/],
    ['0:5/4', /at most 1/],
    ['-1/4:1/4', /at least 0/],
    ['a:b', /expected a fraction/],
    ['1/0:1', /zero denominator/],
    ['0:1:2', /from:to/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSegment(text)).toThrow(message);
  });

  it('parses sequences and prints them back reduced', () => {
    expect(formatSequence(parseSequence('0,1/4,2/4,3/4,1')!)).toBe('0,1/4,1/2,3/4,1');
    expect(formatSequence(parseSequence('0,25%,0.5,1')!)).toBe('0,1/4,1/2,1');
    expect(parseSequence('')).toBeNull();
    expect(parseSequence(null)).toBeNull();
    expect(() => parseSequence('1/2')).toThrow(/at least 2 points/);
    expect(() => parseSequence('0,1/2,1/4,1')).toThrow(/must be less than its end/);
  });

  it('fills a partial sequence, or the surroundings of a lone segment', () => {
    expect(formatSequence(filledSequence(parseSequence('1/4,1/2'), null))).toBe('0,1/4,1/2,1');
    expect(formatSequence(filledSequence(null, parseSegment('1/4:1/2')))).toBe('0,1/4,1/2,1');
    expect(formatSequence(filledSequence(null, null))).toBe('0,1');
  });

  it('parses rationals exactly', () => {
    expect(ratString(parseRat('0.1', 'x'))).toBe('1/10');
    expect(ratString(parseRat('6/8', 'x'))).toBe('3/4');
    expect(ratString(parseRat('1e2', 'x'))).toBe('100');
    expect(() => parseRat('1e999999', 'x')).toThrow(/exponent/);
    expect(() => parseRat('0x10', 'field-name')).toThrow(/field-name/);
  });
});

describe("k6-operator's segment flags", () => {
  it('matches the operator unit test for N=3, i=1', () => {
    expect(operatorSegments(3)[0]).toEqual({ segment: '0:1/3', sequence: '0,1/3,2/3,1' });
  });

  it('does not reduce fractions (N=4 prints 2/4)', () => {
    expect(operatorSegments(4).map((s) => s.segment)).toEqual(['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1']);
    expect(operatorSegments(4)[0]!.sequence).toBe('0,1/4,2/4,3/4,1');
  });

  it('refuses parallelism outside 1..1024', () => {
    expect(() => operatorSegments(0)).toThrow(/parallelism/);
    expect(() => operatorSegments(1025)).toThrow(/parallelism/);
  });
});

describe('splits observed on a real k6', () => {
  // k6 v2.2.0 (/work/k6bin/k6), constant-arrival-rate, preAllocatedVUs = maxVUs, each segment run
  // separately with the operator's flags; iterations counted from the summary.
  it('rate 100/s, maxVUs 10, 4 runners: maxVUs 3/3/2/2, rates 30/30/20/20, 91/90/60/60 iterations in 3 s', () => {
    const shares = splitArrivalRate({ rate: 100, preAllocatedVUs: 10, maxVUs: 10 }, 4);
    expect(shares.map((s) => s.maxVUs)).toEqual([3, 3, 2, 2]);
    expect(shares.map((s) => s.perSecond)).toEqual([30, 30, 20, 20]);
    const iters = iterationsPerRunner(10, 4, scheduledTicks(100, 1000, 3000));
    expect(iters).toEqual([91, 90, 60, 60]);
    // The reference note (k6 v1.3.0) lists 90/60/60/91 — the same counts in another runner order.
    expect([...iters].sort()).toEqual([90, 60, 60, 91].sort());
  });

  it('rate 101/s, maxVUs 21, 3 runners: 102/101/101 iterations in 3 s', () => {
    const shares = splitArrivalRate({ rate: 101, preAllocatedVUs: 21 }, 3);
    expect(shares.map((s) => s.maxVUs)).toEqual([7, 7, 7]);
    expect(iterationsPerRunner(21, 3, scheduledTicks(101, 1000, 3000))).toEqual([102, 101, 101]);
  });

  it('rate 1000/s, maxVUs 500, 3 runners: 669/668/664 iterations in 2 s', () => {
    expect(splitArrivalRate({ rate: 1000, preAllocatedVUs: 500 }, 3).map((s) => s.maxVUs)).toEqual([
      167, 167, 166,
    ]);
    expect(iterationsPerRunner(500, 3, scheduledTicks(1000, 1000, 2000))).toEqual([669, 668, 664]);
  });

  it('a segment without its sequence stripes differently (30/20/30/30 per second for the same test)', () => {
    const scenario = { rate: 100, preAllocatedVUs: 10 };
    const rates = ['0:1/4', '1/4:2/4', '2/4:3/4', '3/4:1'].map(
      (seg) => shareForSegment(scenario, seg, null).perSecond,
    );
    expect(rates).toEqual([30, 20, 30, 30]);
  });
});

describe('splits from docs/facts/k6.md#vu-split and #rate-split', () => {
  it.each([
    [1000, 3, [334, 333, 333], [334, 333, 333]],
    [500, 3, [167, 167, 166], [334, 334, 332]],
    [10, 4, [3, 3, 2, 2], [300, 300, 200, 200]],
    [400, 4, [100, 100, 100, 100], [250, 250, 250, 250]],
    [2, 3, [1, 1, 0], [500, 500, 0]],
  ])('rate 1000/s, maxVUs %i over %i runners', (maxVUs, n, vus, rates) => {
    const shares = splitArrivalRate({ rate: 1000, preAllocatedVUs: maxVUs }, n);
    expect(shares.map((s) => s.maxVUs)).toEqual(vus);
    expect(shares.map((s) => s.perSecond)).toEqual(rates);
    expect(shares.map((s) => s.idle)).toEqual(vus.map((v) => v === 0));
  });

  it('preAllocatedVUs 2, maxVUs 10 over 4: pre 1/1/0/0, max 3/3/2/2', () => {
    const shares = splitArrivalRate({ rate: 10, preAllocatedVUs: 2, maxVUs: 10 }, 4);
    expect(shares.map((s) => s.preAllocatedVUs)).toEqual([1, 1, 0, 0]);
    expect(shares.map((s) => s.maxVUs)).toEqual([3, 3, 2, 2]);
  });

  it('100 VUs over 3 equal runners: 34/33/33', () => {
    expect(splitInt(100, 3)).toEqual([34, 33, 33]);
  });

  it("k6's own test: sequence 0,1/4,3/4,1 with maxVUs 5 starts 1/5, 3/5, 1/5 of the iterations", () => {
    const scenario = { rate: 50, preAllocatedVUs: 5 };
    const seq = '0,1/4,3/4,1';
    const shares = ['0:1/4', '1/4:3/4', '3/4:1'].map((seg) => shareForSegment(scenario, seg, seq).share);
    expect(shares.map(ratString)).toEqual(['1/5', '3/5', '1/5']);
  });

  it('an unsegmented run is runner 0 with everything', () => {
    const s = shareForSegment({ rate: 1000, preAllocatedVUs: 7 }, null, null);
    expect([s.runner, s.maxVUs, s.perSecond, ratString(s.share)]).toEqual([0, 7, 1000, '1']);
  });

  it('refuses a segment that is not in the sequence', () => {
    expect(() => shareForSegment({ rate: 1, preAllocatedVUs: 1 }, '0:1/3', '0,1/4,1')).toThrow(
      /not part of the sequence/,
    );
  });

  it('refuses absurd denominators instead of stalling', () => {
    expect(() => new Striping(parseSequence('0,1/10000019,1')!)).toThrow(/cycle longer than/);
  });

  it('honours timeUnit (rate 90 per minute over 3 runners with maxVUs 3 is 0.5/s each)', () => {
    const shares = splitArrivalRate({ rate: 90, timeUnitMs: 60_000, preAllocatedVUs: 3 }, 3);
    expect(shares.map((s) => s.perSecond)).toEqual([0.5, 0.5, 0.5]);
  });
});

describe('properties of the striping, N = 1..16', () => {
  const nArb = fc.integer({ min: 1, max: 16 });
  const valueArb = fc.integer({ min: 0, max: 5000 });

  it('per-runner values add up exactly to the total', () => {
    fc.assert(
      fc.property(nArb, valueArb, (n, v) => {
        expect(sum(splitInt(v, n))).toBe(v);
      }),
    );
  });

  it('is monotone: one more unit raises exactly one runner by one', () => {
    fc.assert(
      fc.property(nArb, valueArb, (n, v) => {
        const a = splitInt(v, n);
        const b = splitInt(v + 1, n);
        const diffs = b.map((x, i) => x - a[i]!);
        expect(diffs.every((d) => d === 0 || d === 1)).toBe(true);
        expect(sum(diffs)).toBe(1);
      }),
    );
  });

  it('equal segments differ by at most one, and split multiples of N evenly', () => {
    fc.assert(
      fc.property(nArb, valueArb, (n, v) => {
        const parts = splitInt(v, n);
        expect(Math.max(...parts) - Math.min(...parts)).toBeLessThanOrEqual(1);
        expect(splitInt(v * n, n)).toEqual(Array(n).fill(v));
      }),
    );
  });

  it('rate shares sum to exactly 1 and follow the maxVUs split; idle iff maxVUs_i = 0', () => {
    fc.assert(
      fc.property(
        nArb,
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 5000 }),
        (n, maxVUs, rate) => {
          const shares = splitArrivalRate({ rate, preAllocatedVUs: maxVUs }, n);
          expect(eq(sumRat(shares.map((s) => s.share)), ONE)).toBe(true);
          expect(eq(sumRat(shares.map((s) => s.rate)), rat(rate))).toBe(true);
          for (const s of shares) {
            expect(eq(s.share, rat(s.maxVUs, maxVUs))).toBe(true);
            expect(s.idle).toBe(s.maxVUs === 0);
          }
          expect(shares.filter((s) => s.idle).length).toBe(Math.max(0, n - maxVUs));
        },
      ),
    );
  });

  it('gives every runner rate/N when maxVUs is a multiple of N', () => {
    fc.assert(
      fc.property(nArb, fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 5000 }), (n, k, rate) => {
        for (const s of splitArrivalRate({ rate, preAllocatedVUs: k * n }, n)) {
          expect(eq(s.rate, rat(rate, n))).toBe(true);
        }
      }),
    );
  });

  it('iterations started per runner add up to the ticks, and agree with the rate shares over whole cycles', () => {
    fc.assert(
      fc.property(
        nArb,
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 20000 }),
        (n, maxVUs, ticks) => {
          const iters = iterationsPerRunner(maxVUs, n, ticks);
          expect(sum(iters)).toBe(ticks);
          const shares = splitArrivalRate({ rate: 1, preAllocatedVUs: maxVUs }, n);
          for (const [i, s] of shares.entries()) {
            // Within one stripe cycle of the exact share.
            expect(Math.abs(iters[i]! - (ticks * s.maxVUs) / maxVUs)).toBeLessThanOrEqual(maxVUs);
            if (s.idle) expect(iters[i]).toBe(0);
          }
        },
      ),
    );
  });

  it('re-cut stripes partition the global iteration indices: no index started twice, none skipped', () => {
    fc.assert(
      fc.property(nArb, fc.integer({ min: 1, max: 60 }), (n, maxVUs) => {
        const base = equalStriping(n);
        const cuts = base.segments.map((_, i) => base.resegment(maxVUs, i));
        const total = 3 * maxVUs + 7;
        const seen: number[] = [];
        for (const cut of cuts) {
          if (cut === null) continue;
          const count = Number(cut.striping.scale(cut.index, total));
          seen.push(...cut.striping.positions(cut.index, count));
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, i) => i));
      }),
    );
  });
});

describe('properties over arbitrary sequences', () => {
  // Random full sequences with small denominators (cut points k/d).
  const seqArb = fc.integer({ min: 2, max: 24 }).chain((d) =>
    fc.uniqueArray(fc.integer({ min: 1, max: d - 1 }), { maxLength: 6 }).map((cuts): Segment[] => {
      const points = [0, ...cuts.sort((a, b) => a - b), d];
      return points.slice(1).map((p, i) => ({ from: rat(points[i]!, d), to: rat(p, d) }));
    }),
  );

  it('ScaleInt64 parts sum to the value, and every cycle position has exactly one owner', () => {
    fc.assert(
      fc.property(seqArb, fc.integer({ min: 0, max: 10_000 }), (seq, v) => {
        const s = new Striping(seq);
        expect(sum(seq.map((_, i) => Number(s.scale(i, v))))).toBe(v);
        const counts = seq.map(() => 0);
        for (let p = 0; p < s.lcd; p++) counts[s.ownerOf(p)]!++;
        expect(counts).toEqual(s.perCycle);
      }),
    );
  });

  it('is monotone (stable): one more unit raises exactly one segment by one', () => {
    fc.assert(
      fc.property(seqArb, fc.integer({ min: 0, max: 10_000 }), (seq, v) => {
        const s = new Striping(seq);
        const diffs = seq.map((_, i) => Number(s.scale(i, v + 1) - s.scale(i, v)));
        expect(diffs.every((d) => d === 0 || d === 1)).toBe(true);
        expect(sum(diffs)).toBe(1);
      }),
    );
  });

  it('matches k6 v2.2.0 on an uneven sequence, where a part may miss length × value by more than one', () => {
    // shared-iterations, vus 15, iterations 4238, sequence 0,2/15,7/15,2/3,1, one run per segment:
    // k6 started 564/1413/848/1413 iterations (exact shares: 565.07/1412.67/847.6/1412.67).
    const s = new Striping(parseSequence('0,2/15,7/15,2/3,1')!);
    expect([0, 1, 2, 3].map((i) => Number(s.scale(i, 4238)))).toEqual([564, 1413, 848, 1413]);
  });
});

describe('per-runner count thresholds', () => {
  it('scale by the share and never exceed the global count in sum', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 0, max: 1e7 }),
        (n, maxVUs, count) => {
          const parts = splitArrivalRate({ rate: 1, preAllocatedVUs: maxVUs }, n).map((s) =>
            scaleCount(count, s.share),
          );
          expect(sum(parts)).toBeLessThanOrEqual(count);
          expect(sum(parts)).toBeGreaterThanOrEqual(count - n);
        },
      ),
    );
    expect(scaleCount(600_000, rat(1, 4))).toBe(150_000);
    expect(() => scaleCount(-1, rat(1, 2))).toThrow(/count/);
  });
});

describe('runner index from the execution segment', () => {
  it.each([
    [null, null, 0],
    ['0:1', null, 0],
    ['0:1/4', '0,1/4,1/2,3/4,1', 0],
    ['1/4:1/2', '0,1/4,1/2,3/4,1', 1],
    ['3/4:1', '0,1/4,1/2,3/4,1', 3],
    ['2/3:1', null, 2],
    ['50%:75%', null, 2],
    ['0.5:1', null, 1],
  ] as const)('%s (%s) → %d', (seg, seq, idx) => expect(runnerIndexOf(seg, seq)).toBe(idx));

  it('finds runner i of N for every N (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(), (n, k) => {
        const i = k % n;
        const seq = ['0', ...Array.from({ length: n }, (_, j) => `${j + 1}/${n}`)].join(',');
        expect(runnerIndexOf(`${i}/${n}:${i + 1}/${n}`, seq)).toBe(i);
        expect(runnerIndexOf(`${i}/${n}:${i + 1}/${n}`)).toBe(i);
      }),
    );
  });

  it('asks for RUNNER when the segment is not one of N equal ones', () => {
    expect(() => runnerIndexOf('1/3:3/4')).toThrow(/RUNNER/);
    expect(() => runnerIndexOf('garbage')).toThrow(/RUNNER/);
  });
});
