/**
 * The kit's custom metrics, declared once in the init context (k6 refuses declarations elsewhere,
 * and thresholds on undeclared metrics fail the run with exit code 104), behind the MetricSink
 * interface the sans-IO recording code (lib/flows/record.ts) writes to. What is declared, and how,
 * comes from the metric registry (lib/metrics/registry.ts).
 */
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import type { MetricSink, Tags } from '../flows/record.ts';
import { type KitMetric, kitMetricsBy } from '../metrics/registry.ts';

export interface Addable {
  add(value: number, tags?: Record<string, string>): void;
}

/** One k6 metric as the registry describes it (Trends of time are declared `isTime`). Init context only. */
export function declareMetric(m: KitMetric): Addable {
  switch (m.type) {
    case 'counter':
      return new Counter(m.name);
    case 'rate':
      return new Rate(m.name);
    case 'trend':
      return new Trend(m.name, m.contains === 'time');
    case 'gauge':
      return new Gauge(m.name);
  }
}

/** Declares the metrics the flows record; call at module scope (init context) only. */
export function declareMetrics(): MetricSink {
  const byName = new Map<string, Addable>();
  for (const m of kitMetricsBy('flows')) byName.set(m.name, declareMetric(m));
  return {
    add(metric: string, value: number, tags?: Tags): void {
      const m = byName.get(metric);
      if (!m) throw new Error(`metric ${metric} is not a flows metric of lib/metrics/registry.ts`);
      m.add(value, tags as Record<string, string> | undefined);
    },
  };
}
