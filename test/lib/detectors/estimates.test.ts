import { describe, expect, it } from 'vitest';
import { HubDetector } from '../../../lib/detectors/hub.ts';
import { generatorTrace, iterationsOfVu } from '../../support/traces/generator-trace.ts';
import { type LatencyTraceSpec, latencyTrace } from '../../support/traces/latency-trace.ts';
import {
  runGeneratorDetector,
  runHubDetector,
  runHubDetectorOnBuckets,
} from '../../support/traces/series.ts';

/** The hub detector's estimates on labeled traces, within stated tolerances. */
const base = (shape: LatencyTraceSpec['shape'], seed = 11): LatencyTraceSpec => ({
  seed,
  durationS: 600,
  ratePerS: 200,
  baseMs: 120,
  noise: { kind: 'lognormal', sigma: 0.25 },
  shape,
});

describe('hub detector estimates', () => {
  it('drift: slope within 15 % of the truth, labelled drift, not sawtooth', () => {
    for (const msPerMin of [6, 20, 120]) {
      const tr = latencyTrace(base({ kind: 'drift', startS: 60, msPerMin }));
      const r = runHubDetector(tr.t, tr.v, { bucketMs: 500 }, undefined, 600_000);
      expect(r.final.label).toBe('drift');
      expect(r.everSawtooth).toBe(false);
      expect(Math.abs(r.final.driftMsPerMin / msPerMin - 1)).toBeLessThan(0.15);
      // found within the 120 s window plus the persistence time of the drift's start
      expect(r.firstDriftMs).toBeLessThan((60 + 120 + 30) * 1000);
    }
  });

  it('sawtooth: period within 5 % and amplitude within 20 %', () => {
    for (const [periodS, amplitudeMs] of [
      [8, 60],
      [30, 40],
      [90, 40],
    ] as const) {
      const tr = latencyTrace(base({ kind: 'sawtooth', periodS, amplitudeMs, phaseS: 3 }));
      const r = runHubDetector(tr.t, tr.v, { bucketMs: 500 }, undefined, 600_000);
      expect(r.final.label, `period ${periodS}`).toBe('sawtooth');
      expect(Math.abs(r.final.sawtoothPeriodS / periodS - 1)).toBeLessThan(0.05);
      expect(Math.abs(r.final.sawtoothAmplitudeMs / amplitudeMs - 1)).toBeLessThan(0.2);
      expect(r.everDrifting).toBe(periodS >= 90 ? r.everDrifting : false);
    }
  });

  it('step: a level shift is reported as a step with its size, never as drift', () => {
    for (const deltaMs of [25, -30]) {
      const tr = latencyTrace(base({ kind: 'step', atS: 300, deltaMs }));
      let seen = 0;
      const r = runHubDetector(tr.t, tr.v, { bucketMs: 500 }, (s) => {
        if (s.stepping) seen = s.lastStepMs;
      });
      expect(r.everDrifting).toBe(false);
      expect(r.everSawtooth).toBe(false);
      expect(r.everStepping).toBe(true);
      expect(Math.abs(seen / deltaMs - 1)).toBeLessThan(0.25);
    }
  });

  it('pauses: GC-like pauses are counted (global view), stationary noise gives none', () => {
    const tr = latencyTrace(
      base({ kind: 'pauses', minIntervalS: 10, maxIntervalS: 20, minMs: 200, maxMs: 400 }),
    );
    const r = runHubDetector(tr.t, tr.v, { bucketMs: 500 });
    // about 600 / 15 = 40 pauses; the start-up minute has no pause line yet
    expect(r.pauses).toBeGreaterThan(25);
    expect(r.pauses).toBeLessThan(45);
    expect(r.everDrifting || r.everSawtooth).toBe(false);
    const flat = latencyTrace(base({ kind: 'flat' }));
    expect(runHubDetector(flat.t, flat.v, { bucketMs: 500 }).pauses).toBe(0);
  });

  it('pre-aggregated per-second medians give the same drift as the raw stream', () => {
    const tr = latencyTrace(base({ kind: 'drift', startS: 0, msPerMin: 30 }));
    const start: number[] = [];
    const med: number[] = [];
    const cnt: number[] = [];
    let i = 0;
    for (let b = 0; b < 600; b++) {
      const xs: number[] = [];
      while (i < tr.length && tr.t[i]! < (b + 1) * 1000) xs.push(tr.v[i++]!);
      xs.sort((x, y) => x - y);
      start.push(b * 1000);
      med.push(xs.length ? xs[xs.length >> 1]! : Number.NaN);
      cnt.push(xs.length);
    }
    const r = runHubDetectorOnBuckets(start, med, cnt, { bucketMs: 1000 });
    expect(r.final.label).toBe('drift');
    expect(Math.abs(r.final.driftMsPerMin / 30 - 1)).toBeLessThan(0.15);
  });

  it('constructor rejects bad options with the field name', () => {
    expect(() => new HubDetector({ bucketMs: -1 })).toThrow(/bucketMs/);
    expect(() => new HubDetector({ sawtoothWindowS: 0 })).toThrow(/sawtoothWindowS/);
  });
});

