/**
 * Runner files whose truth is known (test/support/traces/): one runner or several, JSON or CSV, plain
 * or gzip, one file per runner or all in one: the global figures must match the truth and each
 * other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HDR_RELATIVE_ERROR } from '../../analyzer/hdr.ts';
import { type AnalysisReport, analyze } from '../../analyzer/index.ts';
import { type WriteOptions, writeSyntheticRun } from '../support/traces/k6-output.ts';
import type { SynthSpec, SynthTruth } from '../support/traces/k6-run.ts';
import { exactQuantile, tempDir } from './helpers.ts';

const tmp = tempDir('analyzer-merge-');
afterAll(() => tmp.cleanup());

const base: SynthSpec = {
  seed: 42,
  durationSec: 45,
  rate: 100,
  latency: (_t, r) => 20 + 60 * r() ** 2,
  rejectShare: 0.02,
  timeoutShare: 0.01,
  keepLatencies: true,
};

interface Case {
  name: string;
  runners: number;
  write: WriteOptions;
  runTags?: boolean;
}

const cases: Case[] = [
  { name: '1 runner, json', runners: 1, write: { format: 'json' } },
  { name: '3 runners, json', runners: 3, write: { format: 'json' } },
  { name: '3 runners, json.gz', runners: 3, write: { format: 'json', gzip: true } },
  { name: '3 runners, csv', runners: 3, write: { format: 'csv' } },
  {
    name: '3 runners, csv.gz, unix_nano',
    runners: 3,
    write: { format: 'csv', gzip: true, csvTimeFormat: 'unix_nano' },
  },
  { name: '3 runners in one json file', runners: 3, write: { format: 'json', singleFile: true } },
  {
    name: '2 runners without run tags (one per file)',
    runners: 2,
    write: { format: 'json' },
    runTags: false,
  },
];

const results = new Map<string, { report: AnalysisReport; truth: SynthTruth }>();

beforeAll(async () => {
  for (const c of cases) {
    const dir = tempDir('analyzer-merge-case-');
    const { files, truth } = await writeSyntheticRun(
      { ...base, runners: c.runners, runTags: c.runTags ?? true },
      dir.dir,
      {
        ...c.write,
      },
    );
    const report = await analyze(files, { targetTps: 100 });
    results.set(c.name, { report, truth });
    dir.cleanup();
  }
}, 120_000);

function near(est: number | null, truth: number): boolean {
  return est !== null && Math.abs(est - truth) <= truth * HDR_RELATIVE_ERROR + 0.001;
}

describe.each(cases)('$name', (c) => {
  it('counts every transfer exactly once, globally and per runner', () => {
    const { report, truth } = results.get(c.name)!;
    const t = report.full.counts;
    expect(t.sent).toBe(truth.counts.sent);
    expect(t.committed).toBe(truth.counts.committed);
    expect(t.rejected).toBe(truth.counts.rejected);
    expect(t.timedOut).toBe(truth.counts.timedOut);
    expect(t.iterations).toBe(truth.counts.iterations);
    expect(t.dropped).toBe(truth.counts.dropped);
    expect(report.runners).toHaveLength(c.runners);
    expect(report.runners.map((r) => r.counts.sent).sort()).toEqual(
      truth.perRunner.map((r) => r.sent).sort(),
    );
    expect(report.gate.valid).toBe(true);
    expect(report.gate.checks.find((x) => x.name === 'counts')!.status).toBe('pass');
  });

  it('gives the global percentiles within histogram precision of the exact ones', () => {
    const { report, truth } = results.get(c.name)!;
    const e2e = report.full.latency['e2e']!;
    expect(e2e.count).toBe(truth.latencies.length);
    for (const [q, key] of [
      [0.5, 'p50'],
      [0.95, 'p95'],
      [0.99, 'p99'],
    ] as const) {
      const exact = exactQuantile(truth.latencies, q);
      expect(near(e2e[key], exact), `${key}: ${e2e[key]} vs exact ${exact}`).toBe(true);
    }
    expect(e2e.max).toBeCloseTo(Math.max(...truth.latencies), 3);
  });

  it('derives the achieved rate from the committed count and the run length', () => {
    const { report, truth } = results.get(c.name)!;
    const f = report.full;
    expect(f.achievedTps * f.durationSec).toBeCloseTo(truth.counts.committed, 6);
    const s = report.steady;
    let committed = 0;
    for (let i = s.fromSec; i < s.toSec; i++) committed += truth.committedPerSec[i] ?? 0;
    expect(s.counts.committed).toBe(committed);
    expect(s.achievedTps).toBeCloseTo(committed / (s.toSec - s.fromSec), 6);
    expect(report.target).toMatchObject({ tps: 100, source: 'flag' });
  });
});

describe('across layouts', () => {
  it('the same 3-runner run gives the same global figures whatever the file format', () => {
    const ref = results.get('3 runners, json')!.report;
    for (const name of [
      '3 runners, json.gz',
      '3 runners, csv',
      '3 runners, csv.gz, unix_nano',
      '3 runners in one json file',
    ]) {
      const r = results.get(name)!.report;
      expect(r.full.counts, name).toEqual(ref.full.counts);
      expect(r.steady.counts, name).toEqual(ref.steady.counts);
      for (const k of ['p50', 'p95', 'p99'] as const) {
        expect(near(r.full.latency['e2e']![k], ref.full.latency['e2e']![k]!), `${name} ${k}`).toBe(true);
      }
      expect(r.verdict.status, name).toBe(ref.verdict.status);
    }
  });

  it('one runner and three runners at the same total rate agree on the global figures', () => {
    const one = results.get('1 runner, json')!;
    const three = results.get('3 runners, json')!;
    // Different random draws, same model: totals within 2%, latency percentiles within 5%.
    expect(Math.abs(one.report.steady.achievedTps - three.report.steady.achievedTps)).toBeLessThan(
      0.02 * 100,
    );
    for (const k of ['p50', 'p95'] as const) {
      const a = one.report.steady.latency['e2e']![k]!;
      const b = three.report.steady.latency['e2e']![k]!;
      expect(Math.abs(a - b) / a).toBeLessThan(0.05);
    }
  });

  it('tells runners apart by file when the samples carry no instance_id', () => {
    const r = results.get('2 runners without run tags (one per file)')!.report;
    expect(r.runners.map((x) => x.instanceId)).toEqual([null, null]);
    expect(r.runners.every((x) => x.files.length === 1)).toBe(true);
  });
});
