/**
 * Builds the legacy handleSummary object k6 would hand over, from recorded samples: Counters
 * {count, rate}, Rates {rate, passes, fails}, Gauges {value (last), min, max}, Trends with the
 * kit's summaryTrendStats (exact percentiles, as k6 keeps every Trend sample).
 */
export type MetricKind = 'counter' | 'gauge' | 'rate' | 'trend';

export class SampleStore {
  private readonly byName = new Map<string, number[]>();
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
    const type = types[name];
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
    root_group: { name: '', groups: [], checks: [] },
  };
}