describe('generator detector estimates', () => {
  const common = { seed: 5, durationS: 120, networkMs: 100, overheadMs: 2 } as const;

  it('healthy: attainment ~1, headroom well above 0, never starved (global and per-VU views)', () => {
    const tr = generatorTrace({ ...common, schedule: { kind: 'constant', rate: 200 }, maxVUs: 60 });
    const opts = { schedule: tr.schedule, scenarioStartMs: tr.scenarioStartMs, maxVUs: 60 };
    for (const r of [
      runGeneratorDetector(tr, opts),
      runGeneratorDetector(tr, opts, undefined, iterationsOfVu(tr, 7)),
    ]) {
      expect(r.everStarved).toBe(false);
      expect(r.final.attainment).toBeGreaterThan(0.98);
      expect(r.final.attainment).toBeLessThan(1.02);
      expect(r.final.minHeadroom).toBeGreaterThan(0.3);
      expect(Math.abs(r.final.lagMs)).toBeLessThan(10);
    }
  });

  it('VU cap: attainment matches the share actually started; cause VUs; lag grows with the backlog', () => {
    const tr = generatorTrace({ ...common, schedule: { kind: 'constant', rate: 200 }, maxVUs: 14 });
    const truth = tr.length / tr.due;
    const opts = { schedule: tr.schedule, scenarioStartMs: tr.scenarioStartMs, maxVUs: 14 };
    const r = runGeneratorDetector(tr, opts, undefined, iterationsOfVu(tr, 3));
    expect(r.everStarved).toBe(true);
    expect(r.mainCause).toBe('vus');
    expect(Math.abs(r.final.attainment - truth)).toBeLessThan(0.05);
    // the backlog of dropped starts, in time: (due - started) x interval
    const backlogMs = ((tr.due - tr.length) * 1000) / 200;
    expect(Math.abs(r.final.lagMs - backlogMs) / backlogMs).toBeLessThan(0.1);
    expect(r.final.meanHeadroom).toBeLessThan(0.15);
  });

  it('CPU stalls: late starts counted, cause CPU', () => {
    const tr = generatorTrace({
      ...common,
      schedule: { kind: 'constant', rate: 200 },
      maxVUs: 80,
      stalls: { perS: 1, meanMs: 80 },
    });
    const opts = { schedule: tr.schedule, scenarioStartMs: tr.scenarioStartMs, maxVUs: 80 };
    const r = runGeneratorDetector(tr, opts, undefined, iterationsOfVu(tr, 2));
    expect(r.everStarved).toBe(true);
    expect(r.mainCause).toBe('cpu');
    expect(r.everCpuStarved).toBe(true);
  });

  it('ramping schedule: healthy ramp is not starved, capped ramp is', () => {
    const schedule = {
      kind: 'ramping' as const,
      startRate: 0,
      stages: [
        { durationS: 40, target: 300 },
        { durationS: 80, target: 300 },
      ],
    };
    const ok = generatorTrace({ ...common, schedule, maxVUs: 90 });
    const capped = generatorTrace({ ...common, schedule, maxVUs: 22 });
    const o = (t: typeof ok, m: number) => ({
      schedule: t.schedule,
      scenarioStartMs: t.scenarioStartMs,
      maxVUs: m,
    });
    expect(runGeneratorDetector(ok, o(ok, 90)).everStarved).toBe(false);
    const r = runGeneratorDetector(capped, o(capped, 22));
    expect(r.everStarved).toBe(true);
    expect(r.mainCause).toBe('vus');
  });
});
