import { afterAll, describe, expect, it } from 'vitest';
import { analyze } from '../../analyzer/index.ts';
import { steadyState } from '../../analyzer/steady-state.ts';
import { writeSyntheticRun } from '../support/traces/k6-output.ts';
import { tempDir } from './helpers.ts';

const flat = (n: number, v = 100) => new Array<number>(n).fill(v);

describe('steady-state rule', () => {
  it.each([
    [60, 6, 3],
    [600, 60, 30],
    [2400, 240, 120],
    [3600, 300, 120],
    [7200, 300, 120],
  ])('a %i s run trims %i s of warm-up and %i s of drain', (n, warm, drain) => {
    const s = steadyState(n, flat(n), {});
    expect([s.startSec, s.endSec]).toEqual([warm, n - drain]);
    expect(s.fullRunFallback).toBe(false);
  });

  it('takes --warmup and --drain as given', () => {
    const s = steadyState(600, flat(600), { warmupSec: 15, drainSec: 0 });
    expect([s.startSec, s.endSec]).toEqual([15, 600]);
    expect(s.rule).toMatch(/--warmup/);
  });

  it('extends the default warm-up over a ramp of the scheduled rate, not beyond', () => {
    const n = 300;
    const sched = Array.from({ length: n }, (_, i) => Math.min(100, (i * 100) / 90)); // 90 s ramp
    const s = steadyState(n, sched, {});
    expect(s.startSec).toBeGreaterThanOrEqual(83);
    expect(s.startSec).toBeLessThanOrEqual(90);
    expect(s.rule).toMatch(/95% of its plateau/);
    // an explicit --warmup wins over the ramp
    expect(steadyState(n, sched, { warmupSec: 10 }).startSec).toBe(10);
  });

  it('falls back to the full run when nothing would remain', () => {
    const s = steadyState(10, flat(10), { warmupSec: 8, drainSec: 5 });
    expect(s).toMatchObject({ startSec: 0, endSec: 10, fullRunFallback: true });
  });
});

describe('steady-state figures', () => {
  const tmp = tempDir('analyzer-steady-');
  afterAll(() => tmp.cleanup());

  it('leave the warm-up out: a slow first 20 s shows in the full run only', async () => {
    const { files } = await writeSyntheticRun(
      {
        seed: 5,
        durationSec: 80,
        rate: 80,
        latency: (t, r) => (t < 20 ? 400 : 40) + 10 * r(),
        extraMetrics: false,
      },
      tmp.dir,
      { format: 'json' },
    );
    const r = await analyze(files, { warmupSec: 25, drainSec: 5 });
    expect(r.steadyState).toMatchObject({ startSec: 25, endSec: 76 });
    const full = r.full.latency['e2e']!;
    const steady = r.steady.latency['e2e']!;
    expect(full.p95!).toBeGreaterThan(300);
    expect(steady.p99!).toBeLessThan(51);
    expect(steady.count).toBeLessThan(full.count);
    expect(r.gate.checks.find((c) => c.name === 'steady_state')).toBeUndefined();
  });
});
