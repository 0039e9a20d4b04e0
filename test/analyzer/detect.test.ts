/**
 * Detection on the global series, end to end through k6-shaped files (test/support/traces/) whose cause
 * is known, and the cause-versus-consequence attribution of dropped iterations on plain series.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { detectAll } from '../../analyzer/detect/index.ts';
import type { DetectInput } from '../../analyzer/detect/input.ts';
import { analyze } from '../../analyzer/index.ts';
import type { Culprit, DetectionKind, VerdictStatus } from '../../analyzer/model/types.ts';
import { writeSyntheticRun } from '../support/traces/k6-output.ts';
import type { SynthSpec } from '../support/traces/k6-run.ts';
import { tempDir } from './helpers.ts';

const tmp = tempDir('analyzer-detect-');
afterAll(() => tmp.cleanup());

interface Scenario {
  name: string;
  spec: SynthSpec;
  targetTps?: number;
  status: VerdictStatus;
  culprit: Culprit;
  kinds: DetectionKind[];
  /** Text the next steps must contain. */
  advice?: RegExp;
  cause?: 'vus' | 'cpu';
}

const jitter = (base: number, spread: number) => (_t: number, r: () => number) => base + spread * r();

const scenarios: Scenario[] = [
  {
    name: 'healthy run',
    spec: { durationSec: 90, rate: 100, latency: jitter(40, 20) },
    status: 'HEALTHY',
    culprit: 'none',
    kinds: [],
  },
  {
    name: 'hub stall exhausts the VUs: drops are the consequence',
    spec: { durationSec: 90, rate: 100, latency: jitter(40, 20), stalls: [[40, 46]], vusPerRunner: 30 },
    status: 'HUB-DEGRADING',
    culprit: 'hub',
    kinds: ['pause', 'hub_stall_drops'],
    advice: /consequence of the hub/,
  },
  {
    name: 'too few VUs under flat latency',
    spec: { durationSec: 90, rate: 100, latency: jitter(180, 40), vusPerRunner: 14 },
    targetTps: 100,
    status: 'GENERATOR-BOUND',
    culprit: 'generator',
    kinds: ['plateau_below_target', 'generator_starvation'],
    cause: 'vus',
    advice: /Little's law .* ≈ (3[3-9]|4\d) VUs \(the run had vus_max 14\)/,
  },
  {
    name: 'CPU-starved runner drops with free VUs',
    spec: { durationSec: 90, rate: 100, latency: jitter(40, 20), cpuStarved: () => 0.08 },
    targetTps: 100,
    status: 'GENERATOR-BOUND',
    culprit: 'generator',
    kinds: ['plateau_below_target', 'generator_starvation'],
    cause: 'cpu',
    advice: /add runners/,
  },
  {
    name: 'hub saturates below the target after a ramp',
    spec: {
      durationSec: 120,
      rate: (t) => Math.min(150, 5 * t + 1),
      latency: jitter(40, 20),
      capacityTps: 100,
      vusPerRunner: 40,
    },
    targetTps: 150,
    status: 'HUB-SATURATED',
    culprit: 'hub',
    kinds: ['plateau_below_target', 'hub_stall_drops'],
    advice: /saturates at ≈ 100\/s/,
  },
  {
    name: 'queue build-up (linear latency growth)',
    spec: {
      durationSec: 260,
      rate: 60,
      flavour: 'builtin',
      extraMetrics: false,
      latency: (t, r) => 50 + 0.5 * t + 10 * r(),
    },
    status: 'HUB-DEGRADING',
    culprit: 'hub',
    kinds: ['latency_growth'],
    advice: /Latency grows (29\.[5-9]\d*|30\.[0-4]\d*) ms\/min/,
  },
  {
    name: 'sawtooth latency',
    spec: {
      durationSec: 260,
      rate: 60,
      flavour: 'builtin',
      extraMetrics: false,
      latency: (t, r) => 50 + 40 * ((t % 20) / 20) + 10 * r(),
    },
    status: 'HUB-DEGRADING',
    culprit: 'hub',
    kinds: ['sawtooth'],
    advice: /every 20 s/,
  },
];

