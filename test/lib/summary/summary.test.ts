import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readRunConfig } from '../../../analyzer/cli.ts';
import { readSummary } from '../../../lib/metrics/summary-view.ts';
import { accountingOf } from '../../../lib/summary/accounting.ts';
import { summaryOutputs } from '../../../lib/summary/outputs.ts';
import type { RunInfo } from '../../../lib/summary/result.ts';

const run: RunInfo = {
  scenario: 'transfers',
  profile: 'smoke',
  mode: 'collect',
  api: 'fspiop',
  fspiopVersion: '1.1',
  targetTps: 5,
  parallelism: 1,
  runner: 0,
  loadLengthMs: 10_000,
  timeoutMs: 10_000,
  vus: 1,
  expectedLatencyMs: 50,
};

interface Counts {
  sent: number;
  committed: number;
  rejected: number;
  timedOut: number;
  late: number;
  codes?: Record<string, number>;
  /** Checks as k6 lists them: name → [passes, fails]. */
  checks?: Record<string, [number, number]>;
}

const checkList = (c: Counts) =>
  Object.entries(c.checks ?? {}).map(([name, [passes, fails]]) => ({ name, passes, fails }));

/** The legacy handleSummary object k6 builds (docs/facts/k6.md#summary-legacy). */
function legacy(c: Counts, failedThreshold = false): unknown {
  const counter = (count: number) => ({
    type: 'counter',
    contains: 'default',
    values: { count, rate: count / 10 },
  });
  const metrics: Record<string, unknown> = {
    ml_transfers_sent: counter(c.sent),
    ml_transfers_committed: counter(c.committed),
    ml_transfers_rejected: counter(c.rejected),
    ml_transfers_timed_out: counter(c.timedOut),
    ml_outcomes_late: counter(c.late),
    ml_transfer_success: {
      type: 'rate',
      contains: 'default',
      values: { rate: c.committed / Math.max(1, c.sent), passes: c.committed, fails: c.sent - c.committed },
      thresholds: { 'rate>0.99': { ok: !failedThreshold } },
    },
    ml_transfer_e2e: {
      type: 'trend',
      contains: 'time',
      values: {
        avg: 12,
        min: 3,
        med: 10,
        max: 90,
        'p(90)': 20,
        'p(95)': 30,
        'p(99)': 80,
        count: c.committed,
      },
    },
  };
  for (const [code, n] of Object.entries(c.codes ?? {}))
    metrics[`ml_transfers_rejected{error_code:${code}}`] = counter(n);
  return {
    root_group: { checks: checkList(c) },
    options: {},
    state: { testRunDurationMs: 25_000 },
    metrics,
  };
}

/** The machine-readable summary (k6 ≥ 1.5 opt-in). */
function machineReadable(c: Counts): unknown {
  return {
    version: '1.0.0',
    config: { duration: 25, execution: 'local' },
    metadata: { generatedAt: '2026-11-28T00:00:00Z', k6Version: '2.2.0' },
    results: {
      metrics: [
        { name: 'ml_transfers_sent', type: 'counter', contains: 'default', values: { count: c.sent } },
        {
          name: 'ml_transfers_committed',
          type: 'counter',
          contains: 'default',
          values: { count: c.committed },
        },
        {
          name: 'ml_transfers_rejected',
          type: 'counter',
          contains: 'default',
          values: { count: c.rejected },
        },
        {
          name: 'ml_transfers_timed_out',
          type: 'counter',
          contains: 'default',
          values: { count: c.timedOut },
        },
        { name: 'ml_outcomes_late', type: 'counter', contains: 'default', values: { count: c.late } },
        {
          name: 'ml_transfer_success',
          type: 'rate',
          contains: 'default',
          values: { matches: c.committed, total: c.sent, rate: c.committed / Math.max(1, c.sent) },
        },
      ],
      checks: { metrics: [], results: checkList(c) },
    },
  };
}

