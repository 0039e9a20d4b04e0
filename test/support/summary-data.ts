/**
 * Builds the legacy handleSummary object k6 would hand over, from recorded samples: Counters
 * {count, rate}, Rates {rate, passes, fails}, Gauges {value (last), min, max}, Trends with the
 * kit's summaryTrendStats (exact percentiles, as k6 keeps every Trend sample), sub-metrics
 * (`name{tag:value}`, typed like their metric) and checks (`root_group.checks`).
 */
import { KIT_METRICS, METRIC } from '../../lib/metrics/registry.ts';
import { ReasonNamer } from '../../lib/metrics/rejection-reasons.ts';
import { KNOWN_ERROR_CODES, KNOWN_HTTP_REFUSALS } from '../../lib/plan/options.ts';

export type MetricKind = 'counter' | 'gauge' | 'rate' | 'trend';

/** The types of the kit's metrics and of the k6 built-ins its verdict reads. */
export const KIT_SUMMARY_TYPES: Readonly<Record<string, MetricKind>> = {
  ...Object.fromEntries(Object.values(KIT_METRICS).map((m) => [m.name, m.type])),
  iterations: 'counter',
  dropped_iterations: 'counter',
  iteration_duration: 'trend',
  vus_max: 'gauge',
};

export class SampleStore {
  private readonly byName = new Map<string, number[]>();
  private readonly checkCounts = new Map<string, { passes: number; fails: number }>();
  add(metric: string, value: number): void {
    let list = this.byName.get(metric);
    if (!list) {
      list = [];
      this.byName.set(metric, list);
    }
    list.push(value);
  }
  values(metric: string): number[] {
    return this.byName.get(metric) ?? [];
  }
  names(): string[] {
    return [...this.byName.keys()];
  }
  /** One check() result, counted by name as k6 does. */
  check(name: string, pass: boolean): void {
    const c = this.checkCounts.get(name) ?? { passes: 0, fails: 0 };
    if (pass) c.passes++;
    else c.fails++;
    this.checkCounts.set(name, c);
  }
  checks(): Array<{ name: string; passes: number; fails: number }> {
    return [...this.checkCounts].map(([name, c]) => ({ name, ...c }));
  }
}

/** The rejection sub-metrics the kit's options make k6 keep (lib/plan/options.ts visibilityThresholds). */
const KEPT_CODES: ReadonlySet<string> = new Set([
  ...KNOWN_ERROR_CODES,
  ...KNOWN_HTTP_REFUSALS.map((s) => `http${s}`),
]);

/**
 * The flows' metric sink (lib/flows/record.ts MetricSink) over a SampleStore, keeping what k6 keeps
 * for the kit: rejections per `stage` and per known `error_code` as sub-metrics, and each
 * rejection's reason as a failing check named by lib/metrics/rejection-reasons.ts (one namer, as
 * one VU would). Other tags are dropped, as k6's summary drops them.
 */
export class SummarySink {
  private readonly namer = new ReasonNamer();
  constructor(readonly store: SampleStore) {}
  add(metric: string, value: number, tags?: Readonly<Record<string, string>>): void {
    this.store.add(metric, value);
    if (metric !== METRIC.transfersRejected || tags === undefined) return;
    const stage = tags['stage'];
    if (stage !== undefined) this.store.add(`${metric}{stage:${stage}}`, value);
    const code = tags['error_code'];
    if (code !== undefined && KEPT_CODES.has(code)) this.store.add(`${metric}{error_code:${code}}`, value);
  }
  reason(code: string, description: string | undefined): void {
    this.store.check(this.namer.name(code, description), false);
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function legacySummary(
  store: SampleStore,
  types: Readonly<Record<string, MetricKind>>,
  durationMs: number,
): unknown {
  const metrics: Record<string, unknown> = {};
  for (const name of store.names()) {
    // a sub-metric `name{tag:value}` has its metric's type
    const type = types[name] ?? types[name.replace(/\{.*\}$/, '')];
    if (!type) throw new Error(`summary: metric ${name} has no declared type`);
    const xs = store.values(name);
    let values: Record<string, number>;
    switch (type) {
      case 'counter': {
        const count = xs.reduce((a, b) => a + b, 0);
        values = { count, rate: count / (durationMs / 1000) };
        break;
      }
      case 'rate': {
        const passes = xs.filter((x) => x !== 0).length;
        values = { rate: passes / xs.length, passes, fails: xs.length - passes };
        break;
      }
      case 'gauge':
        values = { value: xs[xs.length - 1]!, min: Math.min(...xs), max: Math.max(...xs) };
        break;
      case 'trend': {
        const s = [...xs].sort((a, b) => a - b);
        values = {
          avg: s.reduce((a, b) => a + b, 0) / s.length,
          min: s[0]!,
          med: percentile(s, 50),
          max: s[s.length - 1]!,
          'p(90)': percentile(s, 90),
          'p(95)': percentile(s, 95),
          'p(99)': percentile(s, 99),
          count: s.length,
        };
        break;
      }
    }
    metrics[name] = { type, contains: type === 'trend' ? 'time' : 'default', values };
  }
  return {
    metrics,
    state: { testRunDurationMs: durationMs },
    root_group: { name: '', groups: [], checks: store.checks() },
  };
}
