/**
 * One plan: the planner and its manifests, the scenario's exported options and the capacity model
 * all read lib/plan/run-plan.ts. These tests hold the planner's printed numbers against the options
 * the scenario module would export from the same environment, for every preset and over the input
 * space the planner uses (the profile's VU floor included, which an earlier comparison missed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../../lib/config/profiles.ts';
import { parseRunConfig } from '../../../lib/config/run-config.ts';
import { bundleOf, PLAN_MODES } from '../../../lib/plan/modes.ts';
import { planRun } from '../../../lib/plan/run-plan.ts';
import { splitArrivalRate } from '../../../lib/plan/segments.ts';
import { PRESETS } from '../../../planner/manifests/presets.ts';
import { makePlan, type PlanInput } from '../../../planner/planner.ts';

/** What `k6 inspect` would report of the bundle's options for the plan's env: the load scenario and the collector. */
function bundleOptions(plan: ReturnType<typeof makePlan>) {
  return planRun(parseRunConfig(bundleOf(plan.mode), plan.env)).options;
}

function expectAgreement(input: PlanInput): void {
  const plan = makePlan(input);
  const options = bundleOptions(plan);
  const load = options.scenarios[bundleOf(plan.mode)]!;
  expect(load.maxVUs, 'maxVUs').toBe(plan.vus);
  expect(load.preAllocatedVUs, 'preAllocatedVUs').toBe(plan.vus);
  const split = splitArrivalRate(
    { rate: 1, preAllocatedVUs: load.maxVUs!, maxVUs: load.maxVUs! },
    plan.parallelism,
  );
  expect(plan.runners.map((r) => r.maxVUs)).toEqual(split.map((s) => s.maxVUs));
  const collector = options.scenarios.collector;
  expect(collector?.vus ?? 0, 'collector VUs').toBe(plan.extraVusPerRunner * plan.parallelism);
}

describe('the manifests describe the run the bundle plans', () => {
  for (const preset of PRESETS) {
    it(`preset ${preset.dir}`, () => expectAgreement(preset.plan));
  }

  it('the smoke preset: the profile floor of 5 VUs per runner is in the manifest too', () => {
    const smoke = PRESETS.find((p) => p.dir === 'smoke')!;
    const plan = makePlan(smoke.plan);
    expect(plan.vus).toBe(10);
    expect(plan.runners.map((r) => r.maxVUs)).toEqual([5, 5]);
  });

  it('for random inputs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILE_NAMES),
        fc.constantFrom(...PLAN_MODES),
        fc.integer({ min: 1, max: 3000 }),
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 16 }),
        (profile, mode, tps, latencyMs, parallelism) => {
          const input: PlanInput = {
            tps,
            mode,
            profile,
            durationMs: profile === 'soak' ? 3_600_000 : 120_000,
            latencyMs,
            parallelism,
            runnerCpuMillicores: 64_000,
            runnerMemoryBytes: 256 * 1024 ** 3,
          };
          try {
            makePlan(input);
          } catch {
            return; // refused (too many runners for the rate, say): nothing to compare
          }
          expectAgreement(input);
        },
      ),
      { numRuns: 200 },
    );
  });
});
