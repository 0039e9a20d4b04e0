import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { k6Duration } from '../../lib/config/duration.ts';
import { MAX_VU_HEADROOM, MIN_VU_HEADROOM, PROFILE_NAMES, PROFILES } from '../../lib/config/profiles.ts';
import { ENV_VARS, parseRunConfig } from '../../lib/config/run-config.ts';
import { PLAN_MODES } from '../../lib/plan/modes.ts';
import { add, eq, ONE, type Rat, ZERO } from '../../lib/plan/rational.ts';
import { splitArrivalRate } from '../../lib/plan/segments.ts';
import { CAPACITY } from '../../planner/capacity.ts';
import { makePlan, type PlanInput, PlanRefused } from '../../planner/planner.ts';
import { parseCpu, parseMemory } from '../../planner/quantity.ts';

const GiB = 1024 ** 3;
const base: PlanInput = {
  tps: 1000,
  mode: 'collect',
  profile: 'load',
  durationMs: 600_000,
  runnerCpuMillicores: 2000,
  runnerMemoryBytes: 4 * GiB,
};

function refusal(input: PlanInput): PlanRefused {
  try {
    makePlan(input);
  } catch (e) {
    if (e instanceof PlanRefused) return e;
    throw e;
  }
  throw new Error('expected the plan to be refused');
}

