import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseDurationMs } from '../../../lib/config/duration.ts';
import { MAX_VUS_PER_RUNNER, PROFILE_NAMES, PROFILES, peakRateFactor } from '../../../lib/config/profiles.ts';
import { type Env, parseRunConfig, type ScenarioKind } from '../../../lib/config/run-config.ts';
import { kitMetricsBy, knownMetrics, METRIC_NAMES } from '../../../lib/metrics/registry.ts';
import { arrivalRate, SUMMARY_TREND_STATS } from '../../../lib/plan/options.ts';
import { planRun } from '../../../lib/plan/run-plan.ts';
import { checkThreshold, type K6MetricType } from '../../../lib/thresholds/grammar.ts';

/** Every metric the scenario modules declare (lib/k6/metrics.ts, lib/k6/detector-probe.ts) or k6 builds in, with its type. */
const declaredTypes: Record<string, K6MetricType> = Object.fromEntries(
  [...knownMetrics()].map(([name, info]) => [name, info.type]),
);
const declared = new Set<string>(Object.keys(declaredTypes));

function optionsFor(kind: ScenarioKind, env: Env) {
  const plan = planRun(parseRunConfig(kind, env));
  return {
    options: plan.options,
    loadLengthMs: plan.load.lengthMs,
    vuPlan: {
      peakTps: plan.peakTps,
      holdMs: plan.vus.holdMs,
      vus: plan.vus.total,
      vusPerRunner: plan.runners[0]!.vus,
      tpsPerRunner: plan.runners[0]!.tps,
    },
  };
}

function ms(d: string | undefined): number {
  const v = d === undefined ? undefined : parseDurationMs(d);
  if (v === undefined) throw new Error(`bad duration ${d}`);
  return v;
}

describe('planned options: invariants over every profile, mode and parallelism (property)', () => {
  const arb = fc.record({
    kind: fc.constantFrom<ScenarioKind>('transfers', 'e2e', 'outbound'),
    mode: fc.constantFrom('collect', 'wait'),
    profile: fc.constantFrom(...PROFILE_NAMES),
    tps: fc.integer({ min: 1, max: 3000 }),
    parallelism: fc.integer({ min: 1, max: 40 }),
    latency: fc.integer({ min: 1, max: 5000 }),
  });

  it('holds', () => {
    fc.assert(
      fc.property(arb, ({ kind, mode, profile, tps, parallelism, latency }) => {
        const env: Env = {
          PROFILE: profile,
          TARGET_TPS: String(tps),
          PARALLELISM: String(parallelism),
          EXPECTED_LATENCY_MS: String(latency),
          ...(kind === 'transfers' ? { MODE: mode } : {}),
        };
        const peak = tps * peakRateFactor(PROFILES[profile]);
        const little = Math.ceil((peak * latency * 2) / 1000 - 1e-9);
        const perRunner =
          Math.ceil(little / parallelism) + (kind === 'transfers' && mode === 'collect' ? 1 : 0);
        if (perRunner > MAX_VUS_PER_RUNNER) {
          // more VUs than one k6 instance should hold: refused before any load, naming the limit
          expect(() => optionsFor(kind, env)).toThrow(/VUs per runner exceeds 30000/);
          return;
        }
        const { options, vuPlan, loadLengthMs } = optionsFor(kind, env);
        const main = options.scenarios[kind]!;
        // Arrival-rate executor matching the profile's shape; never the --vus/--duration shortcuts.
        expect(main.executor).toBe(
          profile === 'ramp' || profile === 'breakpoint' ? 'ramping-arrival-rate' : 'constant-arrival-rate',
        );
        expect(main.exec).toBe(kind);
        expect(options).not.toHaveProperty('vus');
        expect(options).not.toHaveProperty('duration');
        // Fixed capacity, a multiple of PARALLELISM, at least one per runner, at least Little's law.
        expect(main.maxVUs).toBe(main.preAllocatedVUs);
        expect(main.maxVUs! % parallelism).toBe(0);
        expect(main.maxVUs!).toBeGreaterThanOrEqual(parallelism * (profile === 'smoke' ? 5 : 1));
        expect(main.maxVUs!).toBeGreaterThanOrEqual(Math.ceil((vuPlan.peakTps * latency * 2) / 1000 - 1e-9));
        expect(vuPlan.holdMs).toBe(latency);
        // The collector exists exactly in collect mode: one VU per runner, reading past the last timeout.
        const collect = kind === 'transfers' && mode === 'collect';
        expect('collector' in options.scenarios).toBe(collect);
        if (collect) {
          const c = options.scenarios.collector!;
          expect(c.executor).toBe('constant-vus');
          expect(c.vus).toBe(parallelism);
          expect(ms(c.duration)).toBeGreaterThanOrEqual(loadLengthMs + 10_000);
        } else {
          // Waiting VUs get time to finish their wait after the load stops.
          expect(ms(main.gracefulStop)).toBeGreaterThan(10_000);
        }
        // Thresholds only on declared metrics (a threshold on anything else fails k6 with exit 104).
        for (const [key, specs] of Object.entries(options.thresholds)) {
          const base = key.replace(/\{.*\}$/, '');
          expect(declared.has(base), key).toBe(true);
          // Valid k6 grammar with an aggregation that fits the metric's type (else k6 exits 104).
          for (const t of specs)
            checkThreshold(key, declaredTypes[base]!, typeof t === 'string' ? t : t.threshold);
        }
        expect(options.summaryTrendStats).toContain('p(99)');
        expect(options.discardResponseBodies).toBe(true);
        expect(options.systemTags).not.toContain('url');
      }),
      { numRuns: 300 },
    );
  });
});

