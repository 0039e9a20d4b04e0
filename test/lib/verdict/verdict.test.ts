import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../../lib/config/run-config.ts';
import { planRun } from '../../../lib/plan/run-plan.ts';
import { verdictContext } from '../../../lib/verdict/context.ts';
import { verdictJson, verdictJUnitTestcase, verdictLines } from '../../../lib/verdict/format.ts';
import { VERDICT_EXIT_CODES } from '../../../lib/verdict/status.ts';
import { computeVerdict, type VerdictContext } from '../../../lib/verdict/verdict.ts';

/**
 * A compact description of one runner's end-of-test metrics, rendered in both summary shapes k6
 * hands to handleSummary (docs/facts/k6.md#summary-modes): the legacy object and the v1.5+ machine-readable one.
 */
type M =
  | { type: 'counter'; count: number }
  | { type: 'rate'; passes: number; fails: number }
  | { type: 'gauge'; value: number; min: number; max: number }
  | { type: 'trend'; values: Record<string, number> };

function legacy(metrics: Record<string, M>, durationS: number): unknown {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(metrics)) {
    const values =
      m.type === 'counter'
        ? { count: m.count, rate: m.count / durationS }
        : m.type === 'rate'
          ? { rate: m.passes / (m.passes + m.fails), passes: m.passes, fails: m.fails }
          : m.type === 'gauge'
            ? { value: m.value, min: m.min, max: m.max }
            : m.values;
    out[name] = { type: m.type, contains: m.type === 'trend' ? 'time' : 'default', values };
  }
  return { metrics: out, state: { testRunDurationMs: durationS * 1000, isStdOutTTY: false }, root_group: {} };
}

function machineReadable(metrics: Record<string, M>, durationS: number): unknown {
  const list = Object.entries(metrics).map(([name, m]) => {
    const values =
      m.type === 'counter'
        ? { count: m.count }
        : m.type === 'rate'
          ? { matches: m.passes, total: m.passes + m.fails, rate: m.passes / (m.passes + m.fails) }
          : m.type === 'gauge'
            ? { min: m.min, max: m.max, value: m.value }
            : // the machine-readable summary carries only the default trend columns
              Object.fromEntries(
                Object.entries(m.values).filter(([k]) =>
                  ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)'].includes(k),
                ),
              );
    return { name, type: m.type, contains: 'default', values };
  });
  return {
    version: '1.0.0',
    config: { duration: durationS, execution: 'local' },
    metadata: { generatedAt: '2026-11-28T00:00:00Z', k6Version: '2.2.0' },
    results: { metrics: list },
  };
}

const rate = (r: number, n = 1000): M => ({
  type: 'rate',
  passes: Math.round(r * n),
  fails: n - Math.round(r * n),
});
const counter = (count: number): M => ({ type: 'counter', count });
const gauge = (value: number, min = value, max = value): M => ({ type: 'gauge', value, min, max });
const trend = (med: number, p95: number, p99: number): M => ({
  type: 'trend',
  values: { avg: med, min: med / 3, med, max: p99 * 1.5, 'p(90)': p95 * 0.9, 'p(95)': p95, 'p(99)': p99 },
});

const DURATION = 600;
const CTX: VerdictContext = {
  targetTps: 200,
  parallelism: 2,
  durationS: DURATION,
  vus: 40,
  expectedLatencyMs: 100,
};
const PER_RUNNER = 100;

/** A healthy runner: on target, stable latency, invariant met, detectors quiet. */
function healthy(): Record<string, M> {
  const n = PER_RUNNER * DURATION;
  return {
    iterations: counter(n),
    dropped_iterations: counter(0),
    iteration_duration: trend(80, 150, 200),
    vus_max: gauge(20),
    ml_transfers_sent: counter(n),
    ml_transfers_committed: counter(n - 10),
    ml_transfer_e2e: trend(120, 300, 450),
    ml_transfer_success: rate(0.9995, n),
    ml_transfer_over_1s: rate(0.0005, n),
    ml_generator_starved: rate(0, 1200),
    ml_generator_cpu_starved: rate(0, 1200),
    ml_vu_headroom: gauge(0.6, 0.4, 0.8),
    ml_rate_attainment: gauge(1, 0.99, 1.01),
    ml_schedule_lag: trend(1, 3, 5),
    ml_client_overhead: trend(2, 4, 6),
    ml_latency_drifting: rate(0, 1000),
    ml_latency_sawtooth: rate(0, 1000),
    ml_hub_degrading: rate(0, 1000),
    ml_latency_drift: gauge(0.4, -2, 2),
  };
}

