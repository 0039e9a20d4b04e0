import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VU_HEADROOM } from '../../../lib/config/profiles.ts';
import { ceil, mul, rat, ratFromNumber } from '../../../lib/plan/rational.ts';
import { splitArrivalRate } from '../../../lib/plan/segments.ts';
import { DEFAULT_HEADROOM, sizeVus } from '../../../lib/plan/sizing.ts';

describe("sizeVus (Little's law)", () => {
  it.each([
    // targetTps, holdMs, headroom, parallelism → vus
    [1000, 50, 2, 1, 100],
    [1000, 50, 2, 4, 100],
    [1000, 50, 2, 3, 102],
    [1000, 500, 2, 4, 1000],
    [1000, 1500, 1.5, 4, 2252],
    [5, 50, 2, 1, 1],
    [5, 50, 2, 2, 2],
    // 0.1 × 3: floats give 0.30000000000000004; exact arithmetic gives 1 VU, not more.
    [3, 100, 1, 1, 1],
    [30, 100, 1, 1, 3],
    // 1.1 × 1000 × 0.1 = 110 exactly (floats: 110.00000000000001 → 111).
    [1000, 100, 1.1, 1, 110],
  ])('%s TPS × %s ms × %s over %s runner(s) → %s VUs', (tps, hold, headroom, p, vus) => {
    const s = sizeVus({ targetTps: tps, holdMs: hold, headroom, parallelism: p });
    expect(s.vus).toBe(vus);
    expect(s.maxVUs).toBe(vus);
    expect(s.preAllocatedVUs).toBe(vus);
    expect(s.perRunner).toEqual(Array(p).fill(vus / p));
  });

  it('shows its arithmetic', () => {
    const s = sizeVus({ targetTps: 1000, holdMs: 50, parallelism: 3 });
    expect(s.arithmetic).toBe(
      'VUs = ceil(1000/s × 0.05 s × headroom 2) = ceil(100) = 100; rounded up to a multiple of parallelism 3: 102 (34 per runner); maxVUs = preAllocatedVUs = 102',
    );
  });

  it('uses the load profiles headroom by default', () => {
    expect(DEFAULT_HEADROOM).toBe(VU_HEADROOM);
    expect(sizeVus({ targetTps: 100, holdMs: 100 }).vus).toBe(Math.ceil(100 * 0.1 * VU_HEADROOM));
  });

  it('is the smallest multiple of the parallelism that covers λ·L·headroom, at least one VU per runner', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 5000 }),
        fc.constantFrom(1, 1.25, 1.5, 2, 3),
        fc.integer({ min: 1, max: 64 }),
        (tps, hold, headroom, p) => {
          const s = sizeVus({ targetTps: tps, holdMs: hold, headroom, parallelism: p });
          const little = Number(ceil(mul(mul(rat(tps), rat(hold, 1000)), ratFromNumber(headroom, 'h'))));
          expect(s.vus % p).toBe(0);
          expect(s.vus).toBeGreaterThanOrEqual(Math.max(p, little));
          expect(s.vus - p).toBeLessThan(Math.max(p, little));
          // k6 then gives every runner exactly 1/p of the rate.
          for (const share of splitArrivalRate({ rate: tps, preAllocatedVUs: s.vus }, p)) {
            expect(share.maxVUs).toBe(s.vus / p);
            expect(share.perSecond).toBeCloseTo(tps / p, 9);
          }
        },
      ),
    );
  });

  it.each([
    [{ targetTps: 0, holdMs: 50 }, /targetTps/],
    [{ targetTps: Number.NaN, holdMs: 50 }, /targetTps/],
    [{ targetTps: 10, holdMs: -1 }, /holdMs/],
    [{ targetTps: 10, holdMs: 50, headroom: 0.5 }, /headroom/],
    [{ targetTps: 10, holdMs: 50, parallelism: 0 }, /parallelism/],
    [{ targetTps: 10, holdMs: 50, parallelism: 2.5 }, /parallelism/],
    [{ targetTps: 10, holdMs: 50, parallelism: 2000 }, /parallelism/],
  ])('refuses %o naming the field', (input, message) => {
    expect(() => sizeVus(input)).toThrow(message);
  });
});
