import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../../../lib/config/profiles.ts';
import { parseRunConfig } from '../../../lib/config/run-config.ts';
import { BUILTIN_METRICS, knownMetrics, METRIC_NAMES } from '../../../lib/metrics/registry.ts';
import { mergeThresholds } from '../../../lib/plan/options.ts';
import { planRun } from '../../../lib/plan/run-plan.ts';
import { AGGREGATIONS, checkThreshold, parseThreshold } from '../../../lib/thresholds/grammar.ts';
import {
  DROPPED_ABORT,
  DROPPED_BUDGET,
  generatorHealth,
  mojaloopInvariant,
  type ThresholdSpec,
  thresholdsFor,
} from '../../../lib/thresholds/sets.ts';

const exprOf = (s: ThresholdSpec) => (typeof s === 'string' ? s : s.threshold);
/** Everything a k6 run of the kit declares: built-ins, the scenarios' metrics, the probe's. */
const DECLARED: Record<string, string> = Object.fromEntries(
  [...knownMetrics()].map(([name, info]) => [name, info.type]),
);

describe('threshold grammar', () => {
  it('accepts k6 expressions and refuses malformed ones with the expression in the message', () => {
    expect(parseThreshold('p(99)<1000')).toEqual({
      aggregation: 'p(N)',
      percentile: 99,
      operator: '<',
      value: 1000,
    });
    expect(parseThreshold('rate<=0.01').operator).toBe('<=');
    expect(parseThreshold(' count >= 3 ').value).toBe(3);
    for (const bad of ['p99<1000', 'rate < ', 'rate<=abc', 'p(101)<5', 'median<3', 'rate=<0.1', '']) {
      expect(() => parseThreshold(bad)).toThrow(/threshold/);
    }
  });

  it('refuses aggregations the metric type does not have (k6 would exit 104)', () => {
    expect(() => checkThreshold('ml_transfer_success', 'rate', 'p(99)<1')).toThrow(/a rate allows rate/);
    expect(() => checkThreshold('dropped_iterations', 'counter', 'value<1')).toThrow(
      /counter allows count, rate/,
    );
    expect(() => checkThreshold('ml_vu_headroom', 'gauge', 'rate<1')).toThrow(/gauge/);
    expect(checkThreshold('ml_transfer_e2e', 'trend', 'med<100').aggregation).toBe('med');
  });
});