interface Case {
  name: string;
  metrics: Record<string, M>;
  status: string;
  cause?: string;
  summary?: RegExp;
  evidence?: RegExp;
  advice?: RegExp;
}

const CASES: Case[] = [
  { name: 'healthy', metrics: healthy(), status: 'HEALTHY' },
  {
    name: 'VU cap',
    metrics: {
      ...healthy(),
      iterations: counter(54_000),
      dropped_iterations: counter(6000),
      ml_generator_starved: rate(0.7, 1200),
      ml_vu_headroom: gauge(0, 0, 0.2),
      ml_rate_attainment: gauge(0.9, 0.88, 1),
      ml_schedule_lag: trend(20_000, 50_000, 58_000),
      ml_transfers_committed: counter(53_900),
    },
    status: 'GENERATOR-BOUND',
    cause: 'vus',
    summary: /ran out of VUs \(10.0% of due iterations dropped\)/,
    advice: /maxVUs = preAllocatedVUs to at least 23 per runner \(46 in total/,
  },
  {
    name: 'CPU starved',
    metrics: {
      ...healthy(),
      ml_generator_starved: rate(0.4, 1200),
      ml_generator_cpu_starved: rate(0.4, 1200),
      ml_schedule_lag: trend(30, 400, 600),
      ml_client_overhead: trend(40, 180, 300),
    },
    status: 'GENERATOR-BOUND',
    cause: 'cpu',
    advice: /PARALLELISM=3/,
  },
  {
    name: 'hub slowed until the VUs ran out',
    metrics: {
      ...healthy(),
      iterations: counter(50_000),
      dropped_iterations: counter(10_000),
      iteration_duration: trend(900, 2000, 2500),
      ml_generator_starved: rate(0.6, 1200),
      ml_vu_headroom: gauge(0, 0, 0.5),
      ml_transfer_e2e: trend(900, 2000, 2500),
      ml_transfer_over_1s: rate(0.3, 50_000),
      ml_transfers_committed: counter(50_000),
    },
    status: 'HUB-SATURATED',
    cause: 'latency',
  },
  {
    name: 'throughput plateau',
    metrics: { ...healthy(), ml_transfers_committed: counter(0.8 * PER_RUNNER * DURATION) },
    status: 'HUB-SATURATED',
    cause: 'throughput',
    summary: /plateaued at 80.0%/,
    advice: /about 160 transfers\/s in total/,
  },
  {
    name: 'drift',
    metrics: {
      ...healthy(),
      ml_latency_drifting: rate(0.45, 1000),
      ml_hub_degrading: rate(0.45, 1000),
      ml_latency_drift: gauge(25, -1, 31),
    },
    status: 'HUB-DEGRADING',
    cause: 'drift',
    summary: /drifting up ~25 ms\/min \(up to 31\)/,
  },
  {
    name: 'sawtooth',
    metrics: {
      ...healthy(),
      ml_latency_sawtooth: rate(0.5, 1000),
      ml_latency_drifting: rate(0.05, 1000),
      ml_hub_degrading: rate(0.55, 1000),
      ml_sawtooth_period: gauge(20, 19, 21),
      ml_sawtooth_amplitude: gauge(380, 350, 410),
    },
    status: 'HUB-DEGRADING',
    cause: 'sawtooth',
    summary: /period ~20 s, amplitude ~380 ms/,
  },
  {
    name: 'stable but over the SLO',
    metrics: {
      ...healthy(),
      ml_transfer_e2e: trend(600, 1100, 1400),
      ml_transfer_over_1s: rate(0.03, 60_000),
    },
    status: 'HUB-SATURATED',
    cause: 'latency',
  },
  {
    // The Testing Toolkit answering POST /transfers in 1.1-2.4 s: the pool (sized for 100 ms) runs
    // out and the schedule lags behind, but the VUs spend their time waiting on the hub.
    name: 'slow hub answers exhaust the VU pool',
    metrics: {
      ...healthy(),
      iterations: counter(30_000),
      dropped_iterations: counter(30_000),
      iteration_duration: trend(1500, 2300, 2400),
      ml_generator_starved: rate(0.8, 1200),
      ml_generator_cpu_starved: rate(0.5, 1200),
      ml_vu_headroom: gauge(0, 0, 0.1),
      ml_schedule_lag: trend(5000, 20_000, 25_000),
      ml_client_overhead: trend(3, 6, 9),
      ml_transfers_committed: counter(30_000),
    },
    status: 'HUB-SATURATED',
    cause: 'latency',
    evidence: /held each VU 1500 ms \(median iteration\) against the 100 ms the VU pool was sized for/,
    advice: /EXPECTED_LATENCY_MS=2300/,
  },
  {
    name: 'every request refused synchronously without an FSPIOP error',
    metrics: {
      ...healthy(),
      ml_transfers_committed: counter(0),
      ml_transfers_rejected: counter(60_000),
      'ml_transfers_rejected{stage:sync}': counter(60_000),
      'ml_transfers_rejected{error_code:http400}': counter(60_000),
      ml_transfer_success: rate(0, 60_000),
      ml_transfer_e2e: trend(3, 5, 8),
    },
    status: 'REJECTED',
    cause: 'rejections',
    summary: /100\.0% of the transfers were rejected, most with HTTP 400 \(no FSPIOP error\)/,
    evidence:
      /60000 of 60000 transfers rejected \(100\.0%; 60000 synchronously\): HTTP 400 \(no FSPIOP error\) ×60000/,
    advice: /fix the request or the hub's configuration/,
  },
  {
    name: 'the hub rejects a share with 3100 (callbacks)',
    metrics: {
      ...healthy(),
      ml_transfers_committed: counter(36_000),
      ml_transfers_rejected: counter(24_000),
      'ml_transfers_rejected{stage:async}': counter(24_000),
      'ml_transfers_rejected{error_code:3100}': counter(24_000),
      ml_transfer_success: rate(0.6, 60_000),
    },
    status: 'REJECTED',
    summary: /40\.0% of the transfers were rejected, most with 3100 Generic validation error/,
    advice: /does not validate against the hub's API/,
  },
  {
    name: 'no load',
    metrics: { iterations: counter(0), ml_transfers_sent: counter(0) },
    status: 'INCONCLUSIVE',
  },
];

describe('verdict table, both summary shapes', () => {
  for (const c of CASES) {
    for (const [shape, render] of [
      ['legacy', legacy],
      ['machine-readable', machineReadable],
    ] as const) {
      it(`${c.name} (${shape}) -> ${c.status}`, () => {
        const v = computeVerdict(render(c.metrics, DURATION), CTX);
        expect(v.status).toBe(c.status);
        expect(v.exitCode).toBe(VERDICT_EXIT_CODES[v.status]);
        if (c.cause) expect(v.cause).toBe(c.cause);
        if (c.summary) expect(v.summary).toMatch(c.summary);
        if (c.advice) expect(v.advice.join('\n')).toMatch(c.advice);
        if (c.evidence) expect(v.evidence.join('\n')).toMatch(c.evidence);
        expect(v.scope).toBe('runner');
        if (v.status !== 'HEALTHY') expect(v.advice.length).toBeGreaterThan(0);
      });
    }
  }

  it('p99 over 1 s fails the invariant when the legacy shape carries it', () => {
    const m = { ...healthy(), ml_transfer_e2e: trend(300, 800, 1200) };
    const v = computeVerdict(legacy(m, DURATION), CTX);
    expect(v.invariant.ok).toBe(false);
    expect(v.invariant.failures.join()).toMatch(/p99 1200 ms/);
    // the machine-readable shape has no p(99): judged on the ratios only
    expect(computeVerdict(machineReadable(m, DURATION), CTX).invariant.ok).toBe(true);
  });

  it('odd input gives INCONCLUSIVE, bad context a clear error', () => {
    expect(computeVerdict(null, CTX).status).toBe('INCONCLUSIVE');
    expect(computeVerdict({ metrics: 'nope' }, CTX).status).toBe('INCONCLUSIVE');
    expect(() => computeVerdict({}, { ...CTX, targetTps: 0 })).toThrow(/targetTps/);
    expect(() => computeVerdict({}, { ...CTX, parallelism: 0 })).toThrow(/parallelism/);
  });

  it('takes its context from the run plan', () => {
    const plan = planRun(
      parseRunConfig('transfers', {
        PROFILE: 'load',
        TARGET_TPS: '200',
        PARALLELISM: '2',
        DURATION: `${DURATION}s`,
        EXPECTED_LATENCY_MS: '100',
      }),
    );
    const ctx = verdictContext(plan);
    expect(ctx).toEqual({
      targetTps: 200,
      parallelism: 2,
      durationS: DURATION,
      vus: plan.vus.total,
      profile: 'load',
      expectedLatencyMs: 100,
    });
    expect(computeVerdict(legacy(CASES[1]!.metrics, DURATION), ctx).status).toBe('GENERATOR-BOUND');
  });
});

describe('latency nobody measured', () => {
  // The hub dropped tracestate and the ids carried no time: committed transfers with no latency.
  const unknownLatency = (unknown: number): Record<string, M> => {
    const m = healthy();
    const n = PER_RUNNER * DURATION;
    m.ml_latency_unknown = counter(unknown);
    if (unknown >= n) {
      // no e2e sample at all: k6 reports zeros for an empty Trend, and no over-1 s sample either
      m.ml_transfer_e2e = {
        type: 'trend',
        values: { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0, 'p(99)': 0, count: 0 },
      };
      delete m.ml_transfer_over_1s;
    }
    return m;
  };

  it('is never read as 0 ms, and the invariant is not called met', () => {
    const n = PER_RUNNER * DURATION;
    const v = computeVerdict(legacy(unknownLatency(n), DURATION), CTX);
    expect(v.signals.transfers.e2eP99Ms).toBeUndefined();
    expect(v.invariant.ok).toBeUndefined();
    expect(v.evidence).not.toContain('Mojaloop invariant met');
    expect(v.evidence.join('\n')).toMatch(
      /latency unknown for 60000 of 60000 transfers \(100\.0%\).*cannot be judged/,
    );
    expect(v.advice.join('\n')).toMatch(/ID_KIND=uuid/);
  });

  it('a few unknown latencies (under 1 %) are named but leave the invariant to the rest', () => {
    const v = computeVerdict(legacy(unknownLatency(30), DURATION), CTX);
    expect(v.invariant.ok).toBe(true);
    expect(v.evidence.join('\n')).toMatch(/latency unknown for 30 of 60000 transfers/);
  });
});

describe('verdict formatting', () => {
  const v = computeVerdict(legacy(CASES[6]!.metrics, DURATION), CTX);

  it('text lines: the status first, then evidence and advice', () => {
    const lines = verdictLines(v);
    expect(lines[0]).toMatch(/^VERDICT: HUB-DEGRADING — latency sawtooth/);
    expect(lines.some((l) => l.startsWith('  - latency sawtooth in 50.0%'))).toBe(true);
    expect(lines.some((l) => l.startsWith('  * '))).toBe(true);
  });

  it('JSON: plain data that round-trips', () => {
    const j = verdictJson(v);
    expect(JSON.parse(JSON.stringify(j))).toEqual(j);
    expect(j.status).toBe('HUB-DEGRADING');
    expect((j.signals as { hub: { sawtoothPeriodS: number } }).hub.sawtoothPeriodS).toBe(20);
  });

  it('JUnit: a failing testcase for a culprit, a passing one when healthy, escaped text', () => {
    const x = verdictJUnitTestcase(v, 'suite<&>');
    expect(x).toMatch(
      /^<testcase classname="suite&lt;&amp;&gt;" name="verdict: HUB-DEGRADING"><failure type="HUB-DEGRADING"/,
    );
    expect(x).toMatch(/<\/failure><\/testcase>$/);
    expect(x).not.toMatch(/[<>]~/);
    const ok = verdictJUnitTestcase(computeVerdict(legacy(healthy(), DURATION), CTX));
    expect(ok).toBe('<testcase classname="mojaloop-k6.verdict" name="verdict: HEALTHY"/>');
  });
});