describe.each(scenarios)('$name', (s) => {
  it(`verdict ${s.status}, culprit ${s.culprit}, findings ${s.kinds.join(', ') || 'none'}`, async () => {
    const dir = tempDir('analyzer-detect-case-');
    const { files } = await writeSyntheticRun({ seed: 3, extraMetrics: false, ...s.spec }, dir.dir, {
      format: 'json',
    });
    const r = await analyze(files, s.targetTps !== undefined ? { targetTps: s.targetTps } : {});
    dir.cleanup();
    expect(r.gate.valid).toBe(true);
    expect([...new Set(r.detections.map((d) => d.kind))].sort()).toEqual([...s.kinds].sort());
    expect(r.verdict.status).toBe(s.status);
    expect(r.verdict.culprit).toBe(s.culprit);
    if (s.advice) expect(r.verdict.nextSteps.join('\n')).toMatch(s.advice);
    if (s.cause)
      expect(r.detections.find((d) => d.kind === 'generator_starvation')!.evidence['cause']).toBe(s.cause);
    // Every finding names when it happened, inside the steady state.
    for (const d of r.detections) {
      expect(d.ranges.length).toBeGreaterThan(0);
      for (const x of d.ranges) {
        expect(x.fromSec).toBeGreaterThanOrEqual(r.steadyState.startSec);
        expect(x.toSec).toBeLessThanOrEqual(r.steadyState.endSec);
      }
    }
  });
});

/** A 120-s series at 100/s with flat 50 ms latency and 20 of 40 VUs busy, modified per case. */
function series(mod: (x: DetectInput, i: number) => void): DetectInput {
  const n = 120;
  const arr = (v: number) => new Array<number>(n).fill(v);
  const x: DetectInput = {
    offsetSec: 10,
    target: arr(100),
    targetGiven: true,
    achieved: arr(100),
    started: arr(100),
    dropped: arr(0),
    vus: arr(20),
    vusMax: arr(40),
    latP50: arr(50),
    latP95: arr(60),
    latMax: arr(70),
    latCount: arr(100),
    lagP50: arr(1),
    lagP99: arr(2),
    floorLatP50: 48,
  };
  for (let i = 0; i < n; i++) mod(x, i);
  return x;
}

const set = (a: ArrayLike<number>, i: number, v: number) => {
  (a as number[])[i] = v;
};