describe('planned options: figures', () => {
  it('runs 1000 TPS in collect mode with at most 100 VUs', () => {
    const { options, vuPlan } = optionsFor('transfers', { PROFILE: 'load' });
    expect(options.scenarios.transfers).toMatchObject({
      executor: 'constant-arrival-rate',
      rate: 1000,
      timeUnit: '1s',
      duration: '600s',
      preAllocatedVUs: 100,
      maxVUs: 100,
    });
    expect(vuPlan.vus).toBeLessThanOrEqual(100);
    expect(options.scenarios.collector).toMatchObject({
      executor: 'constant-vus',
      vus: 1,
      duration: '10m15s',
    });
  });

  it('sizes wait mode by the whole flow: 1000 TPS × 0.5 s × 2 = 1000 VUs, split evenly over 4 runners', () => {
    const { options, vuPlan } = optionsFor('transfers', { PROFILE: 'load', MODE: 'wait', PARALLELISM: '4' });
    expect(options.scenarios.transfers!.maxVUs).toBe(1000);
    expect(vuPlan.vusPerRunner).toBe(250);
    expect(vuPlan.tpsPerRunner).toBe(250);
  });

  it('rounds the pool up to a multiple of PARALLELISM', () => {
    // 5 TPS × 0.05 s × 2 = 0.5 → 1 VU, rounded to 3 for 3 runners.
    expect(optionsFor('transfers', { PROFILE: 'load', TARGET_TPS: '5', PARALLELISM: '3' }).vuPlan.vus).toBe(
      3,
    );
    // The smoke profile keeps at least 5 VUs per runner, so one slow request cannot drop iterations.
    expect(optionsFor('transfers', { PARALLELISM: '3' }).vuPlan).toMatchObject({ vus: 15, vusPerRunner: 5 });
    // 1000 × 0.05 × 2 = 100 → 102 for 3 runners (34 each).
    expect(optionsFor('transfers', { PROFILE: 'load', PARALLELISM: '3' }).vuPlan.vus).toBe(102);
  });

  it('ramps in five steps up to 125 % and sizes VUs for the peak', () => {
    const { options, vuPlan, loadLengthMs } = optionsFor('transfers', {
      PROFILE: 'ramp',
      TARGET_TPS: '100',
      DURATION: '100s',
    });
    const s = options.scenarios.transfers!;
    expect(s.timeUnit).toBe('1m');
    expect(s.stages!.map((x) => x.target)).toEqual([
      1500, 1500, 3000, 3000, 4500, 4500, 6000, 6000, 7500, 7500,
    ]);
    expect(vuPlan.peakTps).toBe(125);
    expect(loadLengthMs).toBe(100_000);
  });

  it('composes the threshold sets of lib/thresholds/sets.ts (breakpoint runs abort at the break)', () => {
    const load = optionsFor('transfers', { PROFILE: 'load' }).options.thresholds;
    expect(load.ml_transfer_e2e).toContain('p(99)<1000');
    expect(load.ml_transfer_success).toContain('rate>=0.999');
    expect(Object.keys(load)).toEqual(
      expect.arrayContaining(['dropped_iterations', 'ml_generator_starved', 'ml_latency_drifting']),
    );
    const breakpoint = optionsFor('transfers', { PROFILE: 'breakpoint' }).options.thresholds;
    expect(breakpoint.ml_transfer_over_1s).toContainEqual({
      threshold: 'rate<=0.01',
      abortOnFail: true,
      delayAbortEval: '30s',
    });
  });

  it("requires 99 % of each runner's planned volume to commit (honest exit code when outcomes never arrive)", () => {
    const { options } = optionsFor('transfers', { PROFILE: 'load', PARALLELISM: '4' });
    // 1000 TPS × 600 s / 4 runners × 0.99
    expect(options.thresholds.ml_transfers_committed).toEqual(['count>=0', 'count>=148500']);
    const ramp = optionsFor('transfers', { PROFILE: 'ramp', TARGET_TPS: '100', DURATION: '100s' }).options;
    // Area under the 25..125 % steps with 4 % ramps from 0: 0.725 × 100 TPS × 100 s = 7250 → 99 % = 7177.
    expect(ramp.thresholds.ml_transfers_committed).toEqual(['count>=0', 'count>=7177']);
    expect(
      optionsFor('transfers', { PROFILE: 'breakpoint' }).options.thresholds.ml_transfers_committed,
    ).toEqual(['count>=0']);
  });

  it('expresses fractional rates per minute', () => {
    expect(arrivalRate(0.5)).toEqual({ rate: 30, timeUnit: '1m' });
    expect(arrivalRate(7)).toEqual({ rate: 7, timeUnit: '1s' });
  });

  it('keeps p(99) and the standard columns in the summary', () => {
    expect(SUMMARY_TREND_STATS).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count']);
  });

  it('declares only names from lib/metrics/registry.ts', () => {
    const known = new Set<string>(METRIC_NAMES);
    const extra = [...kitMetricsBy('flows'), ...kitMetricsBy('probe')]
      .map((m) => m.name)
      .filter((n) => !known.has(n as never));
    expect(extra).toEqual([]);
  });
});

describe('options.cloud', () => {
  it('names the test after the scenario and profile, and carries the K6_CLOUD_* settings', () => {
    expect(optionsFor('transfers', { PROFILE: 'load' }).options.cloud).toEqual({
      name: 'mojaloop-k6 transfers load',
    });
    const cloud = optionsFor('e2e', {
      K6_CLOUD_NAME: 'mojaloop 1000 TPS',
      K6_CLOUD_PROJECT_ID: '3456789',
      K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=60,amazon:ie:dublin=40',
    }).options.cloud;
    expect(cloud).toEqual({
      name: 'mojaloop 1000 TPS',
      projectID: 3456789,
      distribution: {
        amazon_us_ashburn: { loadZone: 'amazon:us:ashburn', percent: 60 },
        amazon_ie_dublin: { loadZone: 'amazon:ie:dublin', percent: 40 },
      },
    });
  });

  it('refuses a bad setting in the init context, naming the variable', () => {
    expect(() => parseRunConfig('transfers', { K6_CLOUD_DISTRIBUTION: 'amazon:us:ashburn=70' })).toThrow(
      /K6_CLOUD_DISTRIBUTION: percentages must add up to 100, they add up to 70/,
    );
  });
});
