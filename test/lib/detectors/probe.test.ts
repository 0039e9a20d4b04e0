import { beforeEach, describe, expect, it, vi } from 'vitest';
import { constantSchedule } from '../../../lib/detectors/schedule.ts';
import { trendEveryFor, VuProbe } from '../../../lib/detectors/vu-probe.ts';
import { kitMetricsBy } from '../../../lib/metrics/registry.ts';
import { k6State, resetK6State, samplesOf } from '../../fakes/k6/state.ts';
import { generatorTrace } from '../../support/traces/generator-trace.ts';

class RecordingSink {
  readonly samples: Array<{ metric: string; value: number }> = [];
  add(metric: string, value: number): void {
    this.samples.push({ metric, value });
  }
  of(metric: string): number[] {
    return this.samples.filter((s) => s.metric === metric).map((s) => s.value);
  }
}

describe('VuProbe (pure core)', () => {
  it('samples the Trends one iteration in trendEvery, with lag and overhead measured', () => {
    const sink = new RecordingSink();
    const schedule = constantSchedule({ rate: 100 });
    const p = new VuProbe(
      { sentinel: false, maxVUs: 10, schedule, scenarioStartMs: 0, trendEvery: 5, hubBucketMs: 1000 },
      sink,
    );
    for (let i = 0; i < 100; i++) {
      const start = i * 10 + 3; // 3 ms late
      p.iterationStarted(start, i, 1);
      p.observeNetwork(4);
      p.iterationEnded(start + 7); // 7 ms wall, 4 ms network -> 3 ms overhead
    }
    expect(sink.of('ml_schedule_lag')).toEqual(Array(20).fill(3));
    expect(sink.of('ml_client_overhead')).toEqual(Array(20).fill(3));
    // not a sentinel: no checks
    expect(sink.of('ml_generator_starved')).toEqual([]);
    expect(p.isSentinel).toBe(false);
  });

  it('a sentinel emits about one generator check per second and flags a VU cap', () => {
    const tr = generatorTrace({
      seed: 2,
      durationS: 60,
      schedule: { kind: 'constant', rate: 100 },
      maxVUs: 6,
      networkMs: 100,
      overheadMs: 2,
    });
    const sink = new RecordingSink();
    const p = new VuProbe(
      {
        sentinel: true,
        maxVUs: 6,
        schedule: tr.schedule,
        scenarioStartMs: tr.scenarioStartMs,
        trendEvery: 2,
        hubBucketMs: 1000,
      },
      sink,
    );
    for (let i = 0; i < tr.length; i++) {
      if (tr.vu[i] !== 0) continue;
      p.iterationStarted(tr.start[i]!, tr.iteration[i]!, tr.active[i]!);
      p.observeNetwork(tr.network[i]!);
      p.observeLatency(tr.network[i]!, tr.end[i]!);
      p.iterationEnded(tr.end[i]!);
    }
    const checks = sink.of('ml_generator_starved');
    expect(checks.length).toBeGreaterThan(50);
    expect(checks.length).toBeLessThan(62);
    expect(checks.slice(-20).every((v) => v === 1)).toBe(true);
    expect(Math.min(...sink.of('ml_vu_headroom'))).toBe(0);
    expect(sink.of('ml_rate_attainment').at(-1)).toBeLessThan(0.8);
    const probeNames = new Set(kitMetricsBy('probe').map((m) => m.name));
    for (const s of sink.samples) expect(probeNames.has(s.metric), s.metric).toBe(true);
  });

  it('trendEveryFor keeps the runner near 50 Trend samples per second', () => {
    expect(trendEveryFor(10)).toBe(1);
    expect(trendEveryFor(1000)).toBe(20);
    expect(trendEveryFor(0)).toBe(1);
  });
});

