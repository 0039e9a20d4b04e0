/**
 * The kit's custom metrics, declared once in the init context (k6 refuses declarations elsewhere,
 * and thresholds on undeclared metrics fail the run with exit code 104), behind the MetricSink
 * interface the sans-IO recording code (lib/flows/record.ts) writes to. The list and types come
 * from DECLARED_METRICS so Node tests check thresholds against exactly what is declared here.
 */
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';
import { DECLARED_METRICS, type MetricSink, type Tags } from '../flows/record.ts';

export interface Addable {
  add(value: number, tags?: Record<string, string>): void;
}

export type K6MetricType = 'counter' | 'rate' | 'trend' | 'gauge';

/** One k6 metric of `type`; `isTime` marks a Trend as milliseconds. Init context only. */
export function declareMetric(name: string, type: K6MetricType, isTime = true): Addable {
  return type === 'counter'
    ? new Counter(name)
    : type === 'rate'
      ? new Rate(name)
      : type === 'trend'
        ? new Trend(name, isTime)
        : new Gauge(name);
}

/** Declares the metrics; call at module scope (init context) only. */
export function declareMetrics(): MetricSink {
  const byName = new Map<string, Addable>();
  for (const [name, type] of Object.entries(DECLARED_METRICS)) byName.set(name, declareMetric(name, type));
  return {
    add(metric: string, value: number, tags?: Tags): void {
      const m = byName.get(metric);
      if (!m) throw new Error(`metric ${metric} is not declared (lib/flows/record.ts DECLARED_METRICS)`);
      m.add(value, tags as Record<string, string> | undefined);
    },
  };
}