describe('threshold sets', () => {
  it('every composed threshold is valid k6, on a declared metric, with an aggregation of its type (any inputs)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROFILE_NAMES),
        fc.integer({ min: 1, max: 64 }),
        fc.double({ min: 0.5, max: 5000, noNaN: true }),
        fc.integer({ min: 1, max: 7200 }),
        (profile, parallelism, targetTps, durationS) => {
          const c = thresholdsFor({ profile, parallelism, targetTps, durationS });
          for (const [metric, specs] of Object.entries(c.thresholds)) {
            expect(DECLARED[metric], `${metric} must be declared`).toBeDefined();
            const type = c.metrics[metric]!;
            expect(DECLARED[metric]).toBe(type);
            for (const s of specs) {
              const p = checkThreshold(metric, type, exprOf(s));
              expect(AGGREGATIONS[type]).toContain(p.aggregation);
              if (typeof s !== 'string' && s.abortOnFail) {
                // an abort always waits: a start-up transient must not stop the run
                expect(s.delayAbortEval).toMatch(/^\d+[sm]$/);
                expect(profile).not.toBe('smoke');
              }
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the Mojaloop invariant is there in every profile', () => {
    for (const profile of PROFILE_NAMES) {
      const t = thresholdsFor({ profile, parallelism: 1, targetTps: 1000, durationS: 600 }).thresholds;
      expect(t.ml_transfer_e2e!.map(exprOf)).toContain('p(99)<1000');
      expect(t.ml_transfer_over_1s!.map(exprOf)).toContain('rate<=0.01');
      expect(t.ml_transfer_success!.map(exprOf)).toContain('rate>=0.999');
    }
    const breakpoint = mojaloopInvariant({
      profile: 'breakpoint',
      parallelism: 1,
      targetTps: 10,
      durationS: 60,
    });
    expect(breakpoint.rules.some((r) => typeof r.spec !== 'string' && r.spec.abortOnFail)).toBe(true);
  });

  it('absolute counts are scaled by PARALLELISM; ratios and percentiles are not', () => {
    const one = generatorHealth({ profile: 'load', parallelism: 1, targetTps: 1000, durationS: 600 });
    const four = generatorHealth({ profile: 'load', parallelism: 4, targetTps: 1000, durationS: 600 });
    const drop = (set: typeof one) =>
      set.rules.filter((r) => r.metric === 'dropped_iterations').map((r) => exprOf(r.spec));
    expect(drop(one)).toEqual([`count<=${DROPPED_BUDGET * 1000 * 600}`, `rate<=${DROPPED_ABORT * 1000}`]);
    expect(drop(four)).toEqual([
      `count<=${(DROPPED_BUDGET * 1000 * 600) / 4}`,
      `rate<=${(DROPPED_ABORT * 1000) / 4}`,
    ]);
    const ratios = (set: typeof one) =>
      set.rules.filter((r) => r.metric !== 'dropped_iterations').map((r) => exprOf(r.spec));
    expect(ratios(four)).toEqual(ratios(one));
    // a budget never rounds down to zero
    const tiny = generatorHealth({ profile: 'smoke', parallelism: 8, targetTps: 1, durationS: 10 });
    expect(drop(tiny)).toEqual(['count<=1']);
  });

  it('names only metrics listed in lib/metrics/registry.ts or k6 built-ins', () => {
    const c = thresholdsFor({ profile: 'soak', parallelism: 2, targetTps: 1000, durationS: 3600 });
    for (const m of Object.keys(c.thresholds)) {
      expect((METRIC_NAMES as readonly string[]).includes(m) || m in BUILTIN_METRICS).toBe(true);
    }
  });

  it('are part of the run plan, next to the thresholds the plan adds', () => {
    const config = parseRunConfig('transfers', {
      PROFILE: 'load',
      TARGET_TPS: '200',
      DURATION: '5m',
      PARALLELISM: '2',
    });
    const ours = thresholdsFor({
      profile: config.profile,
      parallelism: config.parallelism,
      targetTps: config.targetTps,
      durationS: config.durationMs / 1000,
    }).thresholds;
    const planned = planRun(config).thresholds;
    expect(planned.ml_generator_starved!.map(exprOf)).toContain('rate<0.05');
    expect(planned.dropped_iterations!.map(exprOf)).toContain('count<=30');
    // ours carry the invariant; the planner keeps what it adds on top (the committed volume)
    expect(planned.ml_transfer_success!.map(exprOf)).toEqual(expect.arrayContaining(['rate>=0.999']));
    expect(planned.ml_transfer_e2e!.map(exprOf)).toContain('p(99)<1000');
    expect(planned.ml_transfers_committed).toBeDefined();
    expect(mergeThresholds(ours, ours)).toEqual(ours);
  });

  it('rejects bad inputs naming the field', () => {
    const ok = { profile: 'load' as const, parallelism: 1, targetTps: 10, durationS: 10 };
    expect(() => thresholdsFor({ ...ok, profile: 'fast' as never })).toThrow(/profile/);
    expect(() => thresholdsFor({ ...ok, parallelism: 0 })).toThrow(/parallelism/);
    expect(() => thresholdsFor({ ...ok, parallelism: 1.5 })).toThrow(/parallelism/);
    expect(() => thresholdsFor({ ...ok, targetTps: -1 })).toThrow(/targetTps/);
    expect(() => thresholdsFor({ ...ok, durationS: Number.NaN })).toThrow(/durationS/);
  });

  it('sets can be left out', () => {
    const c = thresholdsFor({
      profile: 'load',
      parallelism: 1,
      targetTps: 10,
      durationS: 10,
      generator: false,
      hub: false,
    });
    expect(c.sets.map((s) => s.name)).toEqual(['mojaloop-invariant']);
    expect(c.thresholds.dropped_iterations).toBeUndefined();
  });
});
