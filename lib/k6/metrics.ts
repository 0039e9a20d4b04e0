/**
 * The kit's custom metrics, declared once in the init context (k6 refuses declarations elsewhere,
 * and thresholds on undeclared metrics fail the run with exit code 104), behind the MetricSink
 * interface the sans-IO recording code (lib/flows/record.ts) writes to. What is declared, and how,
 * comes from the metric registry (lib/metrics/registry.ts).
 */
import { check } from 'k6';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import type { MetricSink, Tags } from '../flows/record.ts';
import { type KitMetric, kitMetricsBy } from '../metrics/registry.ts';
import { ReasonNamer } from '../metrics/rejection-reasons.ts';

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

/**
 * Declares the metrics the flows record; call at module scope (init context) only. Rejection
 * reasons become failing checks named after them (one cached check set per reason, at most
 * MAX_REASONS_PER_VU + catch-alls per VU).
 */
const failed = (): boolean => false;

export function declareMetrics(): MetricSink {
  const byName = new Map<string, Addable>();
  for (const m of kitMetricsBy('flows')) byName.set(m.name, declareMetric(m));
  const namer = new ReasonNamer();
  const checkSets = new Map<string, Record<string, () => boolean>>();
  return {
    add(metric: string, value: number, tags?: Tags): void {
      const m = byName.get(metric);
      if (!m) throw new Error(`metric ${metric} is not a flows metric of lib/metrics/registry.ts`);
      m.add(value, tags as Record<string, string> | undefined);
    },
    reason(code: string, description: string | undefined): void {
      const name = namer.name(code, description);
      let set = checkSets.get(name);
      if (!set) {
        set = { [name]: failed };
        checkSets.set(name, set);
      }
      check(null, set);
    },
  };
}