describe('makePlan', () => {
  it('plans 1000 TPS collect over 4 runners: 100 VUs, 25 and 250/s each', () => {
    const plan = makePlan({ ...base, parallelism: 4 });
    expect(plan.vus).toBe(100);
    expect(plan.runners.map((r) => [r.segment, r.maxVUs, r.targetTps])).toEqual([
      ['0:1/4', 25, 250],
      ['1/4:2/4', 25, 250],
      ['2/4:3/4', 25, 250],
      ['3/4:1', 25, 250],
    ]);
    expect(plan.arithmetic.join('\n')).toContain('rate 1000 × 25/100 = 250/s');
    expect(plan.env).toEqual({
      PROFILE: 'load',
      TARGET_TPS: '1000',
      DURATION: '10m',
      PARALLELISM: '4',
      MODE: 'collect',
      EXPECTED_LATENCY_MS: '50',
    });
    expect(plan.resources.cpuMillicores).toBeLessThanOrEqual(2000);
    expect(plan.resources.cpuMillicores % CAPACITY.cpuStepMillicores).toBe(0);
    expect(plan.resources.memoryBytes % CAPACITY.memoryStepBytes).toBe(0);
  });

  it('only sets env variables of the scenario contract', () => {
    for (const mode of PLAN_MODES) {
      const plan = makePlan({ ...base, mode, parallelism: 2 });
      for (const k of Object.keys(plan.env)) expect(ENV_VARS as readonly string[]).toContain(k);
      expect('MODE' in plan.env).toBe(mode === 'collect' || mode === 'wait');
      expect(plan.bundle).toBe(mode === 'e2e' || mode === 'outbound' ? mode : 'transfers');
    }
  });

  it('sizes ramping profiles for their peak and memory for their volume', () => {
    const ramp = makePlan({ ...base, profile: 'ramp', durationMs: 1_200_000, parallelism: 4 });
    expect(ramp.peakTps).toBe(1250);
    expect(ramp.vus).toBe(128); // ceil(1250 × 0.05 × 2) = 125 → multiple of 4
    const bp = makePlan({ ...base, profile: 'breakpoint', durationMs: 1_200_000, parallelism: 4 });
    expect(bp.peakTps).toBe(2000);
    expect(bp.totalTransfers).toBe(1000 * 1200); // a linear ramp to 2× has the volume of the target
  });

  it('chooses the smallest parallelism that fits the runner size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PLAN_MODES),
        fc.integer({ min: 50, max: 5000 }),
        fc.constantFrom(500, 1000, 2000, 4000),
        fc.constantFrom(0.5, 1, 2, 4),
        (mode, tps, cpu, memGiB) => {
          const input: PlanInput = {
            ...base,
            mode,
            tps,
            runnerCpuMillicores: cpu,
            runnerMemoryBytes: memGiB * GiB,
          };
          let plan: ReturnType<typeof makePlan>;
          try {
            plan = makePlan(input);
          } catch (e) {
            if (e instanceof PlanRefused) return; // nothing fits: covered below
            throw e;
          }
          expect(plan.parallelismChosen).toBe(true);
          expect(plan.resources.cpuMillicores).toBeLessThanOrEqual(cpu);
          expect(plan.resources.memoryBytes).toBeLessThanOrEqual(memGiB * GiB);
          if (plan.parallelism > 1)
            expect(() => makePlan({ ...input, parallelism: plan.parallelism - 1 })).toThrow(PlanRefused);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('per-runner rates and transfers add up to the whole test', () => {
    for (const p of [1, 2, 3, 4, 5, 7, 8, 16]) {
      const plan = makePlan({ ...base, tps: 999, parallelism: p });
      const shares = plan.runners.reduce<Rat>((a, r) => add(a, r.share), ZERO);
      expect(eq(shares, ONE)).toBe(true);
      expect(plan.runners.reduce((a, r) => a + r.targetTps, 0)).toBeCloseTo(999, 9);
      const transfers = plan.runners.reduce((a, r) => a + r.expectedTransfers, 0);
      expect(transfers).toBeLessThanOrEqual(plan.totalTransfers);
      expect(transfers).toBeGreaterThan(plan.totalTransfers - p);
      // The split is the one k6 computes for these VUs.
      expect(plan.runners.map((r) => r.maxVUs)).toEqual(
        splitArrivalRate({ rate: 999, preAllocatedVUs: plan.vus }, p).map((s) => s.maxVUs),
      );
    }
  });

  it('prints the per-runner threshold scaling', () => {
    const plan = makePlan({ ...base, parallelism: 4 });
    expect(plan.arithmetic.join('\n')).toContain('a global count>=600000 is count>=150000 per runner');
  });
});

describe('plans it refuses, and why', () => {
  it('uneven shares: --vus 10 over 4 runners', () => {
    const e = refusal({ ...base, parallelism: 4, vus: 10 });
    expect(e.reasons).toHaveLength(1);
    expect(e.reasons[0]).toContain('not a multiple of parallelism 4');
    expect(e.reasons[0]).toContain('3/3/2/2');
    expect(e.reasons[0]).toContain('300/300/200/200');
    expect(e.arithmetic.join('\n')).toContain('rate 1000 × 3/10 = 300/s');
  });

  it('idle runners: --vus 2 over 3 runners', () => {
    const e = refusal({ ...base, parallelism: 3, vus: 2 });
    expect(e.reasons[0]).toMatch(/1 of 3 runners would get 0 maxVUs and sit idle \(runners 3\)/);
  });

  it('a runner under 1 transfer/s', () => {
    const e = refusal({ ...base, profile: 'smoke', tps: 5, durationMs: 30_000, parallelism: 8 });
    expect(e.reasons[0]).toMatch(/0\.625 transfers\/s \(< 1\/s\).*at most 5/);
  });

  it('CPU over the runner size', () => {
    const e = refusal({ ...base, mode: 'e2e', parallelism: 1, runnerCpuMillicores: parseCpu('1', 'cpu') });
    expect(e.reasons.some((r) => /needs \d+m? CPU but a runner has 1/.test(r))).toBe(true);
  });

  it('memory over the runner size', () => {
    const e = refusal({
      ...base,
      mode: 'wait',
      profile: 'soak',
      durationMs: 3_600_000,
      parallelism: 1,
      runnerMemoryBytes: parseMemory('1Gi', 'm'),
    });
    expect(
      e.reasons.some((r) => /memory but a runner has 1Gi.*OOM-killed runner silently drops/.test(r)),
    ).toBe(true);
  });

  it('too many VUs for one k6 instance', () => {
    const e = refusal({
      ...base,
      tps: 100_000,
      mode: 'e2e',
      parallelism: 2,
      runnerCpuMillicores: 1e6,
      runnerMemoryBytes: 2 ** 50,
    });
    expect(e.reasons.some((r) => r.includes('VUs per runner exceeds 30000'))).toBe(true);
  });

  it('nothing fits when one runner is too small for even its base cost', () => {
    const e = refusal({ ...base, runnerMemoryBytes: parseMemory('128Mi', 'm') });
    expect(e.reasons.some((r) => r.includes('memory but a runner has 128Mi'))).toBe(true);
  });

  it.each([
    [{ tps: 0 }, /tps: expected a positive number/],
    [{ tps: Number.NaN }, /tps/],
    [{ durationMs: -5 }, /duration/],
    [{ parallelism: 0 }, /parallelism: expected an integer 1\.\.1024/],
    [{ parallelism: 1.5 }, /parallelism/],
    [{ vus: 0 }, /vus/],
    [{ headroom: 0.9 }, /headroom: expected a number from 1 to 100, got 0\.9/],
    [{ headroom: 200 }, /headroom: expected a number from 1 to 100, got 200/],
    [{ profile: 'stress' as never }, /profile: expected one of/],
    [{ mode: 'fast' as never }, /mode: expected collect, wait, e2e or outbound/],
  ])('invalid input %o', (patch, message) => {
    expect(refusal({ ...base, ...patch }).message).toMatch(message);
  });

  it("accepts the headroom range the scenario's VU_HEADROOM accepts, and no more", () => {
    expect(makePlan({ ...base, headroom: MIN_VU_HEADROOM }).vus).toBeGreaterThan(0);
    expect(makePlan({ ...base, headroom: MAX_VU_HEADROOM }).vus).toBeGreaterThan(0);
    expect(() => parseRunConfig('transfers', { VU_HEADROOM: String(MAX_VU_HEADROOM) })).not.toThrow();
    expect(() => parseRunConfig('transfers', { VU_HEADROOM: String(MAX_VU_HEADROOM + 1) })).toThrow(
      `VU_HEADROOM: expected a number from ${MIN_VU_HEADROOM} to ${MAX_VU_HEADROOM}`,
    );
  });
});

describe('k6Duration', () => {
  it('prints what the scenarios parse back', () => {
    expect(k6Duration(600_000)).toBe('10m');
    expect(k6Duration(3_600_000)).toBe('1h');
    expect(k6Duration(5_430_500)).toBe('1h30m30s500ms');
    for (const p of PROFILE_NAMES)
      expect(k6Duration(PROFILES[p].defaultDurationMs)).toMatch(/^(\d+h)?(\d+m)?(\d+s)?$/);
    expect(() => k6Duration(0)).toThrow(/duration/);
  });
});