describe('detector probe in (fake) k6', () => {
  beforeEach(() => {
    resetK6State();
    vi.resetModules();
  });

  it('declares every detector metric in the init context, with the declared types', async () => {
    const { createDetectorProbe } = await import('../../../lib/k6/detector-probe.ts');
    createDetectorProbe({
      scenario: {
        executor: 'constant-arrival-rate',
        rate: 100,
        timeUnit: '1s',
        preAllocatedVUs: 8,
        maxVUs: 8,
      },
    });
    const declared = k6State().declaredMetrics;
    for (const m of kitMetricsBy('probe')) {
      expect(declared.get(m.name)?.type, m.name).toBe(m.type);
      expect(declared.get(m.name)?.isTime, m.name).toBe(m.contains === 'time');
    }
    expect(declared.get('ml_schedule_lag')?.isTime).toBe(true);
  });

  it("computes this runner's share from the execution segment (rate follows maxVUs) and feeds the detectors", async () => {
    const { createDetectorProbe } = await import('../../../lib/k6/detector-probe.ts');
    // maxVUs 10 over 4 runners: 3/3/2/2, so runner 3 starts 200 of 1000 iterations/s
    const probe = createDetectorProbe({
      scenario: {
        executor: 'constant-arrival-rate',
        rate: 1000,
        timeUnit: '1s',
        preAllocatedVUs: 10,
        maxVUs: 10,
      },
    });
    const s = k6State();
    s.context = 'vu';
    s.options = { executionSegment: '1/2:3/4', executionSegmentSequence: '0,1/4,1/2,3/4,1' };
    s.vu.idInInstance = 1; // a sentinel
    const start = Date.now();
    s.scenario.startTime = start;
    // 2 s of this runner's schedule at 200/s, but only half of the due starts happen: starvation
    vi.useFakeTimers({ now: start });
    try {
      for (let i = 0; i < 12_000; i++) {
        vi.setSystemTime(start + i * 10); // one start per 10 ms = 100/s, half of the 200/s due
        s.scenario.iterationInInstance = i;
        probe.iterationStarted();
        probe.observeNetwork(5);
        probe.observeLatency(50 + (i % 7));
        probe.iterationEnded();
      }
    } finally {
      vi.useRealTimers();
    }
    const lags = samplesOf('ml_schedule_lag').map((x) => x.value);
    // lag = now - i x 5 ms = i x 5 ms: the backlog grows at 500 ms per second
    expect(lags.length).toBeGreaterThan(100);
    expect(Math.max(...lags)).toBeGreaterThan(50_000);
    const att = samplesOf('ml_rate_attainment').map((x) => x.value);
    expect(att.at(-1)).toBeCloseTo(0.5, 2);
    expect(samplesOf('ml_generator_starved').at(-1)?.value).toBe(1);
    // hub checks run too (a flat 50 ms latency: never degrading)
    expect(samplesOf('ml_hub_degrading').every((x) => x.value === 0)).toBe(true);
    expect(samplesOf('ml_hub_degrading').length).toBeGreaterThan(0);
  });

  it('a VU that is not a sentinel only samples the Trends; a bad scenario disables the probe with a warning', async () => {
    const { createDetectorProbe } = await import('../../../lib/k6/detector-probe.ts');
    const probe = createDetectorProbe({
      scenario: {
        executor: 'constant-arrival-rate',
        rate: 100,
        timeUnit: 'soon',
        preAllocatedVUs: 10,
        maxVUs: 10,
      },
    });
    const other = createDetectorProbe({
      scenario: {
        executor: 'constant-arrival-rate',
        rate: 100,
        timeUnit: '1s',
        preAllocatedVUs: 10,
        maxVUs: 10,
      },
      sentinels: 2,
    });
    const s = k6State();
    s.context = 'vu';
    s.vu.idInInstance = 9;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (let i = 0; i < 10; i++) {
      s.scenario.iterationInInstance = i;
      probe.iterationStarted();
      probe.iterationEnded();
      other.iterationStarted();
      other.iterationEnded();
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(
      /detector probe disabled: duration: expected a k6 duration/,
    );
    warn.mockRestore();
    expect(samplesOf('ml_schedule_lag').length).toBe(5); // 100/s -> trendEvery 2
    expect(samplesOf('ml_generator_starved').length).toBe(0);
  });
});