describe('the accounting equation', () => {
  it('balances when outcomes are missing, counting them as timed out (property, both shapes)', () => {
    fc.assert(
      fc.property(
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        fc.nat(1000),
        (committed, rejected, late, waitTimeouts, missing) => {
          const timedOutRecorded = late + waitTimeouts;
          const sent = committed + rejected + timedOutRecorded + missing;
          const c = { sent, committed, rejected, timedOut: timedOutRecorded, late };
          for (const data of [legacy(c), machineReadable(c)]) {
            const a = accountingOf(readSummary(data));
            expect(a.balanced).toBe(true);
            expect(a.neverArrived).toBe(missing);
            expect(a.timedOut).toBe(timedOutRecorded + missing);
            expect(a.committed + a.rejected + a.timedOut).toBe(a.sent);
            expect(a.equation).toBe(
              `sent ${sent} = committed ${committed} + rejected ${rejected} + transport failed 0 + timed out ${timedOutRecorded + missing}`,
            );
          }
        },
      ),
    );
  });

  it('reports NOT balanced, never hides it, when more outcomes were counted than sent', () => {
    const a = accountingOf(
      readSummary(legacy({ sent: 10, committed: 9, rejected: 2, timedOut: 1, late: 1 })),
    );
    expect(a.balanced).toBe(false);
    expect(a.neverArrived).toBe(-2);
    expect(a.equation).toMatch(/≠.*2 more outcomes than transfers sent/);
  });

  it('breaks rejections down by code, with the rest as other', () => {
    const a = accountingOf(
      readSummary(
        legacy({
          sent: 10,
          committed: 4,
          rejected: 6,
          timedOut: 0,
          late: 0,
          codes: { '3100': 2, '4001': 1 },
        }),
      ),
    );
    expect(a.rejectedByCode).toEqual({ '3100': 2, '4001': 1, other: 3 });
  });

  it('lists what the rejections said, top reasons first, from the checks of either shape', () => {
    const c: Counts = {
      sent: 40,
      committed: 10,
      rejected: 30,
      timedOut: 0,
      late: 0,
      checks: {
        'rejected http400: must match pattern': [0, 3],
        'rejected 3100: payee.name invalid': [0, 20],
        'rejected 4001': [0, 1],
        'rejected 5100: a': [0, 1],
        'rejected 5100: b': [0, 1],
        'rejected 5100: c': [0, 1],
        'rejected 3106: never failed': [4, 0],
        'status is 200': [5, 3],
      },
    };
    for (const data of [legacy(c), machineReadable(c)]) {
      const a = accountingOf(readSummary(data));
      expect(a.rejectionReasons).toEqual([
        { reason: '3100: payee.name invalid', count: 20 },
        { reason: 'http400: must match pattern', count: 3 },
        { reason: '4001', count: 1 },
        { reason: '5100: a', count: 1 },
        { reason: '5100: b', count: 1 },
      ]);
      const text = summaryOutputs(data, run, '').outputs.stdout!;
      expect(text).toContain('      ×20 3100: payee.name invalid\n      ×3 http400: must match pattern');
    }
  });
});

