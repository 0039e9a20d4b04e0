import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constantSchedule, rampingSchedule } from '../../../lib/detectors/schedule.ts';

describe('arrival schedules', () => {
  it('constant: iteration i is due at i x timeUnit / rate', () => {
    const s = constantSchedule({ rate: 250, timeUnitMs: 1000 });
    expect(s.dueAt(0)).toBe(0);
    expect(s.dueAt(250)).toBe(1000);
    expect(s.dueBy(2000)).toBe(500);
    expect(s.rateAt(10)).toBe(250);
    const perMinute = constantSchedule({ rate: 30, timeUnitMs: 60_000 });
    expect(perMinute.dueAt(1)).toBe(2000);
    expect(perMinute.rateAt(0)).toBeCloseTo(0.5, 12);
  });

  it('ramping: due times invert the area under the rate curve (k6 starts iteration g at area g+1)', () => {
    // 0 -> 100/s over 10 s, hold 100/s for 10 s, down to 0 over 10 s
    const s = rampingSchedule({
      startRate: 0,
      stages: [
        { durationMs: 10_000, target: 100 },
        { durationMs: 10_000, target: 100 },
        { durationMs: 10_000, target: 0 },
      ],
    });
    // area at 10 s = 500 iterations, at 20 s = 1500, total 2000
    expect(s.dueBy(10_000)).toBeCloseTo(500, 9);
    expect(s.dueBy(20_000)).toBeCloseTo(1500, 9);
    expect(s.dueBy(30_000)).toBeCloseTo(2000, 9);
    expect(s.dueAt(499)).toBeCloseTo(10_000, 6); // area 500
    expect(s.dueAt(999)).toBeCloseTo(15_000, 6); // area 1000: 500 + 100/s x 5 s
    // ramp-up: area(t) = 5 t^2 (t in s) = i + 1
    expect(s.dueAt(19)).toBeCloseTo(2000, 6);
    expect(s.rateAt(5000)).toBeCloseTo(50, 9);
    expect(s.rateAt(25_000)).toBeCloseTo(50, 9);
    expect(s.dueAt(2000)).toBe(Number.POSITIVE_INFINITY);
  });

  it('ramping: dueBy(dueAt(i)) = share x (i/share + 1) for any stages (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(
          fc.record({
            durationMs: fc.integer({ min: 1000, max: 20_000 }),
            target: fc.integer({ min: 1, max: 500 }),
          }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.double({ min: 0.1, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (startRate, stages, share, at) => {
          const s = rampingSchedule({ startRate, stages, share });
          const total = s.dueBy(s.durationMs);
          const i = Math.floor(at * Math.max(0, total - share - 1));
          // Only iterations that fall due within the stages (a short, slow ramp may have none:
          // 0 -> 1/s over 1 s is half an iteration in all).
          fc.pre(share * (i / share + 1) <= total);
          const t = s.dueAt(i);
          expect(Number.isFinite(t)).toBe(true);
          expect(s.dueBy(t)).toBeCloseTo(share * (i / share + 1), 5);
          // due times never go backwards
          expect(s.dueAt(i + 1)).toBeGreaterThanOrEqual(t);
        },
      ),
      { numRuns: 200, examples: [[0, [{ durationMs: 1000, target: 1 }], 0.1, 0]] },
    );
  });

  it('ramping: a runner share scales the rate and the counts', () => {
    const full = rampingSchedule({ startRate: 100, stages: [{ durationMs: 10_000, target: 100 }] });
    const quarter = rampingSchedule({
      startRate: 100,
      stages: [{ durationMs: 10_000, target: 100 }],
      share: 0.25,
    });
    expect(quarter.rateAt(1000)).toBeCloseTo(25, 9);
    expect(quarter.dueBy(4000)).toBeCloseTo(full.dueBy(4000) / 4, 9);
    // the runner's iteration i comes at the global area i/share + 1
    expect(quarter.dueAt(10)).toBeCloseTo(full.dueAt(40), 9);
  });

  it('rejects bad inputs with the field name', () => {
    expect(() => constantSchedule({ rate: 0 })).toThrow(/rate/);
    expect(() => constantSchedule({ rate: 10, timeUnitMs: -1 })).toThrow(/timeUnitMs/);
    expect(() => rampingSchedule({ stages: [] })).toThrow(/stages/);
    expect(() => rampingSchedule({ stages: [{ durationMs: -5, target: 1 }] })).toThrow(
      /stages\[0\].durationMs/,
    );
    expect(() => rampingSchedule({ stages: [{ durationMs: 5, target: Number.NaN }] })).toThrow(
      /stages\[0\].target/,
    );
    expect(() => rampingSchedule({ stages: [{ durationMs: 5, target: 1 }], share: 2 })).toThrow(/share/);
  });
});
