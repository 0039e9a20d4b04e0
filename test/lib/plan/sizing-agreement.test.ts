/**
 * The planner prints per-runner VUs and rates; the scenarios compute their own pool from the same
 * env values in k6 (lib/config/options.ts planVus). If the two ever disagree, the manifests
 * describe a test the script does not run. This test compares them over the input space the
 * planner uses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HOLD_MS, PROFILES, peakRateFactor } from '../../../lib/config/profiles.ts';
import { planVus } from '../../../lib/plan/options.ts';
import { sizeVus } from '../../../lib/plan/sizing.ts';

describe("the planner's VU sizing agrees with the scenarios' planVus", () => {
  it('for every profile, mode default latency and parallelism 1..16', () => {
    for (const spec of Object.values(PROFILES)) {
      for (const hold of Object.values(DEFAULT_HOLD_MS)) {
        for (const tps of [1, 5, 100, 999, 1000, 1500]) {
          for (let p = 1; p <= 16; p++) {
            const peak = tps * peakRateFactor(spec);
            expect(
              sizeVus({ targetTps: peak, holdMs: hold, parallelism: p }).vus,
              `${peak} TPS ${hold} ms P${p}`,
            ).toBe(planVus(peak, hold, p).vus);
          }
        }
      }
    }
  });

  it('for random whole-number inputs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 64 }),
        (tps, hold, p) => {
          expect(sizeVus({ targetTps: tps, holdMs: hold, parallelism: p }).vus).toBe(
            planVus(tps, hold, p).vus,
          );
        },
      ),
    );
  });
});