describe('summary outputs', () => {
  it('writes text, JSON and JUnit under RESULTS_DIR, in both summary shapes', () => {
    const c = { sent: 50, committed: 48, rejected: 1, timedOut: 1, late: 1 };
    for (const [data, shape] of [
      [legacy(c), 'legacy'],
      [machineReadable(c), 'machine-readable'],
    ] as const) {
      const { outputs, result } = summaryOutputs(data, run, 'out/dir/');
      expect(Object.keys(outputs).sort()).toEqual([
        'out/dir/transfers-junit.xml',
        'out/dir/transfers-result.json',
        'out/dir/transfers-summary.txt',
        'stdout',
      ]);
      expect(outputs.stdout).toContain(
        'sent 50 = committed 48 + rejected 1 + transport failed 0 + timed out 1',
      );
      expect(outputs.stdout).toContain('BALANCED');
      const json = JSON.parse(outputs['out/dir/transfers-result.json']!);
      expect(json.target).toEqual({ tps: 5, tpsPerRunner: 5, durationS: 10 });
      expect(json.achieved.committedTps).toBeCloseTo(4.8);
      expect(json.achieved.sentTps).toBeCloseTo(5);
      expect(json.achieved.successRatio).toBeCloseTo(0.96);
      expect(json.outcomes.balanced).toBe(true);
      expect(result.summaryShape).toBe(shape);
    }
  });

  it("carries the plan's expected latency, which the analyzer's --run-config reads back", () => {
    const c = { sent: 5, committed: 5, rejected: 0, timedOut: 0, late: 0 };
    const { outputs } = summaryOutputs(legacy(c), run, 'out');
    const dir = mkdtempSync(path.join(tmpdir(), 'result-'));
    const file = path.join(dir, 'transfers-result.json');
    writeFileSync(file, outputs['out/transfers-result.json']!);
    expect(readRunConfig(file)).toEqual({ targetTps: 5, parallelism: 1, expectedLatencyMs: 50 });
  });

  it('lists exactly the files it writes, and without a directory writes stdout only and says why', () => {
    const c = { sent: 5, committed: 5, rejected: 0, timedOut: 0, late: 0 };
    const written = summaryOutputs(legacy(c), run, 'out');
    const listed = /results: (.*)/.exec(written.outputs.stdout!)![1]!.split(', ');
    expect(listed.sort()).toEqual(
      Object.keys(written.outputs)
        .filter((k) => k !== 'stdout')
        .sort(),
    );
    const none = summaryOutputs(legacy(c), run, {
      dir: undefined,
      note: 'RESULTS_DIR=none: no result files written',
    });
    expect(Object.keys(none.outputs)).toEqual(['stdout']);
    expect(none.outputs.stdout).toContain('  results: RESULTS_DIR=none: no result files written');
    expect(none.outputs.stdout).not.toMatch(/\.json|\.xml|summary\.txt/);
  });

  it('divides by the time the run really lasted when it was aborted before its planned end', () => {
    const c = { sent: 30, committed: 30, rejected: 0, timedOut: 0, late: 0 };
    const aborted = { ...(legacy(c) as object), state: { testRunDurationMs: 6_000 } };
    const json = JSON.parse(summaryOutputs(aborted, run, 'out/').outputs['out/transfers-result.json']!);
    expect(json.achieved.committedTps).toBeCloseTo(5);
  });

  it('reports threshold failures in text and JUnit, and the verdict when given', () => {
    const { outputs } = summaryOutputs(
      legacy({ sent: 10, committed: 5, rejected: 5, timedOut: 0, late: 0 }, true),
      { ...run, parallelism: 2, runner: 1 },
      'results',
      () => ({ status: 'hub-degraded', summary: 'latency drifts up' }),
    );
    expect(outputs.stdout).toMatch(/thresholds: 1 FAILED: ml_transfer_success rate>0.99/);
    expect(outputs.stdout).toMatch(/verdict: hub-degraded — latency drifts up/);
    const xml = outputs['results/transfers-runner1-junit.xml']!;
    expect(xml).toMatch(/failures="1"/);
    expect(xml).toMatch(
      /<testcase classname="mojaloop-k6.transfers" name="ml_transfer_success rate&gt;0.99">\s*<failure/,
    );
    expect(JSON.parse(outputs['results/transfers-runner1-result.json']!).verdict.status).toBe('hub-degraded');
  });

  it('still writes a summary for data of an unknown shape', () => {
    const { outputs, result } = summaryOutputs({ whatever: true }, run, 'results');
    expect(result.summaryShape).toBe('unknown');
    expect(outputs.stdout).toContain('sent 0 = committed 0 + rejected 0 + transport failed 0 + timed out 0');
    expect(summaryOutputs(null, run, 'results').result.outcomes.sent).toBe(0);
  });
});

describe('with lib/verdict', () => {
  it('adds the verdict to the text, the JSON result and the JUnit file', async () => {
    const { computeVerdict } = await import('../../../lib/verdict/verdict.ts');
    const { outputs, result } = summaryOutputs(
      legacy({ sent: 50, committed: 50, rejected: 0, timedOut: 0, late: 0 }),
      run,
      'results',
      (d) =>
        computeVerdict(d, { targetTps: run.targetTps, parallelism: run.parallelism, expectedLatencyMs: 50 }),
    );
    const v = result.verdict as { status: string; summary: string };
    expect(['HEALTHY', 'GENERATOR-BOUND', 'HUB-DEGRADING', 'HUB-SATURATED', 'INCONCLUSIVE']).toContain(
      v.status,
    );
    expect(outputs.stdout).toContain(`VERDICT: ${v.status} — ${v.summary}`);
    expect(outputs['results/transfers-junit.xml']).toContain(`name="verdict: ${v.status}"`);
    expect(JSON.parse(outputs['results/transfers-result.json']!).verdict.status).toBe(v.status);
  });
});