describe('drop attribution', () => {
  it.each([
    {
      name: 'drops while latency spikes and VUs are all busy: hub',
      mod: (x: DetectInput, i: number) => {
        if (i >= 60 && i < 66) {
          set(x.dropped, i, 30);
          set(x.vus, i, 40);
          set(x.achieved, i, 0);
          set(x.latP95, i, 3000);
        }
      },
      hub: 180,
      generator: 0,
    },
    {
      name: 'drops under flat latency with every VU busy: generator, too few VUs',
      mod: (x: DetectInput, i: number) => {
        if (i >= 60 && i < 66) {
          set(x.dropped, i, 30);
          set(x.vus, i, 40);
        }
      },
      hub: 0,
      generator: 180,
      vuLimited: 180,
    },
    {
      name: 'drops under flat latency with free VUs: generator, CPU',
      mod: (x: DetectInput, i: number) => {
        if (i % 10 === 0) set(x.dropped, i, 10);
      },
      hub: 0,
      generator: 120,
      cpuLimited: 120,
    },
    {
      name: 'drops with busy VUs while the whole steady state is queueing: hub',
      mod: (x: DetectInput, i: number) => {
        set(x.latP50, i, 400);
        set(x.latP95, i, 420);
        set(x.vus, i, 40);
        set(x.dropped, i, 2);
      },
      hub: 240,
      generator: 0,
    },
  ])('$name', ({ mod, hub, generator, vuLimited, cpuLimited }) => {
    const r = detectAll(series(mod));
    expect(r.drops.hub).toBe(hub);
    expect(r.drops.generator).toBe(generator);
    if (vuLimited !== undefined) expect(r.drops.vuLimited).toBe(vuLimited);
    if (cpuLimited !== undefined) expect(r.drops.cpuLimited).toBe(cpuLimited);
    expect(r.detections.some((d) => d.kind === 'generator_starvation')).toBe(generator > 0);
    expect(r.detections.some((d) => d.kind === 'hub_stall_drops')).toBe(hub > 0);
  });

  it('a handful of drops (under 0.5% of the schedule) is noted, not called starvation', () => {
    const r = detectAll(series((x, i) => i === 50 && set(x.dropped, i, 20)));
    expect(r.drops.generator).toBe(20);
    expect(r.detections).toEqual([]);
  });

  it('late bursts of the schedule under flat latency are CPU starvation even without drops', () => {
    const r = detectAll(
      series((x, i) => {
        // a permanent offset (drops do not advance the iteration counter) is not lateness...
        set(x.lagP50, i, 500);
        set(x.lagP99, i, 505);
        // ...bursts above the floor are
        if (i % 7 === 0) set(x.lagP99, i, 620);
      }),
    );
    const g = r.detections.find((d) => d.kind === 'generator_starvation');
    expect(g?.evidence['lateSeconds']).toBe(18);
    expect(g?.evidence['cause']).toBe('cpu');
  });

  it('a healthy series has no finding', () => {
    expect(detectAll(series(() => {})).detections).toEqual([]);
  });

  describe('slow hub answers that exhaust the pool, judged against the planned latency', () => {
    // every iteration held ~2 s by the network, 36-40 of 40 VUs busy at the samples, drops each second
    const slow = (overheadMs: number, plannedHoldMs?: number) => {
      const x = series((x, i) => {
        set(x.latP50, i, 2000);
        set(x.latP95, i, 2400);
        set(x.latMax, i, 2600);
        set(x.vus, i, 36 + (i % 5));
        set(x.dropped, i, 80);
        set(x.started, i, 20);
        set(x.achieved, i, 20);
      });
      x.floorLatP50 = 1950;
      x.iterP50 = new Array(120).fill(2000 + overheadMs);
      x.iterP95 = new Array(120).fill(2400 + overheadMs);
      x.overheadP50 = new Array(120).fill(overheadMs);
      x.overheadP99 = new Array(120).fill(overheadMs * 1.5);
      if (plannedHoldMs !== undefined) x.plannedHoldMs = plannedHoldMs;
      return detectAll(x);
    };

    it('far longer than planned, waiting on the network: the hub (observed against planned)', () => {
      const r = slow(2, 100);
      expect(r.drops.generator).toBe(0);
      expect(r.drops.hub).toBe(9600);
      const h = r.detections.find((d) => d.kind === 'hub_stall_drops');
      expect(h?.summary).toMatch(
        /iterations took 2002 ms \(p50\) against the 100 ms the VU pool was sized for/,
      );
      expect(h?.evidence).toMatchObject({ holdP50Ms: 2002, plannedHoldMs: 100 });
      expect(r.detections.some((d) => d.kind === 'generator_starvation')).toBe(false);
    });

    it('unplanned, or planned for that latency: the generator, too few VUs', () => {
      for (const planned of [undefined, 1500]) {
        const r = slow(2, planned);
        expect(r.detections.find((d) => d.kind === 'generator_starvation')?.evidence['cause']).toBe('vus');
        expect(r.detections.some((d) => d.kind === 'hub_stall_drops')).toBe(false);
      }
    });

    it('iterations spent on the client itself: not the hub, whatever the plan', () => {
      const r = slow(2500, 100);
      expect(r.detections.some((d) => d.kind === 'hub_stall_drops')).toBe(false);
      const g = r.detections.find((d) => d.kind === 'generator_starvation');
      expect(g?.evidence['cause']).toBe('cpu');
      expect(g?.summary).toMatch(
        /on the client itself.*client-side time 55\.6% of the iteration \(p50 4500 ms\)/,
      );
    });
  });

  it('latency spikes while the client itself stalled are the generator stall, not a hub pause', () => {
    const spiky = (clientBurst: boolean) =>
      detectAll(
        series((x, i) => {
          x.overheadP50 ??= new Array(120).fill(3);
          x.overheadP99 ??= new Array(120).fill(6);
          if (i % 20 === 10) {
            set(x.latP95, i, 900);
            set(x.achieved, i, 5);
            set(x.vus, i, 40);
            set(x.dropped, i, 15);
            if (clientBurst) set(x.overheadP99!, i, 400);
          }
        }),
      );
    const stalled = spiky(true);
    expect(stalled.detections.filter((d) => d.side === 'hub')).toEqual([]);
    const pauses = stalled.detections.filter((d) => d.kind === 'pause');
    expect(pauses.length).toBe(6);
    for (const p of pauses) {
      expect(p.side).toBe('generator');
      expect(p.summary).toMatch(/while the generator itself stalled/);
    }
    expect(stalled.drops.hub).toBe(0);
    // the same spikes with the client's own time flat: the hub paused, and the drops are its
    const hub = spiky(false);
    expect(hub.detections.filter((d) => d.kind === 'pause').every((d) => d.side === 'hub')).toBe(true);
    expect(hub.drops.hub).toBe(90);
  });
});
